// Scenario loading with yaml-cpp. yaml-cpp exceptions stop at this file's boundary and become
// Errors with a 1-based file:line:column.
#include "fault_names.hpp"

#include <wblab/harness/catalog.hpp>
#include <wblab/harness/scenario.hpp>
#include <wblab/sim/cloud.hpp>
#include <wblab/support/files.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace wblab::harness {

namespace {

constexpr std::size_t kMaxScenarioBytes = 1 << 20;

struct LoadError {
    SourcePos where;
    std::string message;
};

class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    SourcePos pos(const YAML::Node& node) const {
        auto mark = node.Mark();
        return SourcePos{file_, mark.line + 1, mark.column + 1};
    }

    [[noreturn]] void fail(const YAML::Node& node,
                           const std::string& path,
                           const std::string& message) const {
        throw LoadError{pos(node), (path.empty() ? "" : path + ": ") + message};
    }

    void requireMap(const YAML::Node& node, const std::string& path) const {
        if (!node.IsMap()) {
            fail(node, path, "expected a mapping");
        }
    }

    void checkKeys(const YAML::Node& node,
                   const std::string& path,
                   std::initializer_list<const char*> allowed) const {
        checkKeys(node, path, std::vector<const char*>(allowed));
    }

    void checkKeys(const YAML::Node& node,
                   const std::string& path,
                   const std::vector<const char*>& allowed) const {
        requireMap(node, path);
        for (const auto& kv : node) {
            if (!kv.first.IsScalar()) {
                fail(kv.first, path, "keys must be plain strings");
            }
            const auto key = kv.first.Scalar();
            bool known = std::any_of(
                allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
            if (!known) {
                std::string list;
                for (const char* a : allowed) {
                    list += list.empty() ? "" : ", ";
                    list += a;
                }
                fail(kv.first, join(path, key), "unknown key (expected one of: " + list + ")");
            }
        }
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

    std::string string(const YAML::Node& node, const std::string& path) const {
        if (!node.IsScalar()) {
            fail(node, path, "expected a string");
        }
        return node.Scalar();
    }

    int integer(const YAML::Node& node, const std::string& path, int min, int max) const {
        if (!node.IsScalar()) {
            fail(node, path, "expected an integer");
        }
        int value = 0;
        if (!YAML::convert<int>::decode(node, value)) {
            fail(node, path, "expected an integer, got '" + node.Scalar() + "'");
        }
        if (value < min || value > max) {
            fail(node,
                 path,
                 "must be between " + std::to_string(min) + " and " + std::to_string(max));
        }
        return value;
    }

    bool boolean(const YAML::Node& node, const std::string& path) const {
        bool value = false;
        if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
            fail(node, path, "expected true or false");
        }
        return value;
    }

    /// Seconds, written as an integer or with a unit: "90s", "30m", "12h", "2d".
    int duration(const YAML::Node& node, const std::string& path) const {
        const std::string text = string(node, path);
        if (text.empty()) {
            fail(node, path, "expected a duration such as 30m or 2d");
        }
        char unit = text.back();
        int factor = 1;
        std::string digits = text;
        if (std::isalpha(static_cast<unsigned char>(unit)) != 0) {
            digits.pop_back();
            switch (unit) {
                case 's':
                    factor = 1;
                    break;
                case 'm':
                    factor = 60;
                    break;
                case 'h':
                    factor = 3600;
                    break;
                case 'd':
                    factor = 86400;
                    break;
                default:
                    fail(node,
                         path,
                         "unknown duration unit '" + std::string(1, unit) +
                             "' (expected s, m, h or d)");
            }
        }
        if (digits.empty() || digits.size() > 9 ||
            !std::all_of(digits.begin(), digits.end(), [](unsigned char c) {
                return std::isdigit(c) != 0;
            })) {
            fail(node, path, "expected a duration such as 30m or 2d, got '" + text + "'");
        }
        long long value = std::stoll(digits) * factor;
        if (value > 10LL * 365 * 86400) {
            fail(node, path, "duration longer than ten years");
        }
        return static_cast<int>(value);
    }

    std::vector<std::string> strings(const YAML::Node& node, const std::string& path) const {
        if (!node.IsSequence()) {
            fail(node, path, "expected a list of strings");
        }
        std::vector<std::string> out;
        for (std::size_t i = 0; i < node.size(); ++i) {
            out.push_back(string(node[i], path + "[" + std::to_string(i) + "]"));
        }
        return out;
    }

    std::vector<int> integers(const YAML::Node& node, const std::string& path) const {
        if (!node.IsSequence()) {
            fail(node, path, "expected a list of integers");
        }
        std::vector<int> out;
        for (std::size_t i = 0; i < node.size(); ++i) {
            out.push_back(integer(node[i], path + "[" + std::to_string(i) + "]", 0, 99999));
        }
        return out;
    }

private:
    std::string file_;
};

std::vector<std::string> readMethods(const Reader& r,
                                     const YAML::Node& list,
                                     const std::string& path) {
    auto names = r.strings(list, path);
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (!sim::methodFromString(names[i])) {
            r.fail(list[i],
                   path + "[" + std::to_string(i) + "]",
                   "unknown method '" + names[i] +
                       "' (expected app_notification, app_code, email, mobile_phone, "
                       "office_phone or security_questions)");
        }
    }
    return names;
}

std::string oneOf(const Reader& r,
                  const YAML::Node& node,
                  const std::string& path,
                  const std::vector<std::string>& allowed) {
    std::string value = r.string(node, path);
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) {
            list += (list.empty() ? "" : ", ") + a;
        }
        r.fail(node, path, "unknown value '" + value + "' (expected one of: " + list + ")");
    }
    return value;
}

const std::vector<std::string> kRiskLevels = {"low", "medium", "high"};

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
        policy.threshold = oneOf(r, node["threshold"], path + ".threshold", kRiskLevels);
    }
    if (node["grant"]) {
        policy.grant = oneOf(r, node["grant"], path + ".grant", grants);
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

std::vector<CloudUserSpec> readCloudUsers(const Reader& r, const YAML::Node& node) {
    if (!node.IsSequence()) {
        r.fail(node, "tenant.cloud_users", "expected a list of cloud-only users");
    }
    std::vector<CloudUserSpec> users;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto& u = node[i];
        const std::string path = "tenant.cloud_users[" + std::to_string(i) + "]";
        r.checkKeys(u, path, {"upn", "groups", "methods", "admin_roles", "licensed"});
        if (!u["upn"]) {
            r.fail(u, path, "missing required key 'upn'");
        }
        CloudUserSpec spec;
        spec.where = r.pos(u);
        spec.upn = r.string(u["upn"], path + ".upn");
        if (spec.upn.find('@') == std::string::npos) {
            r.fail(u["upn"], path + ".upn", "a userPrincipalName looks like name@domain");
        }
        readCloudSide(r, u, path, spec);
        users.push_back(std::move(spec));
    }
    return users;
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
    if (node["registration_required"]) {
        t.registrationRequired =
            r.boolean(node["registration_required"], "tenant.registration_required");
    }
    if (node["federated_admin_reset_writeback"]) {
        t.federatedAdminResetWritesBack = r.boolean(node["federated_admin_reset_writeback"],
                                                    "tenant.federated_admin_reset_writeback");
    }
    if (node["sspr_policy_defined"]) {
        t.ssprPolicyDefined = r.boolean(node["sspr_policy_defined"], "tenant.sspr_policy_defined");
    }
    if (node["password_hash_sync"]) {
        t.passwordHashSync = r.boolean(node["password_hash_sync"], "tenant.password_hash_sync");
    }
    if (node["enforce_cloud_password_policy"]) {
        t.enforceCloudPasswordPolicy = r.boolean(node["enforce_cloud_password_policy"],
                                                 "tenant.enforce_cloud_password_policy");
    }
    if (node["identity_protection"]) {
        t.identityProtection = readIdentityProtection(r, node["identity_protection"]);
    }
    if (node["cloud_users"]) {
        t.cloudUsers = readCloudUsers(r, node["cloud_users"]);
    }
    if (node["sspr_group"]) {
        if (!node["sspr_group"].IsScalar()) {
            r.fail(node["sspr_group"],
                   "tenant.sspr_group",
                   "SSPR can be scoped to exactly one group (nested groups count)");
        }
        t.ssprGroup = node["sspr_group"].Scalar();
    }
    if (node["groups"]) {
        r.requireMap(node["groups"], "tenant.groups");
        for (const auto& kv : node["groups"]) {
            const std::string name = r.string(kv.first, "tenant.groups");
            t.groups[name] = r.strings(kv.second, "tenant.groups." + name);
        }
    }
    if (node["methods_required"]) {
        t.methodsRequired = r.integer(node["methods_required"], "tenant.methods_required", 1, 2);
    }
    if (node["methods"]) {
        t.methods = readMethods(r, node["methods"], "tenant.methods");
        auto isApp = [](const std::string& m) {
            return m == "app_notification" || m == "app_code";
        };
        const auto others = std::count_if(
            t.methods.begin(), t.methods.end(), [&](const auto& m) { return !isApp(m); });
        const bool anyApp = std::any_of(t.methods.begin(), t.methods.end(), isApp);
        if (t.methods.empty() || (anyApp && others == 0)) {
            r.fail(node["methods"],
                   "tenant.methods",
                   "the Authenticator app cannot be the only method (DOMAIN.md §6.1)");
        }
        if (anyApp && others < t.methodsRequired) {
            r.fail(node["methods"],
                   "tenant.methods",
                   "with the Authenticator app and " + std::to_string(t.methodsRequired) +
                       " methods required, allow at least " + std::to_string(t.methodsRequired) +
                       " other methods (DOMAIN.md §6.1)");
        }
    }
    if (node["banned_passwords"]) {
        t.bannedPasswords = r.strings(node["banned_passwords"], "tenant.banned_passwords");
    }
    if (node["unlock_without_reset"]) {
        t.unlockWithoutReset =
            r.boolean(node["unlock_without_reset"], "tenant.unlock_without_reset");
    }
    if (node["sspr"]) {
        t.sspr = r.string(node["sspr"], "tenant.sspr");
        if (t.sspr != "none" && t.sspr != "selected" && t.sspr != "all") {
            r.fail(node["sspr"], "tenant.sspr", "expected none, selected or all");
        }
    }
    if (node["writeback"]) {
        t.writeback = r.boolean(node["writeback"], "tenant.writeback");
    }
    if (t.sspr == "selected" && t.ssprGroup.empty()) {
        r.fail(node, "tenant", "sspr: selected needs sspr_group (the one group it applies to)");
    }
    return t;
}

