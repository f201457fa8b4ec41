// The on-premises directory of a scenario (`onprem:`): policy, PSOs, connector rights, users and
// generated users.
#include "loading.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace wblab::scenario::detail {

namespace {

PolicySpec readPolicy(const Reader& r,
                      const YAML::Node& node,
                      const std::string& path,
                      std::initializer_list<const char*> extraKeys = {}) {
    std::vector<std::string> keys = {"min_length",
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
    if (node["min_length"]) {
        p.minLength = r.smallInteger(node["min_length"], path + ".min_length", 0, 256);
    }
    if (node["history"]) {
        p.history = r.smallInteger(node["history"], path + ".history", 0, 24);
    }
    if (node["lockout_threshold"]) {
        p.lockoutThreshold =
            r.smallInteger(node["lockout_threshold"], path + ".lockout_threshold", 0, 999);
    }
    const std::pair<const char*, std::int64_t PolicySpec::*> durations[] = {
        {"min_age", &PolicySpec::minAgeSeconds},
        {"max_age", &PolicySpec::maxAgeSeconds},
        {"lockout_duration", &PolicySpec::lockoutDurationSeconds},
        {"lockout_window", &PolicySpec::lockoutWindowSeconds},
    };
    for (const auto& [key, field] : durations) {
        if (node[key]) {
            p.*field = r.duration(node[key], path + "." + key);
        }
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
    const std::pair<const char*, bool ConnectorSpec::*> rights[] = {
        {"reset_password", &ConnectorSpec::resetPassword},
        {"write_lockout_time", &ConnectorSpec::writeLockoutTime},
        {"write_pwd_last_set", &ConnectorSpec::writePwdLastSet},
        {"unexpire_password", &ConnectorSpec::unexpirePassword},
    };
    const auto& list = node["permissions"];
    const auto names = r.strings(list, "onprem.connector.permissions");
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto right = std::find_if(std::begin(rights), std::end(rights), [&](const auto& entry) {
            return names[i] == entry.first;
        });
        if (right == std::end(rights)) {
            r.fail(list[i],
                   indexPath("onprem.connector.permissions", i),
                   "unknown permission '" + names[i] +
                       "' (expected reset_password, write_lockout_time, write_pwd_last_set or "
                       "unexpire_password)");
        }
        c.*(right->second) = true;
    }
    return c;
}

std::string lowerAscii(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return s;
}

/// A DNS label: letters, digits and '-' (not first or last), 1 to 63 characters.
bool dnsLabel(const std::string& label) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
        return false;
    }
    return std::all_of(label.begin(), label.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '-';
    });
}

