#pragma once
// File: model.hpp
//
// The scenario language as data (docs/scenario-language.md): what the cloud tenant and the
// on-premises directory look like, the steps that happen, and what must be true afterwards. A
// step is a typed value (one struct per kind in a std::variant); every expectation carries the
// catalog criterion it is evidence for, so that a criterion's verdict is earned from its own
// checks. The model is plain data: reading a file needs neither the cloud model nor a directory.
//
//   auto loaded = loadScenario("scenarios/conformance/0001_sspr_reset_synced_user.yaml");
//   for (const Step& step : loaded->steps) {
//       std::visit([](const auto& action) { ... }, step.action);
//   }

#include <wblab/sim/vocabulary.hpp>
#include <wblab/support/expected.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wblab {

/// Positions compare equal when file, line and column do (the model's structs compare whole;
/// declared here rather than in support to keep that header unchanged for its many users).
inline bool operator==(const SourcePos& a, const SourcePos& b) {
    return a.file == b.file && a.line == b.line && a.column == b.column;
}

}  // namespace wblab

namespace wblab::scenario {

/// An expected value and the catalog criterion it is evidence for.
template <typename T>
struct Expectation {
    T value{};
    std::string criterion;

    bool operator==(const Expectation&) const = default;
};

// ---- The tenant -------------------------------------------------------------------------

/// A Conditional Access risk policy (DOMAIN.md §7.2).
struct RiskPolicySpec {
    bool enabled = false;
    bool reportOnly = false;
    sim::RiskLevel threshold = sim::RiskLevel::High;
    sim::RiskGrant grant = sim::RiskGrant::PasswordChange;
    std::vector<std::string> includeGroups;
    std::vector<std::string> excludeGroups;

    bool operator==(const RiskPolicySpec&) const = default;
};

struct IdentityProtectionSpec {
    RiskPolicySpec userRiskPolicy;
    RiskPolicySpec signInRiskPolicy{
        false, false, sim::RiskLevel::Medium, sim::RiskGrant::Mfa, {}, {}};
    bool onPremisesChangeResetsRisk = false;
    bool p2 = true;

    bool operator==(const IdentityProtectionSpec&) const = default;
};

/// What only the cloud knows of a user: groups, registered methods, roles, licence, names.
struct CloudSideSpec {
    std::vector<std::string> groups;
    std::vector<sim::Method> methods = {sim::Method::Email, sim::Method::MobilePhone};
    std::vector<std::string> adminRoles;
    bool licensed = true;  ///< Entra ID P1/P2
    /// givenName and surname: Password Protection refuses a password that contains either
    /// (four characters or more).
    std::string givenName;
    std::string surname;

    bool operator==(const CloudSideSpec&) const = default;
};

/// A cloud-only account: an administrator calling Graph, or a user with no on-premises password.
struct CloudUserSpec : CloudSideSpec {
    std::string upn;
    SourcePos where;

    bool operator==(const CloudUserSpec&) const = default;
};

/// SSPR's throttle of resets of one account (docs/cloud-model.md, "Throttling").
struct ThrottleSpec {
    int attempts = 5;
    std::int64_t windowSeconds = 3600;       ///< troubleshoot-sspr; the reporting page says 24 h
    std::int64_t blockedForSeconds = 86400;  ///< after the last attempt
    bool countersResetOnSuccess = false;     ///< the FAQ's reading; troubleshoot-sspr's is false

    bool operator==(const ThrottleSpec&) const = default;
};

struct TenantSpec {
    sim::SsprScope sspr = sim::SsprScope::All;
    sim::GateOrder gateOrder = sim::GateOrder::WritebackFirst;
    ThrottleSpec throttle;
    bool allowedToUseSspr = true;             ///< allowedToUseSSPR: false takes SSPR from admins
    bool hashSyncCommitsCloudFailure = true;  ///< after OnPremisesSuccessCloudFailure
    std::string tenantName;                   ///< matched as a substring by Password Protection
    std::string ssprGroup;                    ///< with sspr: selected
    std::map<std::string, std::vector<std::string>> groups;  ///< group -> member groups
    int methodsRequired = 1;
    std::vector<sim::Method> methods = {sim::Method::AppNotification,
                                        sim::Method::AppCode,
                                        sim::Method::Email,
                                        sim::Method::MobilePhone};
    std::vector<std::string> bannedPasswords;
    bool writeback = true;
    bool unlockWithoutReset = false;
    bool ssprPolicyDefined = true;
    bool passwordHashSync = true;
    bool enforceCloudPasswordPolicy = false;
    IdentityProtectionSpec identityProtection;
    std::vector<CloudUserSpec> cloudUsers;
    bool registrationRequired = false;
    bool federatedAdminResetWritesBack = true;

