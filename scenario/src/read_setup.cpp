// The tenant and the on-premises directory of a scenario (`tenant:`, `onprem:`).
#include "loading.hpp"

#include <wblab/support/secrets.hpp>
#include <wblab/support/utf8.hpp>

#include <algorithm>
#include <sstream>

namespace wblab::scenario::detail {

namespace {

// The cloud's limit: 256 characters (agent protocol v2 carries them; a v1 agent, 190 bytes, gets
// the verdict unsupported for a scenario whose passwords do not fit).
constexpr std::size_t kMaxPasswordCharacters = 256;

// The lab searches the agent's log for every password of a scenario and redacts them from
// every output: a shorter one would be found in ordinary text.
constexpr std::size_t kMinPasswordCharacters = kMinSecretBytes;

bool validPassword(const std::string& pw) {
    auto characters = utf8Characters(pw);
    return characters && *characters >= kMinPasswordCharacters &&
           *characters <= kMaxPasswordCharacters;
}

const std::string kPasswordRule =
    "a password is " + std::to_string(kMinPasswordCharacters) +
    " to 256 characters of UTF-8: at most the cloud's limit, and at least enough to tell it "
    "apart from ordinary text (the lab searches the agent's log for every password and hides "
    "them from its reports)";

std::vector<sim::Method> readMethods(const Reader& r,
                                     const YAML::Node& list,
                                     const std::string& path) {
    return r.listOf<sim::Method>(list, path, sim::methodFromString, sim::methodNames());
}

RiskPolicySpec readRiskPolicy(const Reader& r,
                              const YAML::Node& node,
                              const std::string& path,
                              RiskPolicySpec policy,
                              const std::vector<std::string>& grants) {
    r.checkKeys(
        node,
        path,
        {"enabled", "report_only", "threshold", "grant", "include_groups", "exclude_groups"});
    policy.enabled = true;  // a policy that is written down is on unless it says otherwise
    if (node["enabled"]) {
        policy.enabled = r.boolean(node["enabled"], path + ".enabled");
    }
    if (node["report_only"]) {
        policy.reportOnly = r.boolean(node["report_only"], path + ".report_only");
    }
    if (node["threshold"]) {
        policy.threshold = r.oneOf<sim::RiskLevel>(node["threshold"],
                                                   path + ".threshold",
                                                   sim::riskLevelFromString,
                                                   {"low", "medium", "high"});
        if (policy.threshold == sim::RiskLevel::None) {
            r.fail(node["threshold"], path + ".threshold", "expected low, medium or high");
        }
    }
    if (node["grant"]) {
        auto parse = [&](std::string_view name) -> std::optional<sim::RiskGrant> {
            if (std::find(grants.begin(), grants.end(), name) == grants.end()) {
                return std::nullopt;
            }
            return sim::riskGrantFromString(name);
        };
        policy.grant = r.oneOf<sim::RiskGrant>(node["grant"], path + ".grant", parse, grants);
    }
    if (node["include_groups"]) {
        policy.includeGroups = r.strings(node["include_groups"], path + ".include_groups");
    }
    if (node["exclude_groups"]) {
        policy.excludeGroups = r.strings(node["exclude_groups"], path + ".exclude_groups");
    }
    return policy;
}

IdentityProtectionSpec readIdentityProtection(const Reader& r,
                                              const YAML::Node& node,
                                              const std::string& path,
                                              IdentityProtectionSpec ip) {
    r.checkKeys(
        node,
        path,
        {"user_risk_policy", "sign_in_risk_policy", "on_premises_change_resets_risk", "p2"});
    if (node["user_risk_policy"]) {
        ip.userRiskPolicy = readRiskPolicy(r,
                                           node["user_risk_policy"],
                                           path + ".user_risk_policy",
                                           ip.userRiskPolicy,
                                           {"password_change", "block"});
    }
    if (node["sign_in_risk_policy"]) {
        ip.signInRiskPolicy = readRiskPolicy(r,
                                             node["sign_in_risk_policy"],
                                             path + ".sign_in_risk_policy",
                                             ip.signInRiskPolicy,
                                             {"mfa", "block"});
    }
    if (node["on_premises_change_resets_risk"]) {
        ip.onPremisesChangeResetsRisk = r.boolean(node["on_premises_change_resets_risk"],
                                                  path + ".on_premises_change_resets_risk");
    }
    if (node["p2"]) {
        ip.p2 = r.boolean(node["p2"], path + ".p2");
    }
    return ip;
}

std::string readUpn(const Reader& r, const YAML::Node& node, const std::string& path) {
    std::string upn = r.string(node, path);
    if (upn.find('@') == std::string::npos) {
        r.fail(node, path, "a userPrincipalName looks like name@domain");
    }
    return upn;
}

std::vector<CloudUserSpec> readCloudUsers(const Reader& r, const YAML::Node& node) {
    r.requireList(node, "tenant.cloud_users", "cloud-only users");
    std::vector<CloudUserSpec> users;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto& u = node[i];
        const std::string path = indexPath("tenant.cloud_users", i);
        r.checkKeys(
            u,
            path,
            {"upn", "groups", "methods", "admin_roles", "licensed", "given_name", "surname"});
        r.require(u, path, {"upn"});
        CloudUserSpec spec;
        spec.where = r.pos(u);
        spec.upn = readUpn(r, u["upn"], path + ".upn");
        readCloudSide(r, u, path, spec);
        users.push_back(std::move(spec));
    }
    return users;
}

/// The Authenticator app cannot be the only method, nor carry a two-method policy alone
/// (DOMAIN.md §6.1).
void checkMethodMix(const Reader& r,
                    const YAML::Node& node,
                    const std::string& path,
                    const TenantSpec& t) {
    auto isApp = [](sim::Method m) {
        return m == sim::Method::AppNotification || m == sim::Method::AppCode;
    };
    const auto others =
        std::count_if(t.methods.begin(), t.methods.end(), [&](sim::Method m) { return !isApp(m); });
    const bool anyApp = std::any_of(t.methods.begin(), t.methods.end(), isApp);
    if (t.methods.empty() || (anyApp && others == 0)) {
        r.fail(node, path, "the Authenticator app cannot be the only method (DOMAIN.md §6.1)");
    }
    if (anyApp && others < t.methodsRequired) {
        r.fail(node,
               path,
               "with the Authenticator app and " + std::to_string(t.methodsRequired) +
                   " methods required, allow at least " + std::to_string(t.methodsRequired) +
                   " other methods (DOMAIN.md §6.1)");
    }
}

void readSsprScope(const Reader& r,
                   const YAML::Node& node,
                   const std::string& path,
                   TenantSpec& t) {
    if (node["sspr_group"]) {
        if (!node["sspr_group"].IsScalar()) {
            r.fail(node["sspr_group"],
                   path + ".sspr_group",
                   "SSPR can be scoped to exactly one group (nested groups count)");
        }
        t.ssprGroup = node["sspr_group"].Scalar();
    }
    if (node["sspr"]) {
        t.sspr = r.oneOf<sim::SsprScope>(
            node["sspr"], path + ".sspr", sim::ssprScopeFromString, sim::ssprScopeNames());
    }
    if (t.sspr == sim::SsprScope::Selected && t.ssprGroup.empty()) {
        r.fail(node, path, "sspr: selected needs sspr_group (the one group it applies to)");
    }
    if (node["groups"]) {
        r.requireMap(node["groups"], path + ".groups");
        for (const auto& kv : node["groups"]) {
            const std::string name = r.string(kv.first, path + ".groups");
            t.groups[name] = r.strings(kv.second, path + ".groups." + name);
        }
    }
}

/// `throttle: {attempts, window, blocked_for, counters_reset_on_success}` over `base`.
ThrottleSpec readThrottle(const Reader& r,
                          const YAML::Node& node,
                          const std::string& path,
                          ThrottleSpec t) {
    r.checkKeys(node, path, {"attempts", "window", "blocked_for", "counters_reset_on_success"});
    if (node["attempts"]) {
        t.attempts = r.smallInteger(node["attempts"], path + ".attempts", 1, 100);
    }
    for (const auto& [key, field] : {std::pair{"window", &ThrottleSpec::windowSeconds},
                                     std::pair{"blocked_for", &ThrottleSpec::blockedForSeconds}}) {
        if (node[key]) {
            t.*field = r.duration(node[key], path + "." + key);
            if (t.*field == 0) {
                r.fail(node[key], path + "." + key, "give a duration of more than 0");
            }
        }
    }
    if (node["counters_reset_on_success"]) {
        t.countersResetOnSuccess =
            r.boolean(node["counters_reset_on_success"], path + ".counters_reset_on_success");
    }
    return t;
}

// Password Protection's custom list: "The minimum string length is four characters, and the
// maximum is 16 characters." "The custom banned password list can contain up to 1000 terms."
// (tutorial-configure-custom-password-protection)
constexpr std::size_t kMaxBannedTerms = 1000;
constexpr std::size_t kMinBannedTermCharacters = 4;
constexpr std::size_t kMaxBannedTermCharacters = 16;

std::vector<std::string> readBannedTerms(const Reader& r,
                                         const YAML::Node& node,
                                         const std::string& path) {
    auto terms = r.strings(node, path);
    if (terms.size() > kMaxBannedTerms) {
        r.fail(node,
               path,
               "the custom banned password list holds at most 1000 terms (it has " +
                   std::to_string(terms.size()) + ")");
    }
    for (std::size_t i = 0; i < terms.size(); ++i) {
        const auto characters = utf8Characters(terms[i]).value_or(0);
        if (characters < kMinBannedTermCharacters || characters > kMaxBannedTermCharacters) {
            r.fail(node[i],
                   indexPath(path, i),
                   "a custom banned term is 4 to 16 characters (the custom banned password "
                   "list's limits)");
        }
    }
    return terms;
}

/// The tenant's yes/no settings, key by key.
void readTenantSwitches(const Reader& r,
                        const YAML::Node& node,
                        const std::string& path,
                        TenantSpec& t) {
    const std::pair<const char*, bool TenantSpec::*> switches[] = {
        {"allowed_to_use_sspr", &TenantSpec::allowedToUseSspr},
        {"hash_sync_commits_cloud_failure", &TenantSpec::hashSyncCommitsCloudFailure},
        {"registration_required", &TenantSpec::registrationRequired},
        {"federated_admin_reset_writeback", &TenantSpec::federatedAdminResetWritesBack},
        {"sspr_policy_defined", &TenantSpec::ssprPolicyDefined},
        {"password_hash_sync", &TenantSpec::passwordHashSync},
        {"enforce_cloud_password_policy", &TenantSpec::enforceCloudPasswordPolicy},
        {"unlock_without_reset", &TenantSpec::unlockWithoutReset},
        {"writeback", &TenantSpec::writeback},
    };
    for (const auto& [key, field] : switches) {
        if (node[key]) {
            t.*field = r.boolean(node[key], path + "." + key);
        }
    }
}

/// The settings that are neither switches nor the SSPR scope.
void readTenantValues(const Reader& r,
                      const YAML::Node& node,
                      const std::string& path,
                      TenantSpec& t) {
    if (node["gate_order"]) {
        t.gateOrder = r.oneOf<sim::GateOrder>(node["gate_order"],
                                              path + ".gate_order",
                                              sim::gateOrderFromString,
                                              sim::gateOrderNames());
    }
    if (node["throttle"]) {
        t.throttle = readThrottle(r, node["throttle"], path + ".throttle", t.throttle);
    }
    if (node["tenant_name"]) {
        t.tenantName = r.string(node["tenant_name"], path + ".tenant_name");
    }
    if (node["identity_protection"]) {
        t.identityProtection = readIdentityProtection(
            r, node["identity_protection"], path + ".identity_protection", t.identityProtection);
    }
    if (node["methods_required"]) {
        t.methodsRequired =
            r.smallInteger(node["methods_required"], path + ".methods_required", 1, 2);
    }
    if (node["methods"]) {
        t.methods = readMethods(r, node["methods"], path + ".methods");
    }
    if (node["methods"] || node["methods_required"]) {
        const auto& at = node["methods"] ? node["methods"] : node["methods_required"];
        checkMethodMix(r, at, path + ".methods", t);
    }
    if (node["banned_passwords"]) {
        t.bannedPasswords =
            readBannedTerms(r, node["banned_passwords"], path + ".banned_passwords");
    }
}

/// Every setting `node` gives, over what `t` holds.
void readTenantSettings(const Reader& r,
                        const YAML::Node& node,
                        const std::string& path,
                        TenantSpec& t) {
    readTenantSwitches(r, node, path, t);
    readSsprScope(r, node, path, t);
    readTenantValues(r, node, path, t);
}

const std::vector<std::string> kTenantSettings = {"sspr",
                                                  "sspr_group",
                                                  "groups",
                                                  "methods_required",
                                                  "methods",
                                                  "banned_passwords",
                                                  "writeback",
                                                  "unlock_without_reset",
                                                  "sspr_policy_defined",
                                                  "password_hash_sync",
                                                  "enforce_cloud_password_policy",
                                                  "identity_protection",
                                                  "registration_required",
                                                  "federated_admin_reset_writeback",
                                                  "gate_order",
                                                  "throttle",
                                                  "allowed_to_use_sspr",
                                                  "hash_sync_commits_cloud_failure",
                                                  "tenant_name"};

}  // namespace