PolicySpec readPolicy(const Reader& r,
                      const YAML::Node& node,
                      const std::string& path,
                      std::initializer_list<const char*> extraKeys = {}) {
    std::vector<const char*> keys = {"min_length",
                                     "history",
                                     "min_age",
                                     "max_age",
                                     "complexity",
                                     "lockout_threshold",
                                     "lockout_duration",
                                     "lockout_window"};
    keys.insert(keys.end(), extraKeys.begin(), extraKeys.end());
    r.checkKeys(node, path, keys);
    PolicySpec p;
    if (node["complexity"]) {
        p.complexity = r.boolean(node["complexity"], path + ".complexity");
    }
    if (node["lockout_window"]) {
        p.lockoutWindowSeconds = r.duration(node["lockout_window"], path + ".lockout_window");
    }
    if (node["min_length"]) {
        p.minLength = r.integer(node["min_length"], path + ".min_length", 0, 256);
    }
    if (node["history"]) {
        p.history = r.integer(node["history"], path + ".history", 0, 24);
    }
    if (node["min_age"]) {
        p.minAgeSeconds = r.duration(node["min_age"], path + ".min_age");
    }
    if (node["max_age"]) {
        p.maxAgeSeconds = r.duration(node["max_age"], path + ".max_age");
    }
    if (node["lockout_threshold"]) {
        p.lockoutThreshold =
            r.integer(node["lockout_threshold"], path + ".lockout_threshold", 0, 999);
    }
    if (node["lockout_duration"]) {
        p.lockoutDurationSeconds = r.duration(node["lockout_duration"], path + ".lockout_duration");
    }
    return p;
}

bool validSam(const std::string& sam) {
    return !sam.empty() && sam.size() <= 20 &&
           std::all_of(sam.begin(), sam.end(), [](unsigned char c) {
               return std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_';
           });
}

ConnectorSpec readConnector(const Reader& r, const YAML::Node& node) {
    r.checkKeys(node, "onprem.connector", {"permissions"});
    ConnectorSpec c;
    if (!node["permissions"]) {
        return c;
    }
    c = ConnectorSpec{false, false, false, false};
    const auto names = r.strings(node["permissions"], "onprem.connector.permissions");
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto& n = names[i];
        if (n == "reset_password") {
            c.resetPassword = true;
        } else if (n == "write_lockout_time") {
            c.writeLockoutTime = true;
        } else if (n == "write_pwd_last_set") {
            c.writePwdLastSet = true;
        } else if (n == "unexpire_password") {
            c.unexpirePassword = true;
        } else {
            r.fail(node["permissions"][i],
                   "onprem.connector.permissions[" + std::to_string(i) + "]",
                   "unknown permission '" + n +
                       "' (expected reset_password, write_lockout_time, write_pwd_last_set or "
                       "unexpire_password)");
        }
    }
    return c;
}

/// Users made by `onprem.generate_users` (for storms): sam_prefix1 .. sam_prefixN.
struct GeneratedUsers {
    int count = 0;
    std::string samPrefix;
    std::string passwordPattern;  ///< "{n}" stands for the user's number
    std::string upnDomain;        ///< from onprem.base_dn
    SourcePos where;
};

/// `pattern` with every "{n}" replaced by `n`.
std::string numbered(const std::string& pattern, int n) {
    std::string out = pattern;
    for (auto at = out.find("{n}"); at != std::string::npos; at = out.find("{n}", at)) {
        out.replace(at, 3, std::to_string(n));
    }
    return out;
}

/// A password pattern: must hold "{n}" (every user gets their own password) and, filled in for
/// the largest number, still fit one RSA-OAEP envelope.
std::string readPasswordPattern(const Reader& r,
                                const YAML::Node& node,
                                const std::string& path,
                                int largest) {
    std::string pattern = r.string(node, path);
    if (pattern.find("{n}") == std::string::npos) {
        r.fail(node, path, "expected a password pattern with {n} (the user's number) in it");
    }
    const std::string longest = numbered(pattern, largest);
    if (longest.size() > 190) {
        r.fail(node, path, "a password is 1 to 190 bytes (the most one RSA-OAEP envelope carries)");
    }
    return pattern;
}

/// The UPN suffix a base DN stands for: dc=testlab,dc=example gives testlab.example.
std::string domainOf(const std::string& baseDn) {
    std::string domain;
    std::istringstream parts(baseDn);
    for (std::string rdn; std::getline(parts, rdn, ',');) {
        domain += (domain.empty() ? "" : ".") + rdn.substr(rdn.find('=') + 1);
    }
    return domain;
}

GeneratedUsers readGeneratedUsers(const Reader& r, const YAML::Node& node) {
    const std::string path = "onprem.generate_users";
    r.checkKeys(node, path, {"count", "sam_prefix", "password"});
    for (const char* required : {"count", "sam_prefix", "password"}) {
        if (!node[required]) {
            r.fail(node, path, std::string("missing required key '") + required + "'");
        }
    }
    GeneratedUsers g;
    g.where = r.pos(node);
    g.count = r.integer(node["count"], path + ".count", 1, 10000);
    g.samPrefix = r.string(node["sam_prefix"], path + ".sam_prefix");
    if (g.samPrefix.empty() || g.samPrefix.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
        r.fail(node["sam_prefix"],
               path + ".sam_prefix",
               "expected lower-case letters, digits, - or _ (a sAMAccountName prefix)");
    }
    g.passwordPattern = readPasswordPattern(r, node["password"], path + ".password", g.count);
    return g;
}