    bool operator==(const TenantSpec&) const = default;
};

// ---- The directory ----------------------------------------------------------------------

/// A password policy in AD terms; durations in seconds.
struct PolicySpec {
    int minLength = 7;
    int history = 0;
    std::int64_t minAgeSeconds = 0;
    std::int64_t maxAgeSeconds = 0;
    bool complexity = true;
    int lockoutThreshold = 0;
    std::int64_t lockoutDurationSeconds = 1800;
    std::int64_t lockoutWindowSeconds = 1800;

    bool operator==(const PolicySpec&) const = default;
};

/// A fine-grained password policy (PSO) and the users it applies to.
struct FineGrainedPolicySpec {
    std::string name;
    PolicySpec policy;
    std::vector<std::string> users;  ///< sAMAccountNames

    bool operator==(const FineGrainedPolicySpec&) const = default;
};

/// The connector account's rights; the default is the documented set (DOMAIN.md §4.1).
struct ConnectorSpec {
    bool resetPassword = true;
    bool writeLockoutTime = true;
    bool writePwdLastSet = true;
    bool unexpirePassword = true;

    bool operator==(const ConnectorSpec&) const = default;
};

struct UserSpec : CloudSideSpec {
    std::string sam;
    std::string upn;
    /// The UPN the cloud knows the user by, when it differs from the on-premises one (an
    /// alternate login ID, or a rename not yet synced). Steps name users by it.
    std::string cloudUpn;
    std::string displayName;
    std::string anchor;  ///< empty: derived from the sam by the directory
    std::string password;
    bool locked = false;
    bool mustChange = false;
    bool disabled = false;
    bool passwordNeverExpires = false;
    bool protectedAccount = false;  ///< adminCount=1 (member of a protected group)
    bool cannotChangePassword = false;
    std::int64_t passwordAgeSeconds = 0;
    bool federated = false;  ///< in a federated domain (AD FS); only admin resets care
    SourcePos where;

    const std::string& signInName() const { return cloudUpn.empty() ? upn : cloudUpn; }

    /// What AD's complexity rule refuses inside this user's password, lower-case: the account
    /// name and the display name's parts of three or more characters (DOMAIN.md §3).
    std::vector<std::string> nameTokensRefusedInPassword() const;

    bool operator==(const UserSpec&) const = default;
};

/// The certificate the directory presents over ldaps (`onprem.tls_certificate`): one the agent
/// can verify against the handshake's CA and host, or one it must refuse.
enum class TlsCertificate {
    Trusted,    ///< "trusted": signed by the handshake's CA, for the directory's host
    OtherCa,    ///< "other_ca": signed by a CA the handshake does not name
    OtherHost,  ///< "other_host": signed by the handshake's CA, for another host name
};

const char* toString(TlsCertificate certificate);
std::optional<TlsCertificate> tlsCertificateFromString(std::string_view name);
std::vector<std::string> tlsCertificateNames();

struct OnPremSpec {
    std::string baseDn = "dc=testlab,dc=example";
    bool tls = false;  ///< the agent connects over ldaps:// with the directory's CA
    TlsCertificate tlsCertificate = TlsCertificate::Trusted;  ///< with tls only
    PolicySpec policy;
    std::vector<FineGrainedPolicySpec> fineGrainedPolicies;
    ConnectorSpec connector;
    std::vector<UserSpec> users;

    bool operator==(const OnPremSpec&) const = default;
};

// ---- Steps ------------------------------------------------------------------------------

struct Detection {
    sim::DetectionType type = sim::DetectionType::LeakedCredentials;
    sim::RiskLevel level = sim::RiskLevel::High;

    bool operator==(const Detection&) const = default;
};

/// How long the user takes in the SSPR portal: the session lasts 15 minutes from the start of
/// the reset, a one-time code 5 minutes from being sent. The lab clock moves by
/// `submittedAfterSeconds` during the step.
struct SsprTiming {
    std::int64_t codeEnteredAfterSeconds = -1;  ///< negative: no emailed or texted code
    std::int64_t submittedAfterSeconds = 0;     ///< from the start of the reset to the submission