void readCloudSide(const Reader& r,
                   const YAML::Node& u,
                   const std::string& path,
                   CloudSideSpec& spec) {
    if (u["groups"]) {
        spec.groups = r.strings(u["groups"], path + ".groups");
    }
    if (u["methods"]) {
        spec.methods = readMethods(r, u["methods"], path + ".methods");
    }
    if (u["admin_roles"]) {
        spec.adminRoles = r.strings(u["admin_roles"], path + ".admin_roles");
    }
    if (u["licensed"]) {
        spec.licensed = r.boolean(u["licensed"], path + ".licensed");
    }
    if (u["given_name"]) {
        spec.givenName = r.string(u["given_name"], path + ".given_name");
    }
    if (u["surname"]) {
        spec.surname = r.string(u["surname"], path + ".surname");
    }
}

std::string numbered(const std::string& pattern, int n) {
    std::string out = pattern;
    for (auto at = out.find("{n}"); at != std::string::npos; at = out.find("{n}", at)) {
        out.replace(at, 3, std::to_string(n));
    }
    return out;
}

std::string readPassword(const Reader& r, const YAML::Node& node, const std::string& path) {
    std::string pw = r.string(node, path);
    if (!validPassword(pw)) {
        r.fail(node, path, kPasswordRule);
    }
    return pw;
}

