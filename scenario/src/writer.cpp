// Writing a scenario as YAML (writer.hpp): the header, the tenant, the directory and the end
// expectations; the steps are in writer_steps.cpp. Only what differs from the defaults is
// written, so a draft reads like a scenario a person wrote.
#include "writer_emit.hpp"

#include <wblab/scenario/catalog.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

namespace wblab::scenario {

namespace detail {

void Emitter::before(int indent, const std::string& key) {
    auto it = notes_.before.find(key);
    if (it == notes_.before.end()) {
        return;
    }
    std::istringstream lines(it->second);
    for (std::string text; std::getline(lines, text);) {
        out_ << std::string(static_cast<std::size_t>(indent), ' ') << "# " << text << "\n";
    }
}

void Emitter::line(int indent, const std::string& text, const std::string& key) {
    out_ << std::string(static_cast<std::size_t>(indent), ' ') << text;
    if (!key.empty()) {
        if (auto it = notes_.after.find(key); it != notes_.after.end()) {
            out_ << "  # " << it->second;
        }
    }
    out_ << "\n";
}

std::string durationText(std::int64_t s) {
    if (s != 0 && s % 86400 == 0) {
        return std::to_string(s / 86400) + "d";
    }
    if (s != 0 && s % 3600 == 0) {
        return std::to_string(s / 3600) + "h";
    }
    if (s != 0 && s % 60 == 0) {
        return std::to_string(s / 60) + "m";
    }
    return std::to_string(s) + "s";
}

std::string flowList(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += (i ? ", " : "") + yamlScalar(items[i]);
    }
    return out + "]";
}

std::string flowMap(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out = "{";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        out += (i ? ", " : "") + entries[i].first + ": " + entries[i].second;
    }
    return out + "}";
}

std::string criterionText(const std::vector<std::vector<std::string>>& attributions) {
    std::set<std::string> plain;
    bool needsMap = false;
    for (const auto& a : attributions) {
        const std::string& criterion = a[1];
        const std::string& kindDefault = a[2];
        if (!kindDefault.empty()) {
            needsMap = needsMap || criterion != kindDefault;
        } else {
            plain.insert(criterion);
        }
    }
    if (!needsMap && plain.size() <= 1) {
        return plain.empty() ? std::string() : yamlScalar(*plain.begin());
    }
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& a : attributions) {
        entries.emplace_back(a[0], yamlScalar(a[1]));
    }
    return flowMap(entries);
}