OnPremSpec readOnPrem(const Reader& r, const YAML::Node& node, GeneratedUsers& generated) {
    r.checkKeys(node,
                "onprem",
                {"base_dn",
                 "tls",
                 "policy",
                 "fine_grained_policies",
                 "connector",
                 "users",
                 "generate_users"});
    OnPremSpec o;
    if (node["base_dn"]) {
        o.baseDn = r.string(node["base_dn"], "onprem.base_dn");
        if (o.baseDn.rfind("dc=", 0) != 0) {
            r.fail(node["base_dn"],
                   "onprem.base_dn",
                   "expected a domain DN such as dc=corp,dc=example");
        }
    }
    if (node["tls"]) {
        o.tls = r.boolean(node["tls"], "onprem.tls");
    }
    if (node["policy"]) {
        o.policy = readPolicy(r, node["policy"], "onprem.policy");
    }
    if (node["connector"]) {
        o.connector = readConnector(r, node["connector"]);
    }
    if (node["generate_users"]) {
        generated = readGeneratedUsers(r, node["generate_users"]);
        generated.upnDomain = domainOf(o.baseDn);
    }
    if (node["users"] ? !node["users"].IsSequence() : generated.count == 0) {
        r.fail(node["users"] ? node["users"] : node, "onprem.users", "expected a list of users");
    }
    std::set<std::string> sams;
    std::set<std::string> upns;
    const YAML::Node users = node["users"] ? node["users"] : YAML::Node(YAML::NodeType::Sequence);
    for (std::size_t i = 0; i < users.size(); ++i) {
        const auto& u = users[i];
        const std::string path = "onprem.users[" + std::to_string(i) + "]";
        r.checkKeys(u,
                    path,
                    {"sam",
                     "upn",
                     "cloud_upn",
                     "display_name",
                     "anchor",
                     "password",
                     "locked",
                     "must_change",
                     "disabled",
                     "password_never_expires",
                     "protected",
                     "cannot_change_password",
                     "password_age",
                     "groups",
                     "methods",
                     "admin_roles",
                     "licensed",
                     "federated"});
        UserSpec spec;
        spec.where = r.pos(u);
        for (const char* required : {"sam", "upn", "password"}) {
            if (!u[required]) {
                r.fail(u, path, std::string("missing required key '") + required + "'");
            }
        }
        spec.sam = r.string(u["sam"], path + ".sam");
        if (!validSam(spec.sam)) {
            r.fail(u["sam"],
                   path + ".sam",
                   "a sAMAccountName is 1-20 letters, digits, '.', '-' or '_'");
        }
        spec.upn = r.string(u["upn"], path + ".upn");
        if (spec.upn.find('@') == std::string::npos) {
            r.fail(u["upn"], path + ".upn", "a userPrincipalName looks like name@domain");
        }
        spec.password = r.string(u["password"], path + ".password");
        if (u["cloud_upn"]) {
            spec.cloudUpn = r.string(u["cloud_upn"], path + ".cloud_upn");
            if (spec.cloudUpn.find('@') == std::string::npos) {
                r.fail(u["cloud_upn"],
                       path + ".cloud_upn",
                       "a userPrincipalName looks like name@domain");
            }
            if (!upns.insert(spec.cloudUpn).second) {
                r.fail(u["cloud_upn"],
                       path + ".cloud_upn",
                       "duplicate userPrincipalName '" + spec.cloudUpn + "'");
            }
        }
        if (u["display_name"]) {
            spec.displayName = r.string(u["display_name"], path + ".display_name");
        }
        if (u["anchor"]) {
            spec.anchor = r.string(u["anchor"], path + ".anchor");
        }
        if (u["locked"]) {
            spec.locked = r.boolean(u["locked"], path + ".locked");
        }
        if (u["must_change"]) {
            spec.mustChange = r.boolean(u["must_change"], path + ".must_change");
        }
        if (u["disabled"]) {
            spec.disabled = r.boolean(u["disabled"], path + ".disabled");
        }
        if (u["password_never_expires"]) {
            spec.passwordNeverExpires =
                r.boolean(u["password_never_expires"], path + ".password_never_expires");
        }
        if (u["protected"]) {
            spec.protectedAccount = r.boolean(u["protected"], path + ".protected");
        }
        if (u["cannot_change_password"]) {
            spec.cannotChangePassword =
                r.boolean(u["cannot_change_password"], path + ".cannot_change_password");
        }
        readCloudSide(r, u, path, spec);
        if (u["federated"]) {
            spec.federated = r.boolean(u["federated"], path + ".federated");
        }
        if (u["password_age"]) {
            spec.passwordAgeSeconds = r.duration(u["password_age"], path + ".password_age");
        }
        if (spec.mustChange && spec.passwordNeverExpires) {
            r.fail(u["must_change"],
                   path + ".must_change",
                   "AD cannot require a change of a password that never expires");
        }
        if (!sams.insert(spec.sam).second) {
            r.fail(u["sam"], path + ".sam", "duplicate sAMAccountName '" + spec.sam + "'");
        }
        if (!upns.insert(spec.upn).second) {
            r.fail(u["upn"], path + ".upn", "duplicate userPrincipalName '" + spec.upn + "'");
        }
        o.users.push_back(std::move(spec));
    }
    for (int n = 1; n <= generated.count; ++n) {
        UserSpec spec;
        spec.sam = generated.samPrefix + std::to_string(n);
        spec.upn = spec.sam + "@" + generated.upnDomain;
        spec.displayName = spec.sam;
        spec.password = numbered(generated.passwordPattern, n);
        spec.where = generated.where;
        if (!sams.insert(spec.sam).second || !upns.insert(spec.upn).second) {
            r.fail(node["generate_users"],
                   "onprem.generate_users",
                   "generated user '" + spec.sam + "' clashes with a user of onprem.users");
        }
        o.users.push_back(std::move(spec));
    }
    if (node["fine_grained_policies"]) {
        const auto& psos = node["fine_grained_policies"];
        if (!psos.IsSequence()) {
            r.fail(psos, "onprem.fine_grained_policies", "expected a list of policies");
        }
        std::set<std::string> covered;
        for (std::size_t i = 0; i < psos.size(); ++i) {
            const std::string path = "onprem.fine_grained_policies[" + std::to_string(i) + "]";
            const auto& p = psos[i];
            r.requireMap(p, path);
            for (const char* required : {"name", "users"}) {
                if (!p[required]) {
                    r.fail(p, path, std::string("missing required key '") + required + "'");
                }
            }
            FineGrainedPolicySpec pso;
            pso.policy = readPolicy(r, p, path, {"name", "users"});
            pso.name = r.string(p["name"], path + ".name");
            if (pso.name.empty() || pso.name.find_first_of(",=+<>#;\\\"") != std::string::npos) {
                r.fail(p["name"],
                       path + ".name",
                       "a policy name may not contain , = + < > # ; \\ or \"");
            }
            pso.users = r.strings(p["users"], path + ".users");
            for (std::size_t j = 0; j < pso.users.size(); ++j) {
                const auto& sam = pso.users[j];
                const std::string userPath = path + ".users[" + std::to_string(j) + "]";
                if (sams.count(sam) == 0) {
                    r.fail(
                        p["users"][j], userPath, "no user with sam '" + sam + "' in onprem.users");
                }
                if (!covered.insert(sam).second) {
                    r.fail(p["users"][j],
                           userPath,
                           "user '" + sam + "' is already under another fine-grained policy");
                }
            }
            o.fineGrainedPolicies.push_back(std::move(pso));
        }
    }
    return o;
}

RiskExpect readRiskExpect(const Reader& r, const YAML::Node& node, const std::string& path) {
    r.checkKeys(node, path, {"user", "level", "state", "detail"});
    RiskExpect e;
    e.where = r.pos(node);
    if (node["user"]) {
        e.user = r.string(node["user"], path + ".user");
    }
    if (node["level"]) {
        e.level = oneOf(r, node["level"], path + ".level", {"none", "low", "medium", "high"});
    }
    if (node["state"]) {
        e.state = r.string(node["state"], path + ".state");
        if (!sim::riskStateFromString(*e.state)) {
            r.fail(node["state"],
                   path + ".state",
                   "unknown riskState (expected none, confirmedSafe, remediated, dismissed, "
                   "atRisk or confirmedCompromised)");
        }
    }
    if (node["detail"]) {
        e.detail = r.string(node["detail"], path + ".detail");
        if (!sim::riskDetailFromString(*e.detail)) {
            r.fail(node["detail"], path + ".detail", "unknown riskDetail '" + *e.detail + "'");
        }
    }
    return e;
}

StepExpect readStepExpect(const Reader& r, const YAML::Node& node, const std::string& path) {
    r.checkKeys(node,
                path,
                {"outcome",
                 "events",
                 "reason",
                 "audit",
                 "sign_in",
                 "http_status",
                 "operation",
                 "risk",
                 "leaked_matches"});
    StepExpect e;
    if (node["sign_in"]) {
        e.signIn = oneOf(r, node["sign_in"], path + ".sign_in", sim::signInOutcomeNames());
    }
    if (node["http_status"]) {
        e.httpStatus = r.integer(node["http_status"], path + ".http_status", 100, 599);
    }
    if (node["operation"]) {
        e.operation = oneOf(r,
                            node["operation"],
                            path + ".operation",
                            {"notStarted", "running", "succeeded", "failed"});
    }
    if (node["risk"]) {
        e.risk = readRiskExpect(r, node["risk"], path + ".risk");
    }
    if (node["leaked_matches"]) {
        e.leakedMatches = r.integer(node["leaked_matches"], path + ".leaked_matches", 0, 100000);
    }
    if (node["outcome"]) {
        e.outcome = r.string(node["outcome"], path + ".outcome");
        if (!sim::outcomeFromString(*e.outcome)) {
            std::string names;
            for (auto o : sim::allOutcomes()) {
                names += names.empty() ? "" : ", ";
                names += sim::toString(o);
            }
            r.fail(node["outcome"],
                   path + ".outcome",
                   "unknown outcome '" + *e.outcome + "' (expected one of: " + names + ")");
        }
    }
    if (node["events"]) {
        e.events = r.integers(node["events"], path + ".events");
    }
    if (node["reason"]) {
        e.reason = r.integer(node["reason"], path + ".reason", 0, 99999);
    }
    if (node["audit"]) {
        const auto& a = node["audit"];
        r.checkKeys(a, path + ".audit", {"activity", "result"});
        if (!a["activity"]) {
            r.fail(a, path + ".audit", "missing required key 'activity'");
        }
        AuditExpect audit;
        audit.activity = r.string(a["activity"], path + ".audit.activity");
        if (a["result"]) {
            audit.result = r.string(a["result"], path + ".audit.result");
            if (*audit.result != "success" && *audit.result != "failure") {
                r.fail(a["result"], path + ".audit.result", "expected success or failure");
            }
        }
        e.audit = audit;
    }
    return e;
}