std::vector<std::string> readPasswords(const Reader& r,
                                       const YAML::Node& node,
                                       const std::string& path) {
    r.requireList(node, path, "passwords");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
        out.push_back(readPassword(r, node[i], indexPath(path, i)));
    }
    return out;
}

std::string readPasswordPattern(const Reader& r,
                                const YAML::Node& node,
                                const std::string& path,
                                int largest) {
    std::string pattern = r.string(node, path);
    if (pattern.find("{n}") == std::string::npos) {
        r.fail(node, path, "expected a password pattern with {n} (the user's number) in it");
    }
    if (!validPassword(numbered(pattern, largest))) {
        r.fail(node, path, kPasswordRule);
    }
    return pattern;
}

TenantSpec readTenant(const Reader& r, const YAML::Node& node) {
    auto keys = kTenantSettings;
    keys.emplace_back("cloud_users");
    r.checkKeys(node, "tenant", keys);
    TenantSpec t;
    readTenantSettings(r, node, "tenant", t);
    if (node["cloud_users"]) {
        t.cloudUsers = readCloudUsers(r, node["cloud_users"]);
    }
    return t;
}

TenantSpec readTenantChange(const Reader& r,
                            const YAML::Node& node,
                            const std::string& path,
                            TenantSpec base) {
    r.requireMap(node, path);
    if (node["cloud_users"]) {
        r.fail(node["cloud_users"],
               path + ".cloud_users",
               "a tenant change changes settings, not accounts: give every cloud-only user in "
               "tenant.cloud_users");
    }
    r.checkKeys(node, path, kTenantSettings);
    if (node.size() == 0) {
        r.fail(node, path, "say which settings change, e.g. {writeback: false}");
    }
    readTenantSettings(r, node, path, base);
    return base;
}

}  // namespace wblab::scenario::detail