    bool operator==(const SsprTiming&) const = default;
};

/// The user resets the password at the SSPR portal (with unlock by default).
struct SsprReset {
    std::string user;  ///< sign-in name (a synced or a cloud-only user)
    std::string newPassword;
    bool unlock = true;
    std::optional<SsprTiming> timing;

    bool operator==(const SsprReset&) const = default;
};

/// The user changes the password with the current one.
struct SsprChange {
    std::string user;
    std::string oldPassword;
    std::string newPassword;

    bool operator==(const SsprChange&) const = default;
};

/// The user changes a password that must be changed (expired or temporary) at sign-in.
struct ForcedChange {
    std::string user;
    std::string oldPassword;
    std::string newPassword;

    bool operator==(const ForcedChange&) const = default;
};

/// An administrator resets the password in the Entra admin center.
struct AdminReset {
    std::string user;  ///< a synced or a cloud-only user
    std::string newPassword;
    bool mustChange = false;
    /// The admin, by sign-in name: "Who can reset passwords" decides, and never their own
    /// account. Empty: the lab's admin, who may reset anyone.
    std::string by;

    bool operator==(const AdminReset&) const = default;
};

/// The user unlocks the account without a reset.
struct Unlock {
    std::string user;

    bool operator==(const Unlock&) const = default;
};

/// An administrator calls Graph resetPassword; the harness polls the operation to its end.
struct GraphReset {
    std::string caller;
    std::string user;
    std::string newPassword;  ///< empty: the service generates one

    bool operator==(const GraphReset&) const = default;
};

/// The user signs in under the tenant's risk policies, ready to change the password.
struct SignIn {
    std::string user;
    std::string password;
    std::string newPassword;  ///< the secure change, if the policy asks for one
    std::optional<Detection> detection;

    bool operator==(const SignIn&) const = default;
};

/// The relay sends an earlier step's request again, byte for byte.
struct Replay {
    int step = 0;  ///< 1-based, counting steps as run

    bool operator==(const Replay&) const = default;
};

/// The relay delivers the request it held at an earlier step.
struct Release {
    int step = 0;

    bool operator==(const Release&) const = default;
};

/// The lab clock (cloud and directory) moves forward.
struct Advance {
    std::int64_t seconds = 0;

    bool operator==(const Advance&) const = default;
};

enum class FaultKind { AgentDown, AgentUp, AgentCrash, DirectoryDown, DirectoryUp };

/// The lab breaks or mends something between operations.
struct Fault {
    FaultKind kind = FaultKind::AgentDown;

    bool operator==(const Fault&) const = default;
};

/// The lab starts a new session with the running agent: a new hello on the same process, as
/// between two scenarios of one worker (protocol v1.1 `rehandshake`). The agent must forget the
/// request ids and the order it saw before.
struct NewSession {
    /// The cloud numbers its requests from the start again, as the next scenario's cloud does:
    /// the new session receives request ids the old one saw.
    bool restartRequestIds = false;

    bool operator==(const NewSession&) const = default;
};

/// An admin reset through a path that never writes back.
struct UnsupportedReset {
    sim::UnsupportedPath path = sim::UnsupportedPath::M365AdminCenter;
    std::string user;
    std::string newPassword;

    bool operator==(const UnsupportedReset&) const = default;
};

enum class SyncKind { Objects, Hashes, All };

/// A sync cycle runs now.
struct Sync {
    SyncKind kind = SyncKind::All;

    bool operator==(const Sync&) const = default;
};

/// The user changes the password on-premises (Ctrl+Alt+Del).
struct OnPremChange {
    std::string sam;
    std::string oldPassword;
    std::string newPassword;

    bool operator==(const OnPremChange&) const = default;
};

/// An administrator disables the account on-premises.
struct OnPremDisable {
    std::string sam;

    bool operator==(const OnPremDisable&) const = default;
};

/// An administrator deletes the account on-premises.
struct OnPremDelete {
    std::string sam;

    bool operator==(const OnPremDelete&) const = default;
};

/// Identity Protection raises a detection for the user.
struct RiskDetection {
    std::string user;
    Detection detection;

    bool operator==(const RiskDetection&) const = default;
};

/// Leaked-credential detection over hash-synced passwords.
struct LeakedCredentials {
    std::vector<std::string> passwords;

    bool operator==(const LeakedCredentials&) const = default;
};

struct DismissRisk {
    std::string user;