std::string readPassword(const Reader& r, const YAML::Node& node, const std::string& path) {
    std::string pw = r.string(node, path);
    if (pw.empty() || pw.size() > 190) {
        r.fail(node, path, "a password is 1 to 190 bytes (the most one RSA-OAEP envelope carries)");
    }
    return pw;
}

/// The user a cloud step names: an on-premises user's sign-in name or a cloud-only user.
void checkCloudUser(const Reader& r,
                    const YAML::Node& node,
                    const std::string& path,
                    const std::string& upn,
                    const Scenario& s) {
    bool known = std::any_of(s.onprem.users.begin(),
                             s.onprem.users.end(),
                             [&](const UserSpec& u) { return u.signInName() == upn; }) ||
                 std::any_of(s.tenant.cloudUsers.begin(),
                             s.tenant.cloudUsers.end(),
                             [&](const CloudUserSpec& u) { return u.upn == upn; });
    if (!known) {
        r.fail(node,
               path,
               "no user signs in as '" + upn +
                   "' (an on-premises user's upn or cloud_upn, or a tenant.cloud_users upn)");
    }
}

void checkSam(const Reader& r,
              const YAML::Node& node,
              const std::string& path,
              const std::string& sam,
              const OnPremSpec& onprem) {
    bool known = std::any_of(
        onprem.users.begin(), onprem.users.end(), [&](const UserSpec& u) { return u.sam == sam; });
    if (!known) {
        r.fail(node, path, "no user with sam '" + sam + "' in onprem.users");
    }
}

void readDetection(const Reader& r,
                   const YAML::Node& node,
                   const std::string& path,
                   std::string& type,
                   std::string& level,
                   bool userKey) {
    if (userKey) {
        r.checkKeys(node, path, {"user", "type", "level"});
    } else {
        r.checkKeys(node, path, {"type", "level"});
    }
    if (!node["type"]) {
        r.fail(node, path, "missing required key 'type'");
    }
    type = oneOf(r, node["type"], path + ".type", sim::detectionTypeNames());
    level = "high";
    if (node["level"]) {
        level = oneOf(r, node["level"], path + ".level", kRiskLevels);
    }
}

/// The steps of the sync engine, Graph, unsupported paths and Identity Protection.
void readCloudStep(const Reader& r,
                   const YAML::Node& op,
                   const std::string& opPath,
                   Step& step,
                   const Scenario& s) {
    auto required = [&](const char* key) {
        if (!op[key]) {
            r.fail(op, opPath, std::string("missing required key '") + key + "'");
        }
    };
    switch (step.kind) {
        case Step::Kind::GraphReset:
            r.checkKeys(op, opPath, {"caller", "user", "new_password"});
            required("caller");
            required("user");
            step.caller = r.string(op["caller"], opPath + ".caller");
            checkCloudUser(r, op["caller"], opPath + ".caller", step.caller, s);
            step.user = r.string(op["user"], opPath + ".user");
            checkCloudUser(r, op["user"], opPath + ".user", step.user, s);
            if (op["new_password"]) {
                step.newPassword = readPassword(r, op["new_password"], opPath + ".new_password");
            }
            break;
        case Step::Kind::UnsupportedReset:
            r.checkKeys(op, opPath, {"path", "user", "new_password"});
            required("path");
            required("user");
            required("new_password");
            step.path = oneOf(r,
                              op["path"],
                              opPath + ".path",
                              {"m365_admin_center", "powershell", "graph_self_service"});
            step.user = r.string(op["user"], opPath + ".user");
            checkCloudUser(r, op["user"], opPath + ".user", step.user, s);
            step.newPassword = readPassword(r, op["new_password"], opPath + ".new_password");
            break;
        case Step::Kind::Sync:
            step.syncKind = oneOf(r, op, opPath, {"objects", "hashes", "all"});
            break;
        case Step::Kind::OnPremChange:
            r.checkKeys(op, opPath, {"user", "old_password", "new_password"});
            required("user");
            required("old_password");
            required("new_password");
            step.user = r.string(op["user"], opPath + ".user");
            checkSam(r, op["user"], opPath + ".user", step.user, s.onprem);
            step.oldPassword = readPassword(r, op["old_password"], opPath + ".old_password");
            step.newPassword = readPassword(r, op["new_password"], opPath + ".new_password");
            break;
        case Step::Kind::OnPremDisable:
        case Step::Kind::OnPremDelete:
            step.user = r.string(op, opPath);
            checkSam(r, op, opPath, step.user, s.onprem);
            break;
        case Step::Kind::RiskDetection:
            readDetection(r, op, opPath, step.detectionType, step.detectionLevel, true);
            required("user");
            step.user = r.string(op["user"], opPath + ".user");
            checkCloudUser(r, op["user"], opPath + ".user", step.user, s);
            break;
        case Step::Kind::LeakedCredentials:
            step.leakedPasswords = r.strings(op, opPath);
            if (step.leakedPasswords.empty()) {
                r.fail(op, opPath, "give at least one leaked password");
            }
            break;
        case Step::Kind::SignIn:
            r.checkKeys(op, opPath, {"user", "password", "new_password", "detection"});
            required("user");
            required("password");
            step.user = r.string(op["user"], opPath + ".user");
            checkCloudUser(r, op["user"], opPath + ".user", step.user, s);
            step.oldPassword = readPassword(r, op["password"], opPath + ".password");
            if (op["new_password"]) {
                step.newPassword = readPassword(r, op["new_password"], opPath + ".new_password");
            }
            if (op["detection"]) {
                readDetection(r,
                              op["detection"],
                              opPath + ".detection",
                              step.detectionType,
                              step.detectionLevel,
                              false);
            }
            break;
        case Step::Kind::Register:
            r.checkKeys(op, opPath, {"user", "methods"});
            required("user");
            required("methods");
            step.user = r.string(op["user"], opPath + ".user");
            checkCloudUser(r, op["user"], opPath + ".user", step.user, s);
            step.methods = readMethods(r, op["methods"], opPath + ".methods");
            break;
        case Step::Kind::DismissRisk:
        case Step::Kind::ConfirmCompromised:
            step.user = r.string(op, opPath);
            checkCloudUser(r, op, opPath, step.user, s);
            break;
        default:
            break;
    }
}

/// `fault: NAME` and `release: N` (fault_steps.hpp).
void readFaultStep(const Reader& r,
                   const YAML::Node& node,
                   const std::string& path,
                   std::size_t index,
                   Step& step) {
    if (step.kind == Step::Kind::Fault) {
        const auto name = r.string(node["fault"], path + ".fault");
        auto fault = faultFromString(name);
        if (!fault) {
            r.fail(node["fault"],
                   path + ".fault",
                   "unknown fault '" + name + "' (expected one of: " + faultNames() + ")");
        }
        step.fault = *fault;
        if (node["expect"]) {
            r.fail(node["expect"], path + ".expect", "a fault step has nothing to expect");
        }
        return;
    }
    step.releaseOf = r.integer(node["release"], path + ".release", 1, static_cast<int>(index));
    if (node["expect"]) {
        for (const char* cloudSide : {"outcome", "audit"}) {
            if (node["expect"].IsMap() && node["expect"][cloudSide]) {
                r.fail(node["expect"][cloudSide],
                       path + ".expect." + cloudSide,
                       "the cloud gave up on a held request: a release step expects only events "
                       "and reason");
            }
        }
    }
}