/// An AD domain's DN: dc=<label>(,dc=<label>)*, so that it is a valid DN and needs no escaping
/// anywhere it goes (LDIF, slapd.conf, the UPN suffix).
bool domainDn(const std::string& dn) {
    std::istringstream parts(dn);
    int count = 0;
    for (std::string rdn; std::getline(parts, rdn, ',');) {
        if (rdn.size() < 4 || lowerAscii(rdn.substr(0, 3)) != "dc=" || !dnsLabel(rdn.substr(3))) {
            return false;
        }
        ++count;
    }
    return count > 0 && dn.back() != ',';
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
    r.require(node, path, {"count", "sam_prefix", "password"});
    GeneratedUsers g;
    g.where = r.pos(node);
    g.count = r.smallInteger(node["count"], path + ".count", 1, 10000);
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

/// The account flags of a user, key by key.
void readUserFlags(const Reader& r, const YAML::Node& u, const std::string& path, UserSpec& spec) {
    const std::pair<const char*, bool UserSpec::*> flags[] = {
        {"locked", &UserSpec::locked},
        {"must_change", &UserSpec::mustChange},
        {"disabled", &UserSpec::disabled},
        {"password_never_expires", &UserSpec::passwordNeverExpires},
        {"protected", &UserSpec::protectedAccount},
        {"cannot_change_password", &UserSpec::cannotChangePassword},
        {"federated", &UserSpec::federated},
    };
    for (const auto& [key, field] : flags) {
        if (u[key]) {
            spec.*field = r.boolean(u[key], path + "." + key);
        }
    }
    if (spec.mustChange && spec.passwordNeverExpires) {
        r.fail(u["must_change"],
               path + ".must_change",
               "AD cannot require a change of a password that never expires");
    }
}

UserSpec readUser(const Reader& r, const YAML::Node& u, const std::string& path) {
    r.checkKeys(u, path, {"sam",          "upn",
                          "cloud_upn",    "display_name",
                          "anchor",       "password",
                          "locked",       "must_change",
                          "disabled",     "password_never_expires",
                          "protected",    "cannot_change_password",
                          "password_age", "groups",
                          "methods",      "admin_roles",
                          "licensed",     "federated",
                          "given_name",   "surname"});
    r.require(u, path, {"sam", "upn", "password"});
    UserSpec spec;
    spec.where = r.pos(u);
    spec.sam = r.string(u["sam"], path + ".sam");
    if (!validSam(spec.sam)) {
        r.fail(
            u["sam"], path + ".sam", "a sAMAccountName is 1-20 letters, digits, '.', '-' or '_'");
    }
    spec.upn = r.string(u["upn"], path + ".upn");
    if (spec.upn.find('@') == std::string::npos) {
        r.fail(u["upn"], path + ".upn", "a userPrincipalName looks like name@domain");
    }
    spec.password = readPassword(r, u["password"], path + ".password");
    if (u["cloud_upn"]) {
        spec.cloudUpn = r.string(u["cloud_upn"], path + ".cloud_upn");
        if (spec.cloudUpn.find('@') == std::string::npos) {
            r.fail(
                u["cloud_upn"], path + ".cloud_upn", "a userPrincipalName looks like name@domain");
        }
    }
    if (u["display_name"]) {
        spec.displayName = r.string(u["display_name"], path + ".display_name");
    }
    if (u["anchor"]) {
        spec.anchor = r.string(u["anchor"], path + ".anchor");
    }
    if (u["password_age"]) {
        spec.passwordAgeSeconds = r.duration(u["password_age"], path + ".password_age");
    }
    readUserFlags(r, u, path, spec);
    readCloudSide(r, u, path, spec);
    return spec;
}

/// sAMAccountNames and UPNs (the cloud's too) are unique, ignoring case as AD and the cloud do.
class UniqueNames {
public:
    void add(const Reader& r, const YAML::Node& u, const std::string& path, const UserSpec& spec) {
        if (!sams_.insert(lowerAscii(spec.sam)).second) {
            r.fail(u["sam"],
                   path + ".sam",
                   "duplicate sAMAccountName '" + spec.sam +
                       "' (AD compares sAMAccountNames without regard to case)");
        }
        if (!spec.cloudUpn.empty() && !upns_.insert(lowerAscii(spec.cloudUpn)).second) {
            r.fail(u["cloud_upn"],
                   path + ".cloud_upn",
                   "duplicate userPrincipalName '" + spec.cloudUpn + "' (UPNs ignore case)");
        }
        if (!upns_.insert(lowerAscii(spec.upn)).second) {
            r.fail(u["upn"],
                   path + ".upn",
                   "duplicate userPrincipalName '" + spec.upn + "' (UPNs ignore case)");
        }
    }

    bool addGenerated(const UserSpec& spec) {
        return sams_.insert(lowerAscii(spec.sam)).second &&
               upns_.insert(lowerAscii(spec.upn)).second;
    }

    bool hasSam(const std::string& sam) const { return sams_.count(lowerAscii(sam)) != 0; }

private:
    std::set<std::string> sams_;
    std::set<std::string> upns_;
};

void addGeneratedUsers(const Reader& r,
                       const YAML::Node& node,
                       const GeneratedUsers& generated,
                       UniqueNames& names,
                       std::vector<UserSpec>& users) {
    for (int n = 1; n <= generated.count; ++n) {
        UserSpec spec;
        spec.sam = generated.samPrefix + std::to_string(n);
        spec.upn = spec.sam + "@" + generated.upnDomain;
        spec.displayName = spec.sam;
        spec.password = numbered(generated.passwordPattern, n);
        spec.where = generated.where;
        if (!names.addGenerated(spec)) {
            r.fail(node,
                   "onprem.generate_users",
                   "generated user '" + spec.sam + "' clashes with a user of onprem.users");
        }
        users.push_back(std::move(spec));
    }
}

std::vector<FineGrainedPolicySpec> readFineGrainedPolicies(const Reader& r,
                                                           const YAML::Node& psos,
                                                           const UniqueNames& names) {
    r.requireList(psos, "onprem.fine_grained_policies", "policies");
    std::vector<FineGrainedPolicySpec> out;
    std::set<std::string> covered;
    for (std::size_t i = 0; i < psos.size(); ++i) {
        const std::string path = indexPath("onprem.fine_grained_policies", i);
        const auto& p = psos[i];
        r.requireMap(p, path);
        r.require(p, path, {"name", "users"});
        FineGrainedPolicySpec pso;
        pso.policy = readPolicy(r, p, path, {"name", "users"});
        pso.name = r.string(p["name"], path + ".name");
        if (pso.name.empty() || pso.name.find_first_of(",=+<>#;\\\"") != std::string::npos) {
            r.fail(
                p["name"], path + ".name", "a policy name may not contain , = + < > # ; \\ or \"");
        }
        pso.users = r.strings(p["users"], path + ".users");
        for (std::size_t j = 0; j < pso.users.size(); ++j) {
            const auto& sam = pso.users[j];
            const std::string userPath = indexPath(path + ".users", j);
            if (!names.hasSam(sam)) {
                r.fail(p["users"][j], userPath, "no user with sam '" + sam + "' in onprem.users");
            }
            if (!covered.insert(sam).second) {
                r.fail(p["users"][j],
                       userPath,
                       "user '" + sam + "' is already under another fine-grained policy");
            }
        }
        out.push_back(std::move(pso));
    }
    return out;
}

}  // namespace