    bool operator==(const DismissRisk&) const = default;
};

struct ConfirmCompromised {
    std::string user;

    bool operator==(const ConfirmCompromised&) const = default;
};

/// An administrator changes tenant settings mid-run (writeback off, then on, ...). `tenant` is
/// the whole tenant after the change; `changed` names what the step said, for people.
struct TenantChange {
    TenantSpec tenant;
    std::vector<std::string> changed;  ///< "writeback: true", "throttle", ...

    bool operator==(const TenantChange&) const = default;
};

/// The user registers authentication methods.
struct Register {
    std::string user;
    std::vector<sim::Method> methods;

    bool operator==(const Register&) const = default;
};

using Action = std::variant<SsprReset,
                            SsprChange,
                            ForcedChange,
                            AdminReset,
                            Unlock,
                            GraphReset,
                            SignIn,
                            Replay,
                            Release,
                            Advance,
                            Fault,
                            NewSession,
                            UnsupportedReset,
                            Sync,
                            OnPremChange,
                            OnPremDisable,
                            OnPremDelete,
                            RiskDetection,
                            LeakedCredentials,
                            DismissRisk,
                            ConfirmCompromised,
                            Register,
                            TenantChange>;

/// The key a step is written with: "sspr_reset", "advance", ...
const char* kindName(const Action& action);

/// True for the cloud operations that may send a writeback request to the agent (they may have
/// a relay section and race another event).
bool sendsRequest(const Action& action);

/// What the relay does with a step's request.
enum class RelayMode {
    Deliver,    ///< normally (after the delay)
    Drop,       ///< never: the cloud waits in vain
    Duplicate,  ///< twice: the second copy must be rejected (32003)
    Hold,       ///< not now: the cloud waits in vain; a later `release` step delivers it
};

struct RelaySpec {
    RelayMode mode = RelayMode::Deliver;
    std::int64_t delaySeconds = 0;  ///< the relay holds the request this long, then delivers

    bool operator==(const RelaySpec&) const = default;
};

/// Another event that lands while a step's request is in flight (a race).
struct During {
    enum class Kind { RiskDetection, ConfirmCompromised };
    Kind kind = Kind::RiskDetection;
    Detection detection;  ///< RiskDetection only

    bool operator==(const During&) const = default;
};

// ---- Expectations -----------------------------------------------------------------------

struct AuditExpect {
    std::string activity;
    std::optional<bool> success;  ///< result: success | failure; unset: any

    bool operator==(const AuditExpect&) const = default;
};

/// The riskyUser as Graph shows it; unset fields are not checked.
struct RiskExpect {
    std::string user;  ///< sign-in name
    std::optional<Expectation<sim::RiskLevel>> level;
    std::optional<Expectation<sim::RiskState>> state;
    std::optional<Expectation<sim::RiskDetail>> detail;
    SourcePos where;

    bool operator==(const RiskExpect&) const = default;
};

/// What a step must produce. Each present field becomes a check of its criterion.
struct StepExpect {
    std::optional<Expectation<sim::Outcome>> outcome;
    /// Whether the cloud sent a writeback request for the step (whatever the relay then did):
    /// a gate that refuses sends none, one that admits sends one.
    std::optional<Expectation<bool>> requestSent;
    std::optional<Expectation<sim::SignInOutcome>> signIn;       ///< sign_in steps
    std::optional<Expectation<int>> httpStatus;                  ///< graph_reset steps
    std::optional<Expectation<sim::OperationStatus>> operation;  ///< graph_reset steps
    std::optional<RiskExpect> risk;  ///< the step's user's risk after the step
    std::optional<Expectation<int>> leakedMatches;
    /// The agent's events, in order; [] also holds when no request reached the agent.
    std::optional<Expectation<std::vector<int>>> events;
    std::optional<Expectation<std::vector<int>>> eventsInclude;  ///< each among the events
    std::optional<Expectation<std::vector<int>>> eventsExclude;  ///< none among the events
    std::optional<Expectation<int>> reason;
    std::optional<Expectation<AuditExpect>> audit;
    std::optional<Expectation<bool>> dismissed;  ///< dismiss_risk: whether the cloud did it

    bool operator==(const StepExpect&) const = default;
};

struct Step {
    Action action;
    RelaySpec relay;               ///< cloud operations only
    std::optional<During> during;  ///< cloud operations only
    StepExpect expect;
    SourcePos where;