/// `relay: {drop | duplicate | hold: true}`: at most one of them.
void readRelayFault(const Reader& r, const YAML::Node& relay, const std::string& path, Step& step) {
    const std::pair<const char*, Step::Relay> modes[] = {{"drop", Step::Relay::Drop},
                                                         {"duplicate", Step::Relay::Duplicate},
                                                         {"hold", Step::Relay::Hold}};
    const char* chosen = nullptr;
    for (const auto& [key, mode] : modes) {
        if (!relay[key] || !r.boolean(relay[key], path + "." + key)) {
            continue;
        }
        if (chosen != nullptr) {
            r.fail(relay[key],
                   path + "." + key,
                   std::string("the relay does one thing with a request: '") + chosen + "' and '" +
                       key + "' are both set");
        }
        chosen = key;
        step.relay = mode;
    }
}

/// Faults must make sense in order: stop only what runs, start only what is down, release only
/// a held request, once.
void checkFaultOrder(const Reader& r, const YAML::Node& steps, const std::vector<Step>& parsed) {
    bool agentUp = true;
    bool directoryUp = true;
    std::set<int> released;
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        const auto& step = parsed[i];
        const std::string path = "steps[" + std::to_string(i) + "]";
        if (step.kind == Step::Kind::Release) {
            const auto& held = parsed[static_cast<std::size_t>(step.releaseOf - 1)];
            if (!held.isCloudOperation() || held.relay != Step::Relay::Hold) {
                r.fail(steps[i]["release"],
                       path + ".release",
                       "step " + std::to_string(step.releaseOf) +
                           " has no held request (give it relay: {hold: true})");
            }
            if (!released.insert(step.releaseOf).second) {
                r.fail(steps[i]["release"],
                       path + ".release",
                       "the request of step " + std::to_string(step.releaseOf) +
                           " was already released");
            }
            continue;
        }
        if (step.kind != Step::Kind::Fault) {
            continue;
        }
        const bool stopsAgent =
            step.fault == Step::Fault::AgentDown || step.fault == Step::Fault::AgentCrash;
        std::string problem;
        if (stopsAgent && !agentUp) {
            problem = "the agent is already down";
        } else if (step.fault == Step::Fault::AgentUp && agentUp) {
            problem = "the agent is already running (stop it first with agent_down or agent_crash)";
        } else if (step.fault == Step::Fault::DirectoryDown && !directoryUp) {
            problem = "the directory is already down";
        } else if (step.fault == Step::Fault::DirectoryUp && directoryUp) {
            problem = "the directory is already up (stop it first with directory_down)";
        }
        if (!problem.empty()) {
            r.fail(steps[i]["fault"], path + ".fault", problem);
        }
        agentUp = stopsAgent ? false : step.fault == Step::Fault::AgentUp ? true : agentUp;
        directoryUp = step.fault == Step::Fault::DirectoryDown ? false
                      : step.fault == Step::Fault::DirectoryUp ? true
                                                               : directoryUp;
    }
}

Step readStep(const Reader& r,
              const YAML::Node& node,
              const std::string& path,
              const Scenario& scenario,
              std::size_t index) {
    const OnPremSpec& onprem = scenario.onprem;
    static const std::vector<std::pair<const char*, Step::Kind>> kinds = {
        {"sspr_reset", Step::Kind::SsprReset},
        {"sspr_change", Step::Kind::SsprChange},
        {"forced_change", Step::Kind::ForcedChange},
        {"admin_reset", Step::Kind::AdminReset},
        {"unlock", Step::Kind::Unlock},
        {"advance", Step::Kind::Advance},
        {"replay", Step::Kind::Replay},
        {"graph_reset", Step::Kind::GraphReset},
        {"unsupported_reset", Step::Kind::UnsupportedReset},
        {"sync", Step::Kind::Sync},
        {"onprem_change", Step::Kind::OnPremChange},
        {"onprem_disable", Step::Kind::OnPremDisable},
        {"onprem_delete", Step::Kind::OnPremDelete},
        {"risk_detection", Step::Kind::RiskDetection},
        {"leaked_credentials", Step::Kind::LeakedCredentials},
        {"sign_in", Step::Kind::SignIn},
        {"dismiss_risk", Step::Kind::DismissRisk},
        {"confirm_compromised", Step::Kind::ConfirmCompromised},
        {"register", Step::Kind::Register},
        {"fault", Step::Kind::Fault},
        {"release", Step::Kind::Release}};
    std::vector<const char*> stepKeys = {"relay", "expect", "during"};
    for (const auto& kind : kinds) {
        stepKeys.push_back(kind.first);
    }
    r.checkKeys(node, path, stepKeys);
    Step step;
    step.where = r.pos(node);
    const char* found = nullptr;
    for (const auto& [name, kind] : kinds) {
        if (node[name]) {
            if (found != nullptr) {
                r.fail(node[name],
                       path,
                       std::string("a step has one operation; '") + found + "' and '" + name +
                           "' are both here");
            }
            found = name;
            step.kind = kind;
        }
    }
    if (found == nullptr) {
        std::string names;
        for (const auto& kind : kinds) {
            names += (names.empty() ? "" : ", ") + std::string(kind.first);
        }
        r.fail(node, path, "a step needs one of " + names + ", storm");
    }
    const auto& op = node[found];
    const std::string opPath = path + "." + found;
    if (step.kind == Step::Kind::Advance) {
        step.advanceSeconds = r.duration(op, opPath);
    } else if (step.kind == Step::Kind::Replay) {
        step.replayOf = r.integer(op, opPath, 1, static_cast<int>(index));
    } else if (step.kind == Step::Kind::Fault || step.kind == Step::Kind::Release) {
        readFaultStep(r, node, path, index, step);
    } else if (step.kind > Step::Kind::Replay) {
        readCloudStep(r, op, opPath, step, scenario);
    } else {
        std::vector<const char*> keys = {"user"};
        if (step.kind != Step::Kind::Unlock) {
            keys.push_back("new_password");
        }
        if (step.kind == Step::Kind::SsprChange || step.kind == Step::Kind::ForcedChange) {
            keys.push_back("old_password");
        }
        if (step.kind == Step::Kind::SsprReset) {
            keys.push_back("unlock");
        }
        if (step.kind == Step::Kind::AdminReset) {
            keys.push_back("must_change");
        }
        r.checkKeys(op, opPath, keys);
        for (const char* required : keys) {
            std::string key = required;
            if ((key == "user" || key == "new_password" || key == "old_password") &&
                !op[required]) {
                r.fail(op, opPath, "missing required key '" + key + "'");
            }
        }
        step.user = r.string(op["user"], opPath + ".user");
        if (op["new_password"]) {
            step.newPassword = readPassword(r, op["new_password"], opPath + ".new_password");
        }
        if (op["old_password"]) {
            step.oldPassword = readPassword(r, op["old_password"], opPath + ".old_password");
        }
        if (op["unlock"]) {
            step.unlock = r.boolean(op["unlock"], opPath + ".unlock");
        }
        if (op["must_change"]) {
            step.mustChange = r.boolean(op["must_change"], opPath + ".must_change");
        }
        bool known = std::any_of(onprem.users.begin(), onprem.users.end(), [&](const UserSpec& u) {
            return u.signInName() == step.user;
        });
        if (!known) {
            r.fail(op["user"],
                   opPath + ".user",
                   "no user signs in as '" + step.user + "' (the upn, or cloud_upn when set)");
        }
    }
    if (node["relay"]) {
        if (!step.isCloudOperation()) {
            r.fail(node["relay"], path + ".relay", "only a step that sends a request has a relay");
        }
        r.checkKeys(node["relay"], path + ".relay", {"delay", "drop", "duplicate", "hold"});
        if (node["relay"]["delay"]) {
            step.relayDelaySeconds = r.duration(node["relay"]["delay"], path + ".relay.delay");
        }
        readRelayFault(r, node["relay"], path + ".relay", step);
    }
    if (node["during"]) {
        const auto& d = node["during"];
        const std::string dPath = path + ".during";
        if (!step.isCloudOperation()) {
            r.fail(d, dPath, "only a step that sends a request can race another event");
        }
        r.checkKeys(d, dPath, {"risk_detection", "confirm_compromised"});
        if (d["risk_detection"] && d["confirm_compromised"]) {
            r.fail(d, dPath, "one event races a step: risk_detection or confirm_compromised");
        }
        if (d["risk_detection"]) {
            step.during = "risk_detection";
            readDetection(r,
                          d["risk_detection"],
                          dPath + ".risk_detection",
                          step.duringType,
                          step.duringLevel,
                          false);
        } else if (d["confirm_compromised"]) {
            if (!r.boolean(d["confirm_compromised"], dPath + ".confirm_compromised")) {
                r.fail(d["confirm_compromised"], dPath + ".confirm_compromised", "expected true");
            }
            step.during = "confirm_compromised";
        } else {
            r.fail(d, dPath, "expected risk_detection or confirm_compromised");
        }
    }
    if (node["expect"]) {
        step.expect = readStepExpect(r, node["expect"], path + ".expect");
        if (step.expect.risk && step.expect.risk->user.empty()) {
            if (step.user.empty() || step.kind == Step::Kind::OnPremChange ||
                step.kind == Step::Kind::OnPremDisable || step.kind == Step::Kind::OnPremDelete) {
                r.fail(node["expect"]["risk"],
                       path + ".expect.risk",
                       "this step names no cloud user: say whose risk with 'user'");
            }
            step.expect.risk->user = step.user;
        }
    }
    return step;
}

