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

namespace wblab::scenario {

/// An expected value and the catalog criterion it is evidence for.
template <typename T>
struct Expectation {
    T value{};
    std::string criterion;
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
};

struct IdentityProtectionSpec {
    RiskPolicySpec userRiskPolicy;
    RiskPolicySpec signInRiskPolicy{
        false, false, sim::RiskLevel::Medium, sim::RiskGrant::Mfa, {}, {}};
    bool onPremisesChangeResetsRisk = false;
    bool p2 = true;
};

/// What only the cloud knows of a user: groups, registered methods, roles, licence.
struct CloudSideSpec {
    std::vector<std::string> groups;
    std::vector<sim::Method> methods = {sim::Method::Email, sim::Method::MobilePhone};
    std::vector<std::string> adminRoles;
    bool licensed = true;  ///< Entra ID P1/P2
};

/// A cloud-only account: an administrator calling Graph, or a user with no on-premises password.
struct CloudUserSpec : CloudSideSpec {
    std::string upn;
    SourcePos where;
};

struct TenantSpec {
    sim::SsprScope sspr = sim::SsprScope::All;
    std::string ssprGroup;                                   ///< with sspr: selected
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
};

/// A fine-grained password policy (PSO) and the users it applies to.
struct FineGrainedPolicySpec {
    std::string name;
    PolicySpec policy;
    std::vector<std::string> users;  ///< sAMAccountNames
};

/// The connector account's rights; the default is the documented set (DOMAIN.md §4.1).
struct ConnectorSpec {
    bool resetPassword = true;
    bool writeLockoutTime = true;
    bool writePwdLastSet = true;
    bool unexpirePassword = true;
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
};

struct OnPremSpec {
    std::string baseDn = "dc=testlab,dc=example";
    bool tls = false;  ///< the agent connects over ldaps:// with the directory's CA
    PolicySpec policy;
    std::vector<FineGrainedPolicySpec> fineGrainedPolicies;
    ConnectorSpec connector;
    std::vector<UserSpec> users;
};

// ---- Steps ------------------------------------------------------------------------------

struct Detection {
    sim::DetectionType type = sim::DetectionType::LeakedCredentials;
    sim::RiskLevel level = sim::RiskLevel::High;
};

/// The user resets the password at the SSPR portal (with unlock by default).
struct SsprReset {
    std::string user;  ///< sign-in name
    std::string newPassword;
    bool unlock = true;
};

/// The user changes the password with the current one.
struct SsprChange {
    std::string user;
    std::string oldPassword;
    std::string newPassword;
};

/// The user changes a password that must be changed (expired or temporary) at sign-in.
struct ForcedChange {
    std::string user;
    std::string oldPassword;
    std::string newPassword;
};

/// An administrator resets the password in the Entra admin center.
struct AdminReset {
    std::string user;
    std::string newPassword;
    bool mustChange = false;
};

/// The user unlocks the account without a reset.
struct Unlock {
    std::string user;
};

/// An administrator calls Graph resetPassword; the harness polls the operation to its end.
struct GraphReset {
    std::string caller;
    std::string user;
    std::string newPassword;  ///< empty: the service generates one
};

/// The user signs in under the tenant's risk policies, ready to change the password.
struct SignIn {
    std::string user;
    std::string password;
    std::string newPassword;  ///< the secure change, if the policy asks for one
    std::optional<Detection> detection;
};

/// The relay sends an earlier step's request again, byte for byte.
struct Replay {
    int step = 0;  ///< 1-based, counting steps as run
};

/// The relay delivers the request it held at an earlier step.
struct Release {
    int step = 0;
};

/// The lab clock (cloud and directory) moves forward.
struct Advance {
    std::int64_t seconds = 0;
};

enum class FaultKind { AgentDown, AgentUp, AgentCrash, DirectoryDown, DirectoryUp };

/// The lab breaks or mends something between operations.
struct Fault {
    FaultKind kind = FaultKind::AgentDown;
};

/// An admin reset through a path that never writes back.
struct UnsupportedReset {
    sim::UnsupportedPath path = sim::UnsupportedPath::M365AdminCenter;
    std::string user;
    std::string newPassword;
};

enum class SyncKind { Objects, Hashes, All };

/// A sync cycle runs now.
struct Sync {
    SyncKind kind = SyncKind::All;
};

/// The user changes the password on-premises (Ctrl+Alt+Del).
struct OnPremChange {
    std::string sam;
    std::string oldPassword;
    std::string newPassword;
};

/// An administrator disables the account on-premises.
struct OnPremDisable {
    std::string sam;
};

/// An administrator deletes the account on-premises.
struct OnPremDelete {
    std::string sam;
};

/// Identity Protection raises a detection for the user.
struct RiskDetection {
    std::string user;
    Detection detection;
};

/// Leaked-credential detection over hash-synced passwords.
struct LeakedCredentials {
    std::vector<std::string> passwords;
};

struct DismissRisk {
    std::string user;
};

struct ConfirmCompromised {
    std::string user;
};

/// The user registers authentication methods.
struct Register {
    std::string user;
    std::vector<sim::Method> methods;
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
                            UnsupportedReset,
                            Sync,
                            OnPremChange,
                            OnPremDisable,
                            OnPremDelete,
                            RiskDetection,
                            LeakedCredentials,
                            DismissRisk,
                            ConfirmCompromised,
                            Register>;

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
};

/// Another event that lands while a step's request is in flight (a race).
struct During {
    enum class Kind { RiskDetection, ConfirmCompromised };
    Kind kind = Kind::RiskDetection;
    Detection detection;  ///< RiskDetection only
};

// ---- Expectations -----------------------------------------------------------------------

struct AuditExpect {
    std::string activity;
    std::optional<bool> success;  ///< result: success | failure; unset: any
};

/// The riskyUser as Graph shows it; unset fields are not checked.
struct RiskExpect {
    std::string user;  ///< sign-in name
    std::optional<Expectation<sim::RiskLevel>> level;
    std::optional<Expectation<sim::RiskState>> state;
    std::optional<Expectation<sim::RiskDetail>> detail;
    SourcePos where;
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
    std::optional<Expectation<std::vector<int>>> events;  ///< the agent's events, in order
    std::optional<Expectation<int>> reason;
    std::optional<Expectation<AuditExpect>> audit;
};

struct Step {
    Action action;
    RelaySpec relay;               ///< cloud operations only
    std::optional<During> during;  ///< cloud operations only
    StepExpect expect;
    SourcePos where;
};

/// The truth in the directory after the last step, for one user.
struct DirectoryExpect {
    std::string user;                                              ///< sAMAccountName
    std::optional<Expectation<std::vector<std::string>>> binds;    ///< each of these binds
    std::optional<Expectation<std::vector<std::string>>> rejects;  ///< none of these binds
    std::optional<Expectation<bool>> locked;
    std::optional<Expectation<bool>> mustChange;
    SourcePos where;
};

/// Agent capabilities (agent protocol `ready.capabilities`) a scenario may need.
enum class Capability { Reset, Change, AdminReset, UnlockOnly, ForcedChange };

const char* toString(Capability capability);
std::optional<Capability> capabilityFromString(std::string_view name);
std::vector<std::string> capabilityNames();

/// The capability the step's operation needs from the agent, if any.
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

    /// Every password the scenario mentions: reports and logs must never contain any of them.
    std::vector<std::string> secrets() const;

    /// The on-premises user who signs in to the cloud as `signInName`, or null (cloud-only).
    const UserSpec* userSigningInAs(const std::string& signInName) const;

    /// The on-premises user with this sAMAccountName, or null.
    const UserSpec* userWithSam(const std::string& sam) const;
};

}  // namespace wblab::scenario
