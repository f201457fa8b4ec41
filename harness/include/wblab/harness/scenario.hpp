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

struct TenantSpec {
    std::string sspr = "all";                                ///< none | selected | all
    std::string ssprGroup;                                   ///< with sspr: selected
    std::map<std::string, std::vector<std::string>> groups;  ///< group -> member groups
    int methodsRequired = 1;
    std::vector<std::string> methods = {"app_notification", "app_code", "email", "mobile_phone"};
    std::vector<std::string> bannedPasswords;
    bool writeback = true;
    bool unlockWithoutReset = false;
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

struct UserSpec {
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
    // Cloud side of the user.
    std::vector<std::string> groups;
    std::vector<std::string> methods = {"email", "mobile_phone"};  ///< registered for SSPR
    std::vector<std::string> adminRoles;
    bool licensed = true;
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

struct StepExpect {
    std::optional<std::string> outcome;
    std::optional<std::vector<int>> events;
    std::optional<int> reason;
    std::optional<AuditExpect> audit;
};

struct Step {
    enum class Kind {
        SsprReset,     ///< self-service reset at the SSPR portal (with unlock by default)
        SsprChange,    ///< self-service change with the current password
        ForcedChange,  ///< change at sign-in of a password that must be changed
        AdminReset,    ///< admin reset from the Entra admin center
        Unlock,        ///< unlock without reset
        Advance,       ///< move the lab clock
        Replay,        ///< the relay sends an earlier step's request again, byte for byte
    };
    Kind kind = Kind::SsprReset;
    std::string user;  ///< UPN, for the cloud operations
    std::string newPassword;
    std::string oldPassword;
    bool unlock = true;
    bool mustChange = false;
    int advanceSeconds = 0;
    int replayOf = 0;           ///< Replay: 1-based number of the step whose request is sent again
    int relayDelaySeconds = 0;  ///< the relay holds the request this long before delivering it
    StepExpect expect;
    SourcePos where;

    bool isCloudOperation() const { return kind != Kind::Advance && kind != Kind::Replay; }
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

    /// Every password the scenario mentions: reports and logs must never contain any of them.
    std::vector<std::string> secrets() const;
};

/// Loads and validates one scenario file.
Expected<Scenario> loadScenario(const std::string& path);

/// Writes the scenario in plain words (setup, steps, expectations); passwords are never shown.
void explainScenario(const Scenario& scenario, std::ostream& out);

/// Expands files and directories (recursively, *.yaml and *.yml, sorted) into scenario paths.
Expected<std::vector<std::string>> collectScenarioFiles(const std::vector<std::string>& paths);

}  // namespace wblab::harness