/// `storm:` — one cloud operation for each generated user (the first `count` of them), in order,
/// each with the storm's `expect`. With an expected outcome, the directory is checked for every
/// user too: success means the new password binds and the seeded one no longer does; any other
/// outcome means nothing changed.
std::vector<Step> readStorm(const Reader& r,
                            const YAML::Node& node,
                            const std::string& path,
                            const GeneratedUsers& generated,
                            std::vector<DirectoryExpect>& directory) {
    r.checkKeys(node, path, {"storm", "expect"});
    const auto& op = node["storm"];
    const std::string opPath = path + ".storm";
    if (generated.count == 0) {
        r.fail(op, opPath, "a storm needs onprem.generate_users");
    }
    r.checkKeys(op, opPath, {"operation", "new_password", "count", "unlock", "must_change"});
    if (!op["new_password"]) {
        r.fail(op, opPath, "missing required key 'new_password'");
    }
    Step step;
    step.where = r.pos(node);
    step.kind = Step::Kind::SsprReset;
    if (op["operation"]) {
        const std::string kind = r.string(op["operation"], opPath + ".operation");
        if (kind == "admin_reset") {
            step.kind = Step::Kind::AdminReset;
        } else if (kind != "sspr_reset") {
            r.fail(op["operation"], opPath + ".operation", "expected sspr_reset or admin_reset");
        }
    }
    const int count = op["count"] ? r.integer(op["count"], opPath + ".count", 1, generated.count)
                                  : generated.count;
    const std::string pattern =
        readPasswordPattern(r, op["new_password"], opPath + ".new_password", count);
    if (op["unlock"]) {
        if (step.kind != Step::Kind::SsprReset) {
            r.fail(op["unlock"], opPath + ".unlock", "only an sspr_reset storm unlocks");
        }
        step.unlock = r.boolean(op["unlock"], opPath + ".unlock");
    }
    if (op["must_change"]) {
        if (step.kind != Step::Kind::AdminReset) {
            r.fail(op["must_change"], opPath + ".must_change", "only an admin_reset storm sets it");
        }
        step.mustChange = r.boolean(op["must_change"], opPath + ".must_change");
    }
    if (node["expect"]) {
        step.expect = readStepExpect(r, node["expect"], path + ".expect");
    }
    std::vector<Step> steps;
    for (int n = 1; n <= count; ++n) {
        Step one = step;
        const std::string sam = generated.samPrefix + std::to_string(n);
        one.user = sam + "@" + generated.upnDomain;
        one.newPassword = numbered(pattern, n);
        if (step.expect.outcome) {
            DirectoryExpect d;
            d.where = step.where;
            d.user = sam;
            const std::string seeded = numbered(generated.passwordPattern, n);
            const bool written = *step.expect.outcome == "success";
            d.binds = {written ? one.newPassword : seeded};
            d.rejects = {written ? seeded : one.newPassword};
            directory.push_back(std::move(d));
        }
        steps.push_back(std::move(one));
    }
    return steps;
}

std::vector<DirectoryExpect> readDirectoryExpect(const Reader& r,
                                                 const YAML::Node& node,
                                                 const OnPremSpec& onprem) {
    const std::string base = "expect.directory";
    if (!node.IsSequence()) {
        r.fail(node, base, "expected a list of per-user expectations");
    }
    std::vector<DirectoryExpect> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto& d = node[i];
        const std::string path = base + "[" + std::to_string(i) + "]";
        r.checkKeys(d, path, {"user", "binds", "rejects", "locked", "must_change"});
        if (!d["user"]) {
            r.fail(d, path, "missing required key 'user'");
        }
        DirectoryExpect e;
        e.where = r.pos(d);
        e.user = r.string(d["user"], path + ".user");
        bool known = std::any_of(onprem.users.begin(), onprem.users.end(), [&](const UserSpec& u) {
            return u.sam == e.user;
        });
        if (!known) {
            r.fail(d["user"], path + ".user", "no user with sam '" + e.user + "' in onprem.users");
        }
        if (d["binds"]) {
            e.binds = r.strings(d["binds"], path + ".binds");
        }
        if (d["rejects"]) {
            e.rejects = r.strings(d["rejects"], path + ".rejects");
        }
        if (d["locked"]) {
            e.locked = r.boolean(d["locked"], path + ".locked");
        }
        if (d["must_change"]) {
            e.mustChange = r.boolean(d["must_change"], path + ".must_change");
        }
        out.push_back(std::move(e));
    }
    return out;
}

/// Every criterion a scenario names must be in the catalog (criteria/catalog.yaml).
void checkCriteria(const Reader& r, const YAML::Node& list, const std::vector<std::string>& ids) {
    const auto& catalog = builtinCatalog();
    if (!catalog) {
        r.fail(list, "criteria", "the built-in catalog is broken: " + catalog.error().describe());
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (catalog->find(ids[i]) != nullptr) {
            continue;
        }
        const std::string path = "criteria[" + std::to_string(i) + "]";
        if (catalog->isExitCriterion(ids[i])) {
            r.fail(list[i],
                   path,
                   "'" + ids[i] +
                       "' is an exit criterion; name the catalog criteria it rolls up from "
                       "(wblab criteria lists them)");
        }
        r.fail(list[i], path, "unknown criterion '" + ids[i] + "' (wblab criteria lists them)");
    }
}

Scenario readScenario(const Reader& r,
                      const YAML::Node& root,
                      const std::string& file,
                      const std::string& idSuffix = "") {
    r.checkKeys(root,
                "",
                {"include",
                 "matrix",
                 "id",
                 "title",
                 "criteria",
                 "tags",
                 "requires",
                 "timeout",
                 "tenant",
                 "onprem",
                 "steps",
                 "expect"});
    Scenario s;
    s.file = file;
    const std::string stem = std::filesystem::path(file).stem().string();
    s.id = root["id"] ? r.string(root["id"], "id") : stem;
    if (root["id"] && s.id != stem) {
        r.fail(root["id"], "id", "must equal the file name without extension ('" + stem + "')");
    }
    s.id += idSuffix;
    if (root["title"]) {
        s.title = r.string(root["title"], "title");
    }
    if (root["criteria"]) {
        s.criteria = r.strings(root["criteria"], "criteria");
        checkCriteria(r, root["criteria"], s.criteria);
    }
    if (root["tags"]) {
        s.tags = r.strings(root["tags"], "tags");
    }
    if (root["timeout"]) {
        s.timeoutSeconds = r.duration(root["timeout"], "timeout");
        if (s.timeoutSeconds == 0) {
            r.fail(root["timeout"], "timeout", "a scenario needs some time: give more than 0");
        }
    }
    if (root["requires"]) {
        s.requires_ = r.strings(root["requires"], "requires");
        static const std::set<std::string> known = {
            "reset", "change", "admin_reset", "unlock_only", "forced_change"};
        for (std::size_t i = 0; i < s.requires_.size(); ++i) {
            if (known.count(s.requires_[i]) == 0) {
                r.fail(root["requires"][i],
                       "requires[" + std::to_string(i) + "]",
                       "unknown capability '" + s.requires_[i] +
                           "' (expected reset, change, admin_reset, unlock_only or forced_change)");
            }
        }
    }
    if (root["tenant"]) {
        s.tenant = readTenant(r, root["tenant"]);
    }
    if (!root["onprem"]) {
        r.fail(root, "", "missing required key 'onprem'");
    }
    GeneratedUsers generated;
    s.onprem = readOnPrem(r, root["onprem"], generated);
    if (!root["steps"] || !root["steps"].IsSequence()) {
        r.fail(root["steps"] ? root["steps"] : root, "steps", "expected a list of steps");
    }
    const auto& steps = root["steps"];
    std::vector<DirectoryExpect> stormDirectory;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (steps[i].IsMap() && steps[i]["storm"]) {
            for (auto& step : readStorm(
                     r, steps[i], "steps[" + std::to_string(i) + "]", generated, stormDirectory)) {
                s.steps.push_back(std::move(step));
            }
            continue;
        }
        // Replays count steps as run: a storm is as many steps as it has users.
        s.steps.push_back(
            readStep(r, steps[i], "steps[" + std::to_string(i) + "]", s, s.steps.size()));
        if (s.steps.back().kind == Step::Kind::Replay &&
            !s.steps[static_cast<std::size_t>(s.steps.back().replayOf - 1)].isCloudOperation()) {
            r.fail(steps[i]["replay"],
                   "steps[" + std::to_string(i) + "].replay",
                   "can only replay a step that sent a request to the agent");
        }
    }
    checkFaultOrder(r, steps, s.steps);
    // Each step's operation is a capability the agent must declare.
    static const std::map<Step::Kind, const char*> needs = {
        {Step::Kind::SsprReset, "reset"},
        {Step::Kind::SsprChange, "change"},
        {Step::Kind::ForcedChange, "forced_change"},
        {Step::Kind::AdminReset, "admin_reset"},
        {Step::Kind::Unlock, "unlock_only"},
        {Step::Kind::GraphReset, "admin_reset"}};
    for (const auto& step : s.steps) {
        auto it = needs.find(step.kind);
        if (step.kind == Step::Kind::SignIn && !step.newPassword.empty()) {
            it = needs.find(Step::Kind::SsprChange);
        }
        if (it != needs.end() &&
            std::find(s.requires_.begin(), s.requires_.end(), it->second) == s.requires_.end()) {
            s.requires_.push_back(it->second);
        }
    }
    if (root["expect"]) {
        r.checkKeys(root["expect"], "expect", {"directory", "risk"});
        if (root["expect"]["directory"]) {
            s.expectDirectory = readDirectoryExpect(r, root["expect"]["directory"], s.onprem);
        }
        if (const auto& risk = root["expect"]["risk"]) {
            if (!risk.IsSequence()) {
                r.fail(risk, "expect.risk", "expected a list of per-user risk expectations");
            }
            for (std::size_t i = 0; i < risk.size(); ++i) {
                const std::string path = "expect.risk[" + std::to_string(i) + "]";
                auto e = readRiskExpect(r, risk[i], path);
                if (e.user.empty()) {
                    r.fail(risk[i], path, "missing required key 'user'");
                }
                checkCloudUser(r, risk[i]["user"], path + ".user", e.user, s);
                s.expectRisk.push_back(std::move(e));
            }
        }
    }
    s.expectDirectory.insert(s.expectDirectory.end(), stormDirectory.begin(), stormDirectory.end());
    return s;
}