OnPremSpec readOnPrem(const Reader& r, const YAML::Node& node, GeneratedUsers& generated) {
    r.checkKeys(node,
                "onprem",
                {"base_dn",
                 "tls",
                 "tls_certificate",
                 "policy",
                 "fine_grained_policies",
                 "connector",
                 "users",
                 "generate_users"});
    OnPremSpec o;
    if (node["base_dn"]) {
        o.baseDn = r.string(node["base_dn"], "onprem.base_dn");
        if (!domainDn(o.baseDn)) {
            r.fail(node["base_dn"],
                   "onprem.base_dn",
                   "expected a domain DN such as dc=corp,dc=example: dc= parts joined by commas, "
                   "each a DNS label (letters, digits and '-', at most 63)");
        }
    }
    if (node["tls"]) {
        o.tls = r.boolean(node["tls"], "onprem.tls");
    }
    if (node["tls_certificate"]) {
        o.tlsCertificate = r.oneOf<TlsCertificate>(node["tls_certificate"],
                                                   "onprem.tls_certificate",
                                                   tlsCertificateFromString,
                                                   tlsCertificateNames());
        if (!o.tls) {
            r.fail(node["tls_certificate"],
                   "onprem.tls_certificate",
                   "the directory presents a certificate only over ldaps: set tls: true");
        }
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
    UniqueNames names;
    const YAML::Node users = node["users"] ? node["users"] : YAML::Node(YAML::NodeType::Sequence);
    for (std::size_t i = 0; i < users.size(); ++i) {
        const std::string path = indexPath("onprem.users", i);
        UserSpec spec = readUser(r, users[i], path);
        names.add(r, users[i], path, spec);
        o.users.push_back(std::move(spec));
    }
    addGeneratedUsers(r, node["generate_users"], generated, names, o.users);
    if (node["fine_grained_policies"]) {
        o.fineGrainedPolicies = readFineGrainedPolicies(r, node["fine_grained_policies"], names);
    }
    return o;
}

}  // namespace wblab::scenario::detail
