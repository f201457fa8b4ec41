#pragma once
// File: scenario.hpp
//
// The scenario model (docs/scenario-language.md) and its loader. A scenario says what the cloud
// tenant and the on-premises directory look like, which operations happen, and what must be true
// afterwards. The loader rejects unknown keys, wrong types and bad references with
// file:line:column and the key path.
//
//   auto scenario = loadScenario("scenarios/conformance/0001_sspr_reset_synced_user.yaml");
//   if (!scenario) { std::cerr << scenario.error().describe() << "\n"; return 2; }

#include <wblab/support/expected.hpp>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace wblab::harness {

/// A Conditional Access risk policy (DOMAIN.md §7.2).
struct RiskPolicySpec {
    bool enabled = false;
    bool reportOnly = false;
    std::string threshold = "high";         ///< low | medium | high
    std::string grant = "password_change";  ///< password_change | block | mfa
    std::vector<std::string> includeGroups;
    std::vector<std::string> excludeGroups;
};

struct IdentityProtectionSpec {
    RiskPolicySpec userRiskPolicy;
    RiskPolicySpec signInRiskPolicy{false, false, "medium", "mfa", {}, {}};
    bool onPremisesChangeResetsRisk = false;
    bool p2 = true;
};

/// What only the cloud knows of a user: groups, registered methods, roles, licence.
struct CloudSideSpec {
    std::vector<std::string> groups;
    std::vector<std::string> methods = {"email", "mobile_phone"};  ///< registered for SSPR
    std::vector<std::string> adminRoles;
    bool licensed = true;  ///< Entra ID P1/P2
};

/// A cloud-only account: an administrator calling Graph, or a user with no on-premises password.
struct CloudUserSpec : CloudSideSpec {
    std::string upn;
    SourcePos where;
};

struct TenantSpec {
    std::string sspr = "all";                                ///< none | selected | all
    std::string ssprGroup;                                   ///< with sspr: selected
    std::map<std::string, std::vector<std::string>> groups;  ///< group -> member groups
    int methodsRequired = 1;
    std::vector<std::string> methods = {"app_notification", "app_code", "email", "mobile_phone"};
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

struct PolicySpec {
    int minLength = 7;
    int history = 0;
    int minAgeSeconds = 0;
    int maxAgeSeconds = 0;
    bool complexity = true;
    int lockoutThreshold = 0;
    int lockoutDurationSeconds = 1800;
    int lockoutWindowSeconds = 1800;
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

    const std::string& signInName() const { return cloudUpn.empty() ? upn : cloudUpn; }