// ---- Shared setup (`include:`) and parameter matrices (`matrix:`) ----

constexpr std::size_t kMaxIncludeDepth = 16;
constexpr std::size_t kMaxMatrixRows = 64;

Expected<std::string> readScenarioText(const std::string& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        return Error{ErrorCode::NotFound, "cannot read the scenario file", SourcePos{path, 0, 0}};
    }
    if (size > kMaxScenarioBytes) {
        return Error{
            ErrorCode::InvalidInput, "scenario file larger than 1 MiB", SourcePos{path, 0, 0}};
    }
    auto text = readFile(path);
    if (!text) {
        return Error{ErrorCode::NotFound, "cannot read the scenario file", SourcePos{path, 0, 0}};
    }
    return text;
}

std::string canonicalOf(const std::string& path) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(path, ec);
    return ec ? path : canonical.string();
}

/// Where `${name}` occurs in the text: (offset, length, name).
struct ParameterUse {
    std::size_t offset;
    std::size_t length;
    std::string name;
};

std::vector<ParameterUse> parameterUses(const std::string& text) {
    std::vector<ParameterUse> uses;
    for (std::size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at + 2)) {
        std::size_t end = at + 2;
        while (end < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '_')) {
            ++end;
        }
        if (end < text.size() && text[end] == '}' && end > at + 2) {
            uses.push_back({at, end + 1 - at, text.substr(at + 2, end - at - 2)});
        }
    }
    return uses;
}

SourcePos positionOf(const std::string& file, const std::string& text, std::size_t offset) {
    int line = 1;
    int column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return SourcePos{file, line, column};
}

std::string maskParameters(std::string text) {
    for (const auto& use : parameterUses(text)) {
        text.replace(use.offset, use.length, std::string(use.length, '_'));
    }
    return text;
}

using MatrixRow = std::vector<std::pair<std::string, std::string>>;

struct Matrix {
    std::vector<std::string> names;
    std::vector<MatrixRow> rows;
};

/// Every `${name}` must be a matrix parameter (none at all without a matrix).
void checkParameters(const std::string& file,
                     const std::string& text,
                     const std::vector<std::string>& names) {
    for (const auto& use : parameterUses(text)) {
        if (std::find(names.begin(), names.end(), use.name) == names.end()) {
            throw LoadError{
                positionOf(file, text, use.offset),
                "unknown parameter '${" + use.name + "}'" +
                    (names.empty() ? " (the scenario has no matrix)" : " (not in the matrix)")};
        }
    }
}

std::string substituteParameters(const std::string& file,
                                 const std::string& text,
                                 const MatrixRow& row) {
    std::vector<std::string> names;
    for (const auto& kv : row) {
        names.push_back(kv.first);
    }
    checkParameters(file, text, names);
    std::string out = text;
    auto uses = parameterUses(text);
    // From the end, so earlier offsets stay valid.
    for (auto it = uses.rbegin(); it != uses.rend(); ++it) {
        for (const auto& [name, value] : row) {
            if (name == it->name) {
                out.replace(it->offset, it->length, value);
            }
        }
    }
    return out;
}

std::string matrixValue(const Reader& r, const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar()) {
        r.fail(node, path, "a matrix value is a plain value (a number, word or true/false)");
    }
    const std::string value = node.Scalar();
    if (value.empty() || value.size() > 64 ||
        value.find_first_of("\n\r{}[],#&*!|>'\"%@`") != std::string::npos) {
        r.fail(node, path, "a matrix value is 1 to 64 characters without YAML punctuation");
    }
    return value;
}

void checkParameterName(const Reader& r, const YAML::Node& node, const std::string& path) {
    const std::string name = r.string(node, path);
    bool ok = !name.empty() && std::isdigit(static_cast<unsigned char>(name[0])) == 0;
    for (char c : name) {
        ok = ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_');
    }
    if (!ok) {
        r.fail(
            node, path, "a parameter name is letters, digits and '_' (not starting with a digit)");
    }
}

/// `matrix: {name: [values…], …}` (every combination, the first name varying slowest) or
/// `matrix: [{name: value, …}, …]` (these rows).
Matrix readMatrix(const Reader& r, const YAML::Node& node) {
    Matrix m;
    if (node.IsMap()) {
        if (node.size() == 0) {
            r.fail(node, "matrix", "expected at least one parameter");
        }
        std::vector<std::vector<std::string>> values;
        std::size_t combinations = 1;
        for (const auto& kv : node) {
            const std::string name = kv.first.Scalar();
            checkParameterName(r, kv.first, "matrix");
            const std::string path = "matrix." + name;
            if (!kv.second.IsSequence() || kv.second.size() == 0) {
                r.fail(kv.second, path, "expected a list of values");
            }
            std::vector<std::string> list;
            for (std::size_t i = 0; i < kv.second.size(); ++i) {
                list.push_back(matrixValue(r, kv.second[i], path + "[" + std::to_string(i) + "]"));
            }
            combinations *= list.size();
            if (combinations > kMaxMatrixRows) {
                r.fail(node, "matrix", "expands to more than 64 scenarios");
            }
            m.names.push_back(name);
            values.push_back(std::move(list));
        }
        for (std::size_t n = 0; n < combinations; ++n) {
            MatrixRow row;
            std::size_t rest = n;
            std::size_t stride = combinations;
            for (std::size_t k = 0; k < values.size(); ++k) {
                stride /= values[k].size();
                row.emplace_back(m.names[k], values[k][rest / stride]);
                rest %= stride;
            }
            m.rows.push_back(std::move(row));
        }
        return m;
    }
    if (!node.IsSequence() || node.size() == 0) {
        r.fail(node, "matrix", "expected a mapping of parameter lists or a list of rows");
    }
    if (node.size() > kMaxMatrixRows) {
        r.fail(node, "matrix", "expands to more than 64 scenarios");
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto& rowNode = node[i];
        const std::string path = "matrix[" + std::to_string(i) + "]";
        r.requireMap(rowNode, path);
        MatrixRow row;
        std::vector<std::string> names;
        for (const auto& kv : rowNode) {
            checkParameterName(r, kv.first, path);
            names.push_back(kv.first.Scalar());
            row.emplace_back(kv.first.Scalar(),
                             matrixValue(r, kv.second, path + "." + kv.first.Scalar()));
        }
        if (i == 0) {
            m.names = names;
        } else if (names != m.names) {
            r.fail(rowNode, path, "every row names the same parameters as the first, in order");
        }
        m.rows.push_back(std::move(row));
    }
    return m;
}