namespace {

std::string boolText(bool value) {
    return value ? "true" : "false";
}

template <typename Enum>
std::vector<std::string> names(const std::vector<Enum>& values) {
    std::vector<std::string> out;
    for (auto v : values) {
        out.emplace_back(toString(v));
    }
    return out;
}

template <typename Enum>
std::vector<std::string> simNames(const std::vector<Enum>& values) {
    std::vector<std::string> out;
    for (auto v : values) {
        out.emplace_back(sim::toString(v));
    }
    return out;
}

void writeHeader(Emitter& out, const Scenario& s, const Annotations& notes) {
    for (const auto& text : notes.header) {
        out.line(0, text.empty() ? "#" : "# " + text);
    }
    out.line(0, "id: " + yamlScalar(s.id));
    out.line(0, "title: " + yamlScalar(s.title));
    if (!s.symptom.empty()) {
        out.line(0, "symptom: " + yamlScalar(s.symptom));
    }
    if (!s.criteria.empty()) {
        out.line(0, "criteria: " + flowList(s.criteria));
    }
    if (!s.tags.empty()) {
        out.line(0, "tags: " + flowList(s.tags));
    }
    if (!s.requires_.empty()) {
        out.line(0, "requires: " + flowList(names(s.requires_)));
    }
    if (!s.directoryNeeds.empty()) {
        out.line(0, "directory_requires: " + flowList(names(s.directoryNeeds)));
    }
    if (s.timeoutSeconds > 0) {
        out.line(0, "timeout: " + durationText(s.timeoutSeconds));
    }
}

/// A risk policy's settings; `full` writes every one, for a tenant change over another policy.
std::string riskPolicyFlow(const RiskPolicySpec& p, bool full) {
    std::vector<std::pair<std::string, std::string>> e;
    if (!p.enabled || full) {
        e.emplace_back("enabled", boolText(p.enabled));
    }
    if (p.reportOnly || full) {
        e.emplace_back("report_only", boolText(p.reportOnly));
    }
    e.emplace_back("threshold", sim::toString(p.threshold));
    e.emplace_back("grant", sim::toString(p.grant));
    if (!p.includeGroups.empty() || full) {
        e.emplace_back("include_groups", flowList(p.includeGroups));
    }
    if (!p.excludeGroups.empty() || full) {
        e.emplace_back("exclude_groups", flowList(p.excludeGroups));
    }
    return flowMap(e);
}

void writeRiskPolicy(Emitter& out,
                     const char* key,
                     const RiskPolicySpec& p,
                     const RiskPolicySpec& defaults) {
    if (!p.enabled && !defaults.enabled) {
        return;
    }
    out.line(4, std::string(key) + ": " + riskPolicyFlow(p, false), std::string("tenant.") + key);
}

void writeIdentityProtection(Emitter& out, const IdentityProtectionSpec& ip) {
    const IdentityProtectionSpec d;
    const bool any = ip.userRiskPolicy.enabled || ip.signInRiskPolicy.enabled ||
                     ip.onPremisesChangeResetsRisk != d.onPremisesChangeResetsRisk || ip.p2 != d.p2;
    if (!any) {
        return;
    }
    out.line(2, "identity_protection:", "tenant.identity_protection");
    writeRiskPolicy(out, "user_risk_policy", ip.userRiskPolicy, d.userRiskPolicy);
    writeRiskPolicy(out, "sign_in_risk_policy", ip.signInRiskPolicy, d.signInRiskPolicy);
    out.line(4,
             "on_premises_change_resets_risk: " + boolText(ip.onPremisesChangeResetsRisk),
             "tenant.on_premises_change_resets_risk");
    if (ip.p2 != d.p2) {
        out.line(4, "p2: " + boolText(ip.p2), "tenant.p2");
    }
}

void writeCloudSide(Emitter& out, int indent, const CloudSideSpec& c, const std::string& key) {
    const CloudSideSpec d;
    if (!c.groups.empty()) {
        out.line(indent, "groups: " + flowList(c.groups), key + ".groups");
    }
    if (c.methods != d.methods) {
        out.line(indent, "methods: " + flowList(simNames(c.methods)), key + ".methods");
    }
    if (!c.adminRoles.empty()) {
        out.line(indent, "admin_roles: " + flowList(c.adminRoles), key + ".admin_roles");
    }
    if (c.licensed != d.licensed) {
        out.line(indent, "licensed: " + boolText(c.licensed), key + ".licensed");
    }
    if (!c.givenName.empty()) {
        out.line(indent, "given_name: " + yamlScalar(c.givenName), key + ".given_name");
    }
    if (!c.surname.empty()) {
        out.line(indent, "surname: " + yamlScalar(c.surname), key + ".surname");
    }
}

std::string throttleFlow(const ThrottleSpec& t) {
    return flowMap({{"attempts", std::to_string(t.attempts)},
                    {"window", durationText(t.windowSeconds)},
                    {"blocked_for", durationText(t.blockedForSeconds)},
                    {"counters_reset_on_success", boolText(t.countersResetOnSuccess)}});
}

std::string groupsFlow(const std::map<std::string, std::vector<std::string>>& groups) {
    std::vector<std::pair<std::string, std::string>> e;
    for (const auto& [group, members] : groups) {
        e.emplace_back(yamlScalar(group), flowList(members));
    }
    return flowMap(e);
}

std::string identityProtectionFlow(const IdentityProtectionSpec& ip) {
    return flowMap({{"user_risk_policy", riskPolicyFlow(ip.userRiskPolicy, true)},
                    {"sign_in_risk_policy", riskPolicyFlow(ip.signInRiskPolicy, true)},
                    {"on_premises_change_resets_risk", boolText(ip.onPremisesChangeResetsRisk)},
                    {"p2", boolText(ip.p2)}});
}

const std::pair<const char*, bool TenantSpec::*> kTenantSwitches[] = {
    {"writeback", &TenantSpec::writeback},
    {"unlock_without_reset", &TenantSpec::unlockWithoutReset},
    {"sspr_policy_defined", &TenantSpec::ssprPolicyDefined},
    {"password_hash_sync", &TenantSpec::passwordHashSync},
    {"enforce_cloud_password_policy", &TenantSpec::enforceCloudPasswordPolicy},
    {"registration_required", &TenantSpec::registrationRequired},
    {"federated_admin_reset_writeback", &TenantSpec::federatedAdminResetWritesBack},
    {"allowed_to_use_sspr", &TenantSpec::allowedToUseSspr},
    {"hash_sync_commits_cloud_failure", &TenantSpec::hashSyncCommitsCloudFailure},
};

void writeTenantSwitches(Emitter& out, const TenantSpec& t) {
    const TenantSpec d;
    for (const auto& [key, field] : kTenantSwitches) {
        if (t.*field != d.*field) {
            out.line(2, std::string(key) + ": " + boolText(t.*field), std::string("tenant.") + key);
        }
    }
}

/// The settings written as one line each when they differ from the defaults.
const char* const kTenantLines[] = {"sspr_group",
                                    "methods_required",
                                    "methods",
                                    "banned_passwords",
                                    "gate_order",
                                    "throttle",
                                    "tenant_name"};

void writeTenant(Emitter& out, const TenantSpec& t) {
    const TenantSpec d;
    out.before(0, "tenant");
    out.line(0, "tenant:");
    out.line(2, std::string("sspr: ") + sim::toString(t.sspr), "tenant.sspr");
    if (!t.groups.empty()) {
        out.line(2, "groups:");
        for (const auto& [group, members] : t.groups) {
            out.line(4, yamlScalar(group) + ": " + flowList(members));
        }
    }
    for (const char* key : kTenantLines) {
        const std::string value = tenantSettingFlow(t, key);
        if (value != tenantSettingFlow(d, key)) {
            out.line(2, std::string(key) + ": " + value, std::string("tenant.") + key);
        }
    }
    writeTenantSwitches(out, t);
    writeIdentityProtection(out, t.identityProtection);
    if (!t.cloudUsers.empty()) {
        out.line(2, "cloud_users:");
        for (const auto& u : t.cloudUsers) {
            out.before(4, "tenant.cloud_users." + u.upn);
            out.line(4, "- upn: " + yamlScalar(u.upn));
            writeCloudSide(out, 6, u, "tenant.cloud_users." + u.upn);
        }
    }
}

std::vector<std::pair<std::string, std::string>> policyEntries(const PolicySpec& p) {
    const PolicySpec d;
    std::vector<std::pair<std::string, std::string>> e;
    auto number = [&](const char* key, int value, int def) {
        if (value != def) {
            e.emplace_back(key, std::to_string(value));
        }
    };
    auto duration = [&](const char* key, std::int64_t value, std::int64_t def) {
        if (value != def) {
            e.emplace_back(key, durationText(value));
        }
    };
    number("min_length", p.minLength, d.minLength);
    if (p.complexity != d.complexity) {
        e.emplace_back("complexity", boolText(p.complexity));
    }
    number("history", p.history, d.history);
    duration("min_age", p.minAgeSeconds, d.minAgeSeconds);
    duration("max_age", p.maxAgeSeconds, d.maxAgeSeconds);
    number("lockout_threshold", p.lockoutThreshold, d.lockoutThreshold);
    duration("lockout_duration", p.lockoutDurationSeconds, d.lockoutDurationSeconds);
    duration("lockout_window", p.lockoutWindowSeconds, d.lockoutWindowSeconds);
    return e;
}

void writeConnector(Emitter& out, const ConnectorSpec& c) {
    const ConnectorSpec d;
    if (c.resetPassword == d.resetPassword && c.writeLockoutTime == d.writeLockoutTime &&
        c.writePwdLastSet == d.writePwdLastSet && c.unexpirePassword == d.unexpirePassword) {
        return;
    }
    std::vector<std::string> rights;
    const std::pair<const char*, bool> all[] = {{"reset_password", c.resetPassword},
                                                {"write_lockout_time", c.writeLockoutTime},
                                                {"write_pwd_last_set", c.writePwdLastSet},
                                                {"unexpire_password", c.unexpirePassword}};
    for (const auto& [name, granted] : all) {
        if (granted) {
            rights.emplace_back(name);
        }
    }
    out.before(2, "onprem.connector");
    out.line(2, "connector:");
    out.line(4, "permissions: " + flowList(rights), "onprem.connector");
}

void writeUserFlags(Emitter& out, const UserSpec& u, const std::string& key) {
    const std::pair<const char*, bool> flags[] = {
        {"locked", u.locked},
        {"must_change", u.mustChange},
        {"disabled", u.disabled},
        {"password_never_expires", u.passwordNeverExpires},
        {"protected", u.protectedAccount},
        {"cannot_change_password", u.cannotChangePassword},
        {"federated", u.federated},
    };
    for (const auto& [name, on] : flags) {
        const std::string here = key + "." + name;
        // A flag the notes comment on is written even when false: the evidence said so.
        if (on || out.mentions(here)) {
            out.line(6, std::string(name) + ": " + boolText(on), here);
        }
    }
}

void writeUser(Emitter& out, const UserSpec& u) {
    const std::string key = "onprem.users." + u.sam;
    out.before(4, key);
    out.line(4, "- sam: " + yamlScalar(u.sam), key + ".sam");
    out.line(6, "upn: " + yamlScalar(u.upn), key + ".upn");
    if (!u.cloudUpn.empty()) {
        out.line(6, "cloud_upn: " + yamlScalar(u.cloudUpn), key + ".cloud_upn");
    }
    if (!u.displayName.empty()) {
        out.line(6, "display_name: " + yamlScalar(u.displayName), key + ".display_name");
    }
    if (!u.anchor.empty()) {
        out.line(6, "anchor: " + yamlScalar(u.anchor), key + ".anchor");
    }
    out.line(6, "password: " + yamlScalar(u.password), key + ".password");
    if (u.passwordAgeSeconds != 0) {
        out.line(6, "password_age: " + durationText(u.passwordAgeSeconds), key + ".password_age");
    }
    writeUserFlags(out, u, key);
    writeCloudSide(out, 6, u, key);
}

void writeOnPrem(Emitter& out, const OnPremSpec& o) {
    const OnPremSpec d;
    out.blank();
    out.line(0, "onprem:");
    if (o.baseDn != d.baseDn) {
        out.line(2, "base_dn: " + yamlScalar(o.baseDn), "onprem.base_dn");
    }
    if (o.tls) {
        out.line(2, "tls: true", "onprem.tls");
    }
    if (o.tlsCertificate != d.tlsCertificate) {
        out.line(2,
                 std::string("tls_certificate: ") + toString(o.tlsCertificate),
                 "onprem.tls_certificate");
    }
    if (auto policy = policyEntries(o.policy); !policy.empty() || out.mentions("onprem.policy")) {
        out.before(2, "onprem.policy");
        out.line(2, "policy: " + flowMap(policy), "onprem.policy");
    }
    if (!o.fineGrainedPolicies.empty()) {
        out.line(2, "fine_grained_policies:");
        for (const auto& pso : o.fineGrainedPolicies) {
            auto e = policyEntries(pso.policy);
            e.insert(e.begin(), {"name", yamlScalar(pso.name)});
            e.emplace_back("users", flowList(pso.users));
            const std::string key = "onprem.fine_grained_policies." + pso.name;
            out.before(4, key);
            out.line(4, "- " + flowMap(e), key);
        }
    }
    writeConnector(out, o.connector);
    out.line(2, "users:");
    for (const auto& u : o.users) {
        writeUser(out, u);
    }
}

template <typename T>
void attribute(std::vector<std::vector<std::string>>& out,
               const char* key,
               const std::optional<Expectation<T>>& e) {
    if (e) {
        out.push_back({key, e->criterion, ""});
    }
}

std::string riskEntries(const RiskExpect& r, bool withUser) {
    std::vector<std::pair<std::string, std::string>> e;
    std::vector<std::vector<std::string>> criteria;
    if (withUser) {
        e.emplace_back("user", yamlScalar(r.user));
    }
    if (r.level) {
        e.emplace_back("level", sim::toString(r.level->value));
    }
    if (r.state) {
        e.emplace_back("state", sim::toString(r.state->value));
    }
    if (r.detail) {
        e.emplace_back("detail", sim::toString(r.detail->value));
    }
    attribute(criteria, "level", r.level);
    attribute(criteria, "state", r.state);
    attribute(criteria, "detail", r.detail);
    if (auto c = criterionText(criteria); !c.empty()) {
        e.emplace_back("criterion", c);
    }
    return flowMap(e);
}

void writeEndExpectations(Emitter& out, const Scenario& s) {
    if (s.expectDirectory.empty() && s.expectRisk.empty()) {
        return;
    }
    out.blank();
    out.line(0, "expect:");
    if (!s.expectDirectory.empty()) {
        out.line(2, "directory:");
    }
    for (const auto& d : s.expectDirectory) {
        std::vector<std::pair<std::string, std::string>> e = {{"user", yamlScalar(d.user)}};
        std::vector<std::vector<std::string>> criteria;
        if (d.binds) {
            e.emplace_back("binds", flowList(d.binds->value));
        }
        if (d.rejects) {
            e.emplace_back("rejects", flowList(d.rejects->value));
        }
        if (d.locked) {
            e.emplace_back("locked", boolText(d.locked->value));
        }
        if (d.mustChange) {
            e.emplace_back("must_change", boolText(d.mustChange->value));
        }
        attribute(criteria, "binds", d.binds);
        attribute(criteria, "rejects", d.rejects);
        attribute(criteria, "locked", d.locked);
        attribute(criteria, "must_change", d.mustChange);
        e.emplace_back("criterion", criterionText(criteria));
        out.before(4, "expect.directory." + d.user);
        out.line(4, "- " + flowMap(e), "expect.directory." + d.user);
    }
    if (!s.expectRisk.empty()) {
        out.line(2, "risk:");
    }
    for (const auto& r : s.expectRisk) {
        out.before(4, "expect.risk." + r.user);
        out.line(4, "- " + riskEntries(r, true), "expect.risk." + r.user);
    }
}

void writeIsolates(Emitter& out, const std::vector<Isolation>& isolates) {
    if (isolates.empty()) {
        return;
    }
    out.blank();
    out.line(0, "isolates:");
    for (const auto& iso : isolates) {
        out.line(2,
                 "- " + flowMap({{"criterion", yamlScalar(iso.criterion)},
                                 {"behaviour", yamlScalar(iso.behaviour)},
                                 {"fault", yamlScalar(iso.fault)}}));
    }
}

bool plainSafe(const std::string& text) {
    static const std::set<std::string> reserved = {
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"};
    if (text.empty() || !std::isalpha(static_cast<unsigned char>(text[0]))) {
        return false;
    }
    std::string lower;
    for (unsigned char c : text) {
        if (!(std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.' || c == '@')) {
            return false;
        }
        lower += static_cast<char>(std::tolower(c));
    }
    return reserved.count(lower) == 0;
}

}  // namespace

std::string riskFlow(const RiskExpect& r) {
    return riskEntries(r, !r.user.empty());
}

std::string tenantSettingFlow(const TenantSpec& t, const std::string& key) {
    for (const auto& [name, field] : kTenantSwitches) {
        if (key == name) {
            return boolText(t.*field);
        }
    }
    const std::pair<const char*, std::function<std::string()>> values[] = {
        {"sspr", [&] { return std::string(sim::toString(t.sspr)); }},
        {"sspr_group", [&] { return yamlScalar(t.ssprGroup); }},
        {"groups", [&] { return groupsFlow(t.groups); }},
        {"methods_required", [&] { return std::to_string(t.methodsRequired); }},
        {"methods", [&] { return flowList(simNames(t.methods)); }},
        {"banned_passwords", [&] { return flowList(t.bannedPasswords); }},
        {"gate_order", [&] { return std::string(sim::toString(t.gateOrder)); }},
        {"throttle", [&] { return throttleFlow(t.throttle); }},
        {"tenant_name", [&] { return yamlScalar(t.tenantName); }},
        {"identity_protection", [&] { return identityProtectionFlow(t.identityProtection); }},
    };
    for (const auto& [name, value] : values) {
        if (key == name) {
            return value();
        }
    }
    return std::string();
}

}  // namespace detail

std::string yamlScalar(const std::string& text) {
    if (detail::plainSafe(text)) {
        return text;
    }
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    const char* hex = "0123456789abcdef";
                    out += "\\x";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

std::string toYaml(const Scenario& s, const Annotations& notes) {
    detail::Emitter out(notes);
    detail::writeHeader(out, s, notes);
    out.blank();
    detail::writeTenant(out, s.tenant);
    detail::writeOnPrem(out, s.onprem);
    if (!s.established.empty()) {
        out.blank();
        out.before(0, "established");
        out.line(0, "established: " + detail::flowList(s.established), "established");
    }
    out.blank();
    out.line(0, "steps:");
    detail::writeSteps(out, s);
    detail::writeEndExpectations(out, s);
    detail::writeIsolates(out, s.isolates);
    return out.str();
}

std::string criterionForOutcome(const Action& action, sim::Outcome outcome) {
    using sim::Outcome;
    switch (outcome) {
        case Outcome::Success:
            break;
        case Outcome::OnPremisesPolicyViolation:
            return "wb-onprem-policy";
        case Outcome::WrongOldPassword:
        case Outcome::AccountLockedOut:
            return "wb-change-account-checks";
        case Outcome::OnPremisesConnectivityError:
            return "wb-service-unavailable";
        case Outcome::OnPremisesSuccessCloudFailure:
            return "wb-onprem-success-cloud-failure";
        case Outcome::TenantSsprDisabled:
        case Outcome::NotInSsprGroup:
        case Outcome::SsprPolicyNotDefined:
            return "sspr-scope";
        case Outcome::WritebackNotEnabled:
            return "sspr-writeback-toggle";
        case Outcome::UserNotLicensed:
            return "sspr-licence";
        case Outcome::NotEnoughMethods:
            return "sspr-methods";
        case Outcome::BannedPassword:
            return "pp-banned-passwords";
        case Outcome::Throttled:
            return "sspr-throttling";
        case Outcome::UnlockNotOffered:
            return "sspr-unlock-option";
        case Outcome::UnknownUser:
            return "sync-user-not-found";
        case Outcome::CloudOnlyChange:
        case Outcome::Refused:
            return "wb-unsupported-paths";
        case Outcome::OnPremisesAdminActionRequired:
            return criteria::kReasonCodes;
        case Outcome::CloudPolicyViolation:
            return "pp-current-password-reuse";
        case Outcome::SessionExpired:
        case Outcome::CodeExpired:
            return "sspr-session-lifetime";
    }
    if (std::holds_alternative<SsprReset>(action)) {
        return "wb-reset-applies";
    }
    if (std::holds_alternative<AdminReset>(action)) {
        return "wb-admin-reset-applies";
    }
    if (std::holds_alternative<ForcedChange>(action)) {
        return "wb-forced-change-applies";
    }
    if (std::holds_alternative<Unlock>(action)) {
        return "wb-unlock-only";
    }
    if (std::holds_alternative<GraphReset>(action)) {
        return "wb-graph-reset";
    }
    return "wb-change-applies";
}

}  // namespace wblab::scenario
