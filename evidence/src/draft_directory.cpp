// The directory export in the draft (draft.hpp): the domain's password policy and PSOs (AD
// attributes: https://learn.microsoft.com/en-us/windows/win32/adschema/a-minpwdage and its
// neighbours; msDS-PasswordSettings:
// https://learn.microsoft.com/en-us/windows/win32/adschema/c-msds-passwordsettings), the
// connector account's rights from each user's security descriptor (DOMAIN.md §4.1), and the
// users: userAccountControl (ACCOUNTDISABLE 0x2, DONT_EXPIRE_PASSWORD 0x10000;
// https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/useraccountcontrol-manipulate-account-properties),
// adminCount (a protected account, DOMAIN.md §9.1), the source anchor (mS-DS-ConsistencyGuid,
// else objectGUID), pwdLastSet and lockoutTime.
#include "draft.hpp"
#include "security_descriptor.hpp"

#include <algorithm>
#include <functional>

namespace wblab::evidence::detail {

namespace {

constexpr std::int64_t kAccountDisable = 0x2;
constexpr std::int64_t kDontExpirePassword = 0x10000;

bool isDomain(const DirectoryEntry& e) {
    return e.hasObjectClass("domainDNS") || e.first("pwdHistoryLength") != nullptr;
}

bool isUser(const DirectoryEntry& e) {
    return e.hasObjectClass("user") && !e.hasObjectClass("computer") &&
           e.first("sAMAccountName") != nullptr;
}

std::string dnLower(const std::string& dn) {
    return lower(dn);
}

/// dc=corp,dc=contoso,dc=com from any DN under the domain.
std::string domainDnOf(const std::string& dn) {
    std::string out;
    std::size_t pos = 0;
    const std::string low = lower(dn);
    while ((pos = low.find("dc=", pos)) != std::string::npos) {
        if (pos != 0 && low[pos - 1] != ',') {
            ++pos;
            continue;
        }
        const auto end = low.find(',', pos);
        out += (out.empty() ? "" : ",") + low.substr(pos, end - pos);
        if (end == std::string::npos) {
            break;
        }
        pos = end + 1;
    }
    return out;
}

/// Reads one numeric policy attribute into the spec, commenting where it came from.
void policyValue(Builder& b,
                 const DirectoryEntry& e,
                 const char* attribute,
                 const std::string& key,
                 bool interval,
                 const std::function<void(std::int64_t)>& set) {
    const std::string* raw = e.first(attribute);
    if (raw == nullptr) {
        return;
    }
    auto value = interval ? adInterval(*raw) : parseInteger(*raw);
    if (!value) {
        b.remarks.push_back(Builder::cite({e.where.file, e.lineOf(attribute), 0}) + ": " +
                            attribute + " '" + *raw + "' is not a number; the default is used");
        return;
    }
    set(*value);
    const std::string shown = !interval    ? *raw
                              : *value < 0 ? "never"
                                           : std::to_string(*value) + " s";
    std::string& note = b.notes.after[key];
    if (note.empty()) {
        note = Builder::cite({e.where.file, e.lineOf(attribute), 0}) + ":";
    }
    note += std::string(note.back() == ':' ? " " : ", ") + attribute + " " + shown;
}

/// The policy attributes of the domain (`prefix` empty) or of a PSO ("msDS-").
void readPolicy(Builder& b,
                const DirectoryEntry& e,
                bool pso,
                scenario::PolicySpec& p,
                const std::string& key) {
    auto name = [&](const char* domain, const char* psoName) { return pso ? psoName : domain; };
    auto clampInt = [](std::int64_t v, int lo, int hi) {
        return static_cast<int>(std::clamp<std::int64_t>(v, lo, hi));
    };
    policyValue(
        b, e, name("minPwdLength", "msDS-MinimumPasswordLength"), key, false, [&](std::int64_t v) {
            p.minLength = clampInt(v, 0, 256);
        });
    policyValue(b,
                e,
                name("pwdHistoryLength", "msDS-PasswordHistoryLength"),
                key,
                false,
                [&](std::int64_t v) { p.history = clampInt(v, 0, 24); });
    policyValue(b, e, name("minPwdAge", "msDS-MinimumPasswordAge"), key, true, [&](std::int64_t v) {
        p.minAgeSeconds = std::max<std::int64_t>(v, 0);
    });
    policyValue(b, e, name("maxPwdAge", "msDS-MaximumPasswordAge"), key, true, [&](std::int64_t v) {
        p.maxAgeSeconds = std::max<std::int64_t>(v, 0);
    });
    policyValue(
        b, e, name("lockoutThreshold", "msDS-LockoutThreshold"), key, false, [&](std::int64_t v) {
            p.lockoutThreshold = clampInt(v, 0, 999);
        });
    // "forever" (the most negative interval) is 0 in the scenario: until an admin unlocks.
    policyValue(
        b, e, name("lockoutDuration", "msDS-LockoutDuration"), key, true, [&](std::int64_t v) {
            p.lockoutDurationSeconds = std::max<std::int64_t>(v, 0);
        });
    policyValue(b,
                e,
                name("lockOutObservationWindow", "msDS-LockoutObservationWindow"),
                key,
                true,
                [&](std::int64_t v) { p.lockoutWindowSeconds = std::max<std::int64_t>(v, 0); });
    if (pso) {
        if (const auto* c = e.first("msDS-PasswordComplexityEnabled")) {
            p.complexity = iequals(*c, "TRUE");
        }
    } else {
        policyValue(b, e, "pwdProperties", key, false, [&](std::int64_t v) {
            p.complexity = (v & 1) != 0;
        });  // DOMAIN_PASSWORD_COMPLEX
    }
}

void readPsos(Builder& b) {
    struct Found {
        const DirectoryEntry* entry;
        std::int64_t precedence;
    };

    std::vector<Found> psos;
    for (const auto& e : b.evidence.entries) {
        if (e.hasObjectClass("msDS-PasswordSettings")) {
            const auto* p = e.first("msDS-PasswordSettingsPrecedence");
            psos.push_back({&e, p != nullptr ? parseInteger(*p).value_or(0) : 0});
        }
    }
    // A user under several PSOs gets the one with the lowest precedence (AD's rule).
    std::stable_sort(psos.begin(), psos.end(), [](const Found& a, const Found& c) {
        return a.precedence < c.precedence;
    });
    std::set<std::string> covered;
    for (const auto& found : psos) {
        const DirectoryEntry& e = *found.entry;
        scenario::FineGrainedPolicySpec pso;
        const auto* cn = e.first("cn");
        pso.name = cn != nullptr ? *cn : e.dn;
        pso.policy = b.s.onprem.policy;
        readPolicy(b, e, true, pso.policy, "onprem.fine_grained_policies." + pso.name);
        for (const auto& target : e.all("msDS-PSOAppliesTo")) {
            bool matched = false;
            for (auto& [sam, f] : b.facts) {
                if (f.entry != nullptr && dnLower(f.entry->dn) == dnLower(target)) {
                    matched = true;
                    if (covered.insert(sam).second) {
                        pso.users.push_back(sam);
                    }
                }
            }
            if (!matched) {
                b.remarks.push_back(
                    Builder::cite({e.where.file, e.lineOf("msDS-PSOAppliesTo"), 0}) + ": " +
                    pso.name + " applies to " + target +
                    ", which is not a user in the export (a group?); list its "
                    "members under the PSO's users");
            }
        }
        if (!pso.users.empty()) {
            b.notes.before["onprem.fine_grained_policies." + pso.name] =
                Builder::cite(e.where) + ": PSO " + e.dn;
            b.s.onprem.fineGrainedPolicies.push_back(std::move(pso));
        }
    }
}

/// The connector's rights on a user whose security descriptor inherits them (a protected
/// account's do not: AdminSDHolder replaced them, DOMAIN.md §9.1).
void readConnectorRights(Builder& b, const DirectoryEntry& e, const SecurityDescriptor& sd) {
    if (b.connectorSid.empty() || sd.daclProtected) {
        return;
    }
    auto& c = b.s.onprem.connector;
    const std::string sid = b.connectorSid;
    c.resetPassword = controlAccess(sd, sid, kResetPasswordRight) == Grant::Allowed;
    c.writeLockoutTime = writeProperty(sd, sid, kLockoutTimeAttribute) == Grant::Allowed;
    c.writePwdLastSet =
        writeProperty(sd, sid, kPwdLastSetAttribute, kAccountRestrictionsSet) == Grant::Allowed;
    b.notes.after["onprem.connector"] =
        Builder::cite({e.where.file, e.lineOf("nTSecurityDescriptor"), 0}) +
        ": the connector's ACEs on " + e.dn;
    if (std::find(b.s.established.begin(), b.s.established.end(), "connector") ==
        b.s.established.end()) {
        b.s.established.push_back("connector");
    }
}

void readUnexpireRight(Builder& b, const DirectoryEntry& domain) {
    const auto* raw = domain.first("nTSecurityDescriptor");
    if (raw == nullptr || b.connectorSid.empty()) {
        return;
    }
    if (auto sd = parseSecurityDescriptor(*raw)) {
        b.s.onprem.connector.unexpirePassword =
            controlAccess(*sd, b.connectorSid, kUnexpirePasswordRight) == Grant::Allowed;
    }
}

void readSecurity(Builder& b, const DirectoryEntry& e, scenario::UserSpec& u) {
    const auto* raw = e.first("nTSecurityDescriptor");
    if (raw == nullptr) {
        return;
    }
    auto sd = parseSecurityDescriptor(*raw);
    const std::string key = "onprem.users." + u.sam;
    if (!sd) {
        b.remarks.push_back(Builder::cite({e.where.file, e.lineOf("nTSecurityDescriptor"), 0}) +
                            ": nTSecurityDescriptor is not a self-relative security descriptor; "
                            "ignored");
        return;
    }
    const bool denied = controlAccess(*sd, kEveryone, kChangePasswordRight) == Grant::Denied ||
                        controlAccess(*sd, kSelf, kChangePasswordRight) == Grant::Denied;
    u.cannotChangePassword = denied;
    b.notes.after[key + ".cannot_change_password"] =
        Builder::cite({e.where.file, e.lineOf("nTSecurityDescriptor"), 0}) +
        (denied ? ": Change Password denied to Everyone/SELF" : ": Change Password not denied");
    readConnectorRights(b, e, *sd);
}

void readUser(Builder& b, const DirectoryEntry& e) {
    scenario::UserSpec u;
    u.sam = *e.first("sAMAccountName");
    const std::string key = "onprem.users." + u.sam;
    b.notes.before[key] = Builder::cite(e.where) + ": " + e.dn;
    const auto* upn = e.first("userPrincipalName");
    u.upn = upn != nullptr ? *upn : u.sam + "@" + b.s.onprem.baseDn;
    if (const auto* display = e.first("displayName")) {
        u.displayName = *display;
    }
    if (const auto* anchor = e.first("mS-DS-ConsistencyGuid"); anchor && anchor->size() == 16) {
        u.anchor = guidText(*anchor);
        b.notes.after[key + ".anchor"] =
            Builder::cite({e.where.file, e.lineOf("mS-DS-ConsistencyGuid"), 0}) +
            " mS-DS-ConsistencyGuid";
    } else if (const auto* guid = e.first("objectGUID"); guid && guid->size() == 16) {
        u.anchor = guidText(*guid);
        b.notes.after[key + ".anchor"] =
            Builder::cite({e.where.file, e.lineOf("objectGUID"), 0}) + " objectGUID";
    }
    if (const auto* uac = e.first("userAccountControl")) {
        const auto flags = parseInteger(*uac).value_or(0);
        u.disabled = (flags & kAccountDisable) != 0;
        u.passwordNeverExpires = (flags & kDontExpirePassword) != 0;
        const std::string at = Builder::cite({e.where.file, e.lineOf("userAccountControl"), 0}) +
                               " userAccountControl: " + *uac;
        b.notes.after[key + ".disabled"] = at;
        if (u.passwordNeverExpires) {
            b.notes.after[key + ".password_never_expires"] = at;
        }
    }
    if (const auto* admin = e.first("adminCount")) {
        u.protectedAccount = trim(*admin) == "1";
        b.notes.after[key + ".protected"] =
            Builder::cite({e.where.file, e.lineOf("adminCount"), 0}) + " adminCount: " + *admin;
    }
    readSecurity(b, e, u);
    UserFacts f;
    f.entry = &e;
    for (const auto& mail : e.all("mail")) {
        f.mails.push_back(lower(mail));
    }
    for (const auto& proxy : e.all("proxyAddresses")) {
        if (startsWith(lower(proxy), "smtp:")) {
            f.mails.push_back(lower(proxy.substr(5)));
        }
    }
    if (const auto* p = e.first("pwdLastSet")) {
        const auto v = parseInteger(*p).value_or(-1);
        f.pwdLastSet = v == 0 ? 0 : (v > 0 ? fromFileTime(v) : -1);
    }
    if (const auto* l = e.first("lockoutTime")) {
        const auto v = parseInteger(*l).value_or(0);
        f.lockoutTime = v <= 0 ? 0 : fromFileTime(v);
    }
    b.facts[u.sam] = f;
    b.s.established.push_back("user:" + u.sam);
    b.s.onprem.users.push_back(std::move(u));
}

const DirectoryEntry* findConnector(const Builder& b) {
    for (const auto& e : b.evidence.entries) {
        const auto* sam = e.first("sAMAccountName");
        if (sam == nullptr) {
            continue;
        }
        if (b.options.connectorAccount.empty() ? startsWith(lower(*sam), "msol_")
                                               : iequals(*sam, b.options.connectorAccount)) {
            return &e;
        }
    }
    return nullptr;
}

}  // namespace

void draftDirectory(Builder& b) {
    const DirectoryEntry* domain = nullptr;
    for (const auto& e : b.evidence.entries) {
        if (isDomain(e) && domain == nullptr) {
            domain = &e;
        }
    }
    if (domain != nullptr) {
        b.s.onprem.baseDn = domainDnOf(domain->dn);
        b.notes.before["onprem.policy"] =
            Builder::cite(domain->where) + ": the domain's password policy (" + domain->dn + ")";
        readPolicy(b, *domain, false, b.s.onprem.policy, "onprem.policy");
        b.s.established.push_back("policy");
    } else if (!b.evidence.entries.empty()) {
        b.s.onprem.baseDn = domainDnOf(b.evidence.entries.front().dn);
        b.remarks.push_back(
            "the directory export has no domain object: the domain's password policy is "
            "the lab's default (export the domain head with ldifde -d DC=... -p base)");
    }
    if (const DirectoryEntry* connector = findConnector(b)) {
        if (const auto* sid = connector->first("objectSid")) {
            b.connectorSid = sidText(*sid);
        }
    }
    for (const auto& e : b.evidence.entries) {
        if (!isUser(e) || findConnector(b) == &e) {
            continue;
        }
        readUser(b, e);
    }
    if (domain != nullptr) {
        readUnexpireRight(b, *domain);
    }
    readPsos(b);
    if (b.evidence.entries.empty()) {
        b.remarks.push_back(
            "no directory export: users are made from the logs with AD's default "
            "account state and the lab's default policy");
    }
}

}  // namespace wblab::evidence::detail