    bool operator==(const Step&) const = default;
};

/// The truth in the directory after the last step, for one user.
struct DirectoryExpect {
    std::string user;                                              ///< sAMAccountName
    std::optional<Expectation<std::vector<std::string>>> binds;    ///< each of these binds
    std::optional<Expectation<std::vector<std::string>>> rejects;  ///< none of these binds
    std::optional<Expectation<bool>> locked;
    std::optional<Expectation<bool>> mustChange;
    SourcePos where;

    bool operator==(const DirectoryExpect&) const = default;
};

/// Agent capabilities (agent protocol `ready.capabilities`) a scenario may need.
enum class Capability { Reset, Change, AdminReset, UnlockOnly, ForcedChange, Rehandshake };

const char* toString(Capability capability);
std::optional<Capability> capabilityFromString(std::string_view name);
std::vector<std::string> capabilityNames();

/// The capability the step needs from the agent, if any (a new_session needs rehandshake).
std::optional<Capability> capabilityOf(const Action& action);

/// Behaviours of AD that a scenario relies on and that not every directory flavour reproduces
/// (docs/fixture.md, "Where Samba differs from AD"). On a flavour without one, the scenario is
/// unsupported rather than failed: the agent is not to blame for the directory.
enum class DirectoryNeed {
    ResetPolicyHints,      ///< "reset_policy_hints": a reset is held to history and minimum age
    ResetKeepsMustChange,  ///< "reset_keeps_must_change": without Unexpire Password
};

const char* toString(DirectoryNeed need);
std::optional<DirectoryNeed> directoryNeedFromString(std::string_view name);
std::vector<std::string> directoryNeedNames();

const char* toString(FaultKind kind);
const char* toString(SyncKind kind);
const char* toString(RelayMode mode);

/// A behaviour of a criterion that the scenario tests alone: only it can make the scenario fail
/// that criterion's checks, so no other fault masks it (`isolates:`; docs/criteria.md lists
/// them). `fault` names the reference agent's fault that breaks exactly this behaviour, which
/// must fail the scenario under the criterion (a test runs each pair).
struct Isolation {
    std::string criterion;
    std::string behaviour;
    std::string fault;
    SourcePos where;

    bool operator==(const Isolation&) const = default;
};

struct Scenario {
    std::string id;
    std::string title;
    std::string file;
    /// What a support engineer sees (`symptom:`), shown by explain and the reports.
    std::string symptom;
    /// The parts of the scenario that evidence established (`established:`, written by `wblab
    /// import`): "tenant", "policy", "connector", or "user:SAM". `wblab diagnose` tries no cause
    /// that would contradict them.
    std::vector<std::string> established;
    /// The catalog criteria the scenario covers: those it declares and those its expectations
    /// are evidence for.
    std::vector<std::string> criteria;
    std::vector<std::string> tags;
    /// Agent capabilities the scenario needs; an agent that lacks one gets the verdict
    /// "unsupported". Derived from the steps, plus `requires:`.
    std::vector<Capability> requires_;
    /// What the scenario needs the directory to do as AD does. Derived from the policy, the
    /// connector's rights and the expectations, plus `directory_requires:`.
    std::vector<DirectoryNeed> directoryNeeds;
    /// How long the whole scenario may take (seconds); 0: the run's default.
    std::int64_t timeoutSeconds = 0;
    TenantSpec tenant;
    OnPremSpec onprem;
    std::vector<Step> steps;
    std::vector<DirectoryExpect> expectDirectory;
    std::vector<RiskExpect> expectRisk;
    std::vector<Isolation> isolates;

    /// Every password the scenario mentions: reports and logs must never contain any of them.
    std::vector<std::string> secrets() const;

    /// The on-premises user who signs in to the cloud as `signInName`, or null (cloud-only).
    const UserSpec* userSigningInAs(const std::string& signInName) const;

    /// The on-premises user with this sAMAccountName, or null.
    const UserSpec* userWithSam(const std::string& sam) const;

    /// The cloud-only user with this UPN, or null.
    const CloudUserSpec* cloudOnlyUser(const std::string& upn) const;

    /// The tenant as it stands before step `index` (0-based): the last tenant_change before it,
    /// else `tenant`.
    const TenantSpec& tenantBefore(std::size_t index) const;

    bool operator==(const Scenario&) const = default;
};

}  // namespace wblab::scenario
