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

IdentityProtectionSpec readIdentityProtection(const Reader& r, const YAML::Node& node) {
    const std::string path = "tenant.identity_protection";
    r.checkKeys(
        node,
        path,
        {"user_risk_policy", "sign_in_risk_policy", "on_premises_change_resets_risk", "p2"});
    IdentityProtectionSpec ip;
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
        r.checkKeys(u, path, {"upn", "groups", "methods", "admin_roles", "licensed"});
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
void checkMethodMix(const Reader& r, const YAML::Node& node, const TenantSpec& t) {
    auto isApp = [](sim::Method m) {
        return m == sim::Method::AppNotification || m == sim::Method::AppCode;
    };
    const auto others =
        std::count_if(t.methods.begin(), t.methods.end(), [&](sim::Method m) { return !isApp(m); });
    const bool anyApp = std::any_of(t.methods.begin(), t.methods.end(), isApp);
    if (t.methods.empty() || (anyApp && others == 0)) {
        r.fail(node,
               "tenant.methods",
               "the Authenticator app cannot be the only method (DOMAIN.md §6.1)");
    }
    if (anyApp && others < t.methodsRequired) {
        r.fail(node,
               "tenant.methods",
               "with the Authenticator app and " + std::to_string(t.methodsRequired) +
                   " methods required, allow at least " + std::to_string(t.methodsRequired) +
                   " other methods (DOMAIN.md §6.1)");
    }
}

void readSsprScope(const Reader& r, const YAML::Node& node, TenantSpec& t) {
    if (node["sspr_group"]) {
        if (!node["sspr_group"].IsScalar()) {
            r.fail(node["sspr_group"],
                   "tenant.sspr_group",
                   "SSPR can be scoped to exactly one group (nested groups count)");
        }
        t.ssprGroup = node["sspr_group"].Scalar();
    }
    if (node["sspr"]) {
        t.sspr = r.oneOf<sim::SsprScope>(
            node["sspr"], "tenant.sspr", sim::ssprScopeFromString, sim::ssprScopeNames());
    }
    if (t.sspr == sim::SsprScope::Selected && t.ssprGroup.empty()) {
        r.fail(node, "tenant", "sspr: selected needs sspr_group (the one group it applies to)");
    }
    if (node["groups"]) {
        r.requireMap(node["groups"], "tenant.groups");
        for (const auto& kv : node["groups"]) {
            const std::string name = r.string(kv.first, "tenant.groups");
            t.groups[name] = r.strings(kv.second, "tenant.groups." + name);
        }
    }
}

/// The tenant's yes/no settings, key by key.
void readTenantSwitches(const Reader& r, const YAML::Node& node, TenantSpec& t) {
    const std::pair<const char*, bool TenantSpec::*> switches[] = {
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
            t.*field = r.boolean(node[key], std::string("tenant.") + key);
        }
    }
}

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
    r.checkKeys(node,
                "tenant",
                {"sspr",
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
                 "cloud_users",
                 "registration_required",
                 "federated_admin_reset_writeback"});
    TenantSpec t;
    readTenantSwitches(r, node, t);
    readSsprScope(r, node, t);
    if (node["identity_protection"]) {
        t.identityProtection = readIdentityProtection(r, node["identity_protection"]);
    }
    if (node["cloud_users"]) {
        t.cloudUsers = readCloudUsers(r, node["cloud_users"]);
    }
    if (node["methods_required"]) {
        t.methodsRequired =
            r.smallInteger(node["methods_required"], "tenant.methods_required", 1, 2);
    }
    if (node["methods"]) {
        t.methods = readMethods(r, node["methods"], "tenant.methods");
        checkMethodMix(r, node["methods"], t);
    }
    if (node["banned_passwords"]) {
        t.bannedPasswords = r.strings(node["banned_passwords"], "tenant.banned_passwords");
    }
    return t;
}

}  // namespace wblab::scenario::detail