void checkParametersUsed(const Reader& r,
                         const YAML::Node& node,
                         const std::string& text,
                         const Matrix& m) {
    const auto uses = parameterUses(text);
    for (const auto& name : m.names) {
        bool used = std::any_of(
            uses.begin(), uses.end(), [&](const ParameterUse& u) { return u.name == name; });
        if (!used) {
            r.fail(node, "matrix", "parameter '" + name + "' is never used as ${" + name + "}");
        }
    }
}

/// Merges `source` under `target`: what target has wins; mappings merge key by key; users
/// lists join (the included ones first).
void mergeUnder(YAML::Node target, const YAML::Node& source) {
    for (const auto& kv : source) {
        const std::string key = kv.first.Scalar();
        const YAML::Node& mine = static_cast<const YAML::Node&>(target)[key];
        if (!mine) {
            target[key] = kv.second;
        } else if (mine.IsMap() && kv.second.IsMap()) {
            mergeUnder(target[key], kv.second);
        } else if (key == "users" && mine.IsSequence() && kv.second.IsSequence()) {
            YAML::Node joined(YAML::NodeType::Sequence);
            for (const auto& u : kv.second) {
                joined.push_back(u);
            }
            for (const auto& u : mine) {
                joined.push_back(u);
            }
            target[key] = joined;
        }
    }
}

void resolveIncludes(const Reader& r,
                     YAML::Node root,
                     const std::string& file,
                     std::vector<std::string> chain);

/// Loads one shared-setup file, checked on its own (so its errors point into it), with its own
/// includes resolved.
YAML::Node loadShared(const std::string& path, std::vector<std::string> chain) {
    auto text = readScenarioText(path);
    if (!text) {
        throw LoadError{*text.error().where, text.error().message};
    }
    Reader reader(path);
    YAML::Node root;
    try {
        root = YAML::Load(*text);
    } catch (const YAML::Exception& e) {
        throw LoadError{SourcePos{path, e.mark.line + 1, e.mark.column + 1}, e.msg};
    }
    if (!root.IsMap()) {
        throw LoadError{SourcePos{path, 1, 1}, "shared setup must be a YAML mapping"};
    }
    checkParameters(path, *text, {});
    reader.checkKeys(root, "", {"include", "tenant", "onprem"});
    resolveIncludes(reader, root, path, std::move(chain));
    if (root["tenant"]) {
        readTenant(reader, root["tenant"]);
    }
    if (root["onprem"]) {
        // Users may come from the including scenario: check the rest on an empty list.
        YAML::Node onprem = root["onprem"];
        const bool hasUsers = static_cast<bool>(static_cast<const YAML::Node&>(onprem)["users"]);
        if (!hasUsers) {
            onprem["users"] = YAML::Node(YAML::NodeType::Sequence);
        }
        GeneratedUsers generated;
        readOnPrem(reader, onprem, generated);
        if (!hasUsers) {
            onprem.remove("users");
        }
    }
    return root;
}

/// Replaces `include:` (a path or a list, relative to the including file) by the shared setup it
/// names. `chain` holds the files being included, outermost first, to report cycles.
void resolveIncludes(const Reader& r,
                     YAML::Node root,
                     const std::string& file,
                     std::vector<std::string> chain) {
    const YAML::Node include = static_cast<const YAML::Node&>(root)["include"];
    if (!include) {
        return;
    }
    std::vector<std::pair<std::string, YAML::Node>> targets;
    if (include.IsSequence()) {
        for (std::size_t i = 0; i < include.size(); ++i) {
            targets.emplace_back(r.string(include[i], "include[" + std::to_string(i) + "]"),
                                 include[i]);
        }
    } else {
        targets.emplace_back(r.string(include, "include"), include);
    }
    if (chain.size() >= kMaxIncludeDepth) {
        r.fail(include, "include", "includes nest deeper than 16 files");
    }
    for (const auto& [name, node] : targets) {
        const auto target = std::filesystem::path(file).parent_path() / name;
        std::error_code ec;
        if (name.empty() || !std::filesystem::is_regular_file(target, ec)) {
            r.fail(node,
                   "include",
                   "no such file '" + name + "' (looked for " + target.string() + ")");
        }
        const std::string canonical = canonicalOf(target.string());
        if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
            std::string cycle;
            for (const auto& c : chain) {
                cycle += std::filesystem::path(c).filename().string() + " -> ";
            }
            r.fail(
                node,
                "include",
                "include cycle: " + cycle + std::filesystem::path(canonical).filename().string());
        }
        auto next = chain;
        next.push_back(canonical);
        const YAML::Node shared = loadShared(target.string(), next);
        for (const char* section : {"tenant", "onprem"}) {
            const YAML::Node part = shared[section];
            if (!part) {
                continue;
            }
            const YAML::Node mine = static_cast<const YAML::Node&>(root)[section];
            if (!mine) {
                root[section] = part;
            } else if (mine.IsMap()) {
                mergeUnder(root[section], part);
            }
        }
    }
    root.remove("include");
}

}  // namespace

std::vector<std::string> Scenario::secrets() const {
    std::vector<std::string> out;
    for (const auto& u : onprem.users) {
        out.push_back(u.password);
    }
    for (const auto& step : steps) {
        for (const auto* pw : {&step.newPassword, &step.oldPassword}) {
            if (!pw->empty()) {
                out.push_back(*pw);
            }
        }
        out.insert(out.end(), step.leakedPasswords.begin(), step.leakedPasswords.end());
    }
    for (const auto& d : expectDirectory) {
        out.insert(out.end(), d.binds.begin(), d.binds.end());
        out.insert(out.end(), d.rejects.begin(), d.rejects.end());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Expected<std::vector<Scenario>> loadScenarios(const std::string& path) {
    auto text = readScenarioText(path);
    if (!text) {
        return text.error();
    }
    Reader reader(path);
    try {
        // First pass: the matrix only. Parameters become a same-length plain scalar, so every
        // line and column stays where it was.
        YAML::Node root = YAML::Load(maskParameters(*text));
        if (!root.IsMap()) {
            return Error{ErrorCode::InvalidInput,
                         "a scenario must be a YAML mapping",
                         SourcePos{path, 1, 1}};
        }
        std::vector<Scenario> out;
        if (!root["matrix"]) {
            checkParameters(path, *text, {});
            root = YAML::Load(*text);
            resolveIncludes(reader, root, path, {canonicalOf(path)});
            out.push_back(readScenario(reader, root, path));
            return out;
        }
        const auto matrix = readMatrix(reader, root["matrix"]);
        checkParameters(path, *text, matrix.names);
        checkParametersUsed(reader, root["matrix"], *text, matrix);
        for (const auto& row : matrix.rows) {
            const std::string substituted = substituteParameters(path, *text, row);
            YAML::Node expanded = YAML::Load(substituted);
            resolveIncludes(reader, expanded, path, {canonicalOf(path)});
            std::string suffix;
            for (const auto& [name, value] : row) {
                suffix += (suffix.empty() ? "[" : ",") + name + "=" + value;
            }
            out.push_back(readScenario(reader, expanded, path, suffix + "]"));
        }
        return out;
    } catch (const LoadError& e) {
        return Error{ErrorCode::InvalidInput, e.message, e.where};
    } catch (const YAML::Exception& e) {
        return Error{
            ErrorCode::InvalidInput, e.msg, SourcePos{path, e.mark.line + 1, e.mark.column + 1}};
    }
}

Expected<Scenario> loadScenario(const std::string& path) {
    auto all = loadScenarios(path);
    if (!all) {
        return all.error();
    }
    if (all->size() != 1) {
        return Error{ErrorCode::InvalidInput,
                     "the matrix expands this file into " + std::to_string(all->size()) +
                         " scenarios; this needs exactly one",
                     SourcePos{path, 1, 1}};
    }
    return std::move(all->front());
}

Expected<std::vector<std::string>> collectScenarioFiles(const std::vector<std::string>& paths) {
    std::vector<std::string> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(p, ec)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator(p, ec)) {
                auto ext = entry.path().extension().string();
                // Files starting with '_' hold shared setup for `include:`, not scenarios.
                const bool shared = entry.path().filename().string().rfind('_', 0) == 0;
                if (entry.is_regular_file() && !shared && (ext == ".yaml" || ext == ".yml")) {
                    files.push_back(entry.path().string());
                }
            }
        } else if (std::filesystem::is_regular_file(p, ec)) {
            files.push_back(p);
        } else {
            return makeError(ErrorCode::NotFound, "no such scenario file or directory: " + p);
        }
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    return files;
}

}  // namespace wblab::harness