    std::string displayName;
    std::string anchor;
    std::string password;
    bool locked = false;
    bool mustChange = false;
    bool disabled = false;
    bool passwordNeverExpires = false;
    bool protectedAccount = false;  ///< adminCount=1 (member of a protected group)
    bool cannotChangePassword = false;
    int passwordAgeSeconds = 0;
    bool federated = false;  ///< in a federated domain (AD FS); only admin resets care
    SourcePos where;
};

struct OnPremSpec {
    std::string baseDn = "dc=testlab,dc=example";
    bool tls = false;  ///< the agent connects over ldaps:// with the fixture's CA
    PolicySpec policy;
    std::vector<FineGrainedPolicySpec> fineGrainedPolicies;
    ConnectorSpec connector;
    std::vector<UserSpec> users;
};

struct AuditExpect {
    std::string activity;
    std::optional<std::string> result;
};

/// The riskyUser as Graph shows it; unset fields are not checked.
struct RiskExpect {
    std::string user;  ///< sign-in name
    std::optional<std::string> level;
    std::optional<std::string> state;
    std::optional<std::string> detail;
    SourcePos where;
};

struct StepExpect {
    std::optional<std::string> outcome;
    std::optional<std::string> signIn;     ///< sign_in steps: the sign-in outcome
    std::optional<int> httpStatus;         ///< graph_reset: the HTTP status of the call
    std::optional<std::string> operation;  ///< graph_reset: the operation's final status
    std::optional<RiskExpect> risk;        ///< the step's user's risk after the step
    std::optional<int> leakedMatches;      ///< leaked_credentials: how many users matched
    std::optional<std::vector<int>> events;
    std::optional<int> reason;
    std::optional<AuditExpect> audit;
};

struct Step {
    enum class Kind {
        SsprReset,           ///< self-service reset at the SSPR portal (with unlock by default)
        SsprChange,          ///< self-service change with the current password
        ForcedChange,        ///< change at sign-in of a password that must be changed
        AdminReset,          ///< admin reset from the Entra admin center
        Unlock,              ///< unlock without reset
        Advance,             ///< move the lab clock
        Replay,              ///< the relay sends an earlier step's request again, byte for byte
        GraphReset,          ///< admin reset through Graph resetPassword, polled to the end
        UnsupportedReset,    ///< a reset through a path that never writes back
        Sync,                ///< a sync cycle now: objects, hashes or both
        OnPremChange,        ///< the user changes their password on-premises (Ctrl+Alt+Del)
        OnPremDisable,       ///< an administrator disables the account on-premises
        OnPremDelete,        ///< an administrator deletes the account on-premises
        RiskDetection,       ///< Identity Protection raises a detection for the user
        LeakedCredentials,   ///< leaked-credential detection over hash-synced passwords
        SignIn,              ///< the user signs in under the tenant's risk policies
        DismissRisk,         ///< an administrator dismisses the user's risk
        ConfirmCompromised,  ///< an administrator confirms the user compromised
        Register,            ///< the user registers authentication methods
        Fault,               ///< the lab breaks or mends something (fault_steps.hpp: Fault)
        Release,             ///< the relay delivers the request it held at an earlier step
    };
    /// What the relay does with this step's request (faults; docs/scenario-language.md).
    enum class Relay {
        Deliver,    ///< normally (after relayDelaySeconds)
        Drop,       ///< never: the cloud waits in vain
        Duplicate,  ///< twice: the second copy must be rejected (32003)
        Hold,       ///< not now: the cloud waits in vain; a later `release` step delivers it
    };
    enum class Fault { AgentDown, AgentUp, AgentCrash, DirectoryDown, DirectoryUp };
    Kind kind = Kind::SsprReset;
    std::string user;  ///< UPN, for the cloud operations
    std::string newPassword;
    std::string oldPassword;
    bool unlock = true;
    bool mustChange = false;
    int advanceSeconds = 0;
    int replayOf = 0;           ///< Replay: 1-based number of the step whose request is sent again
    int relayDelaySeconds = 0;  ///< the relay holds the request this long before delivering it
    std::string caller;         ///< GraphReset: the calling administrator's UPN
    std::string path;           ///< UnsupportedReset: m365_admin_center | powershell | ...
    std::string syncKind;       ///< Sync: objects | hashes | all
    std::string detectionType;  ///< RiskDetection, and SignIn's optional sign-in detection
    std::string detectionLevel;
    std::vector<std::string> leakedPasswords;
    std::vector<std::string> methods;  ///< Register: the methods registered
    /// While this step's request is in flight, another event lands (a race): a detection
    /// (`detectionType`) or an admin's confirmation of compromise.
    std::string during;  ///< "" | risk_detection | confirm_compromised
    std::string duringType;
    std::string duringLevel;
    Relay relay = Relay::Deliver;
    Fault fault = Fault::AgentDown;  ///< Fault
    int releaseOf = 0;               ///< Release: 1-based number of the step whose request was held
    StepExpect expect;
    SourcePos where;

    /// Steps that may send a writeback request (and so may have a relay section).
    bool isCloudOperation() const {
        return kind == Kind::SsprReset || kind == Kind::SsprChange || kind == Kind::ForcedChange ||
               kind == Kind::AdminReset || kind == Kind::Unlock || kind == Kind::GraphReset ||
               kind == Kind::SignIn;
    }
};

struct DirectoryExpect {
    std::string user;  ///< sAMAccountName
    std::vector<std::string> binds;
    std::vector<std::string> rejects;
    std::optional<bool> locked;
    std::optional<bool> mustChange;
    SourcePos where;
};

struct Scenario {
    std::string id;
    std::string title;
    std::string file;
    std::vector<std::string> criteria;
    std::vector<std::string> tags;
    /// Agent capabilities the scenario needs (from ready.capabilities); an agent that lacks one
    /// gets the verdict "unsupported". Derived from the steps unless given.
    std::vector<std::string> requires_;
    /// How long the whole scenario may take (seconds); 0: the run's default.
    int timeoutSeconds = 0;
    TenantSpec tenant;
    OnPremSpec onprem;
    std::vector<Step> steps;
    std::vector<DirectoryExpect> expectDirectory;
    std::vector<RiskExpect> expectRisk;

    /// Every password the scenario mentions: reports and logs must never contain any of them.
    std::vector<std::string> secrets() const;
};

/// Loads and validates one scenario file: one scenario, or one per row of its `matrix:` (ids
/// like `0042_x[min_length=8]`). `include:` files are merged in first.
Expected<std::vector<Scenario>> loadScenarios(const std::string& path);

/// Loads a file that holds exactly one scenario (no matrix, or a matrix of one row).
Expected<Scenario> loadScenario(const std::string& path);

/// Writes the scenario in plain words (setup, steps, expectations); passwords are never shown.
void explainScenario(const Scenario& scenario, std::ostream& out);

/// Expands files and directories (recursively, *.yaml and *.yml, sorted) into scenario paths.
/// Inside directories, files whose name starts with '_' are shared setup, not scenarios.
Expected<std::vector<std::string>> collectScenarioFiles(const std::vector<std::string>& paths);

}  // namespace wblab::harness
