// The reference agent's Active Directory recipe (docs/agent-protocol.md, "Writing to AD"), and
// the choice between it and the slapd recipe of ldap_writer.cpp.
//
//   reset          modify unicodePwd: replace "<new>" (quoted, UTF-16LE) as the connector
//   change         modify unicodePwd: delete "<old>", add "<new>": the DC checks the old
//                  password, the minimum age, history and the Change Password right: a change,
//                  not a reset, though it is sent on the connector's connection (a user whose
//                  password must change or has expired cannot bind, yet may change it)
//   unlock         modify lockoutTime: replace 0
//   must change    modify pwdLastSet: replace 0 (and -1 to clear it: Unexpire Password)
//
// Failures carry AD's 8-hex-digit code at the start of the diagnostic (MS-ERREF win32 codes):
// 0000052D policy (33008), 00000056 wrong current password (33007), 00000775 locked out
// (33006), 00000005 or insufficientAccessRights access denied (33004), noSuchObject (33002); a
// constraint violation with no code is a denied Change Password right (33004).
#include "directory_writer.hpp"

#include <ldap.h>

#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace wblab::agent {

namespace {

constexpr int kAdUnknownError = 33001;
constexpr int kAdUserNotFound = 33002;
constexpr int kAdPermissions = 33004;
constexpr int kAdUserAccountDisabled = 33005;
constexpr int kAdUserLockedOut = 33006;
constexpr int kAdIncorrectPassword = 33007;
constexpr int kAdPasswordPolicy = 33008;

/// The code points of UTF-8 text; nullopt if it is not UTF-8.
std::optional<std::u32string> decodeUtf8(const std::string& text) {
    std::u32string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const int extra = lead < 0x80             ? 0
                          : (lead & 0xE0) == 0xC0 ? 1
                          : (lead & 0xF0) == 0xE0 ? 2
                          : (lead & 0xF8) == 0xF0 ? 3
                                                  : -1;
        if (extra < 0 || (extra > 0 && i + static_cast<std::size_t>(extra) >= text.size())) {
            return std::nullopt;
        }
        static const char32_t minimum[] = {0, 0x80, 0x800, 0x10000};
        char32_t cp = extra == 0 ? lead : (lead & (0x7F >> (extra + 1)));
        for (int k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((next & 0xC0) != 0x80) {
                return std::nullopt;
            }
            cp = (cp << 6) | (next & 0x3F);
        }
        if (cp < minimum[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return std::nullopt;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(extra) + 1;
    }
    return out;
}

/// The value of a unicodePwd write: the password in double quotes, UTF-16LE
/// (MS-ADTS 3.1.1.3.1.5.1); nullopt if the password is not UTF-8.
std::optional<std::string> unicodePwd(const std::string& utf8) {
    auto points = decodeUtf8(utf8);
    if (!points) {
        return std::nullopt;
    }
    std::string out;
    auto unit = [&out](char32_t u) {
        out.push_back(static_cast<char>(u & 0xFF));
        out.push_back(static_cast<char>((u >> 8) & 0xFF));
    };
    unit(U'"');
    for (char32_t cp : *points) {
        if (cp >= 0x10000) {
            unit(0xD800 + ((cp - 0x10000) >> 10));
            unit(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            unit(cp);
        }
    }
    unit(U'"');
    return out;
}

std::string diagnosticOf(LDAP* ld) {
    char* text = nullptr;
    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text);
    std::string out = text != nullptr ? text : "";
    ldap_memfree(text);
    return out;
}

/// AD's code at the start of a diagnostic ("0000052D: Constraint violation - ..."), or empty.
std::string extendedCode(const std::string& diagnostic) {
    if (diagnostic.size() < 9 || diagnostic[8] != ':') {
        return "";
    }
    std::string code = diagnostic.substr(0, 8);
    for (char& c : code) {
        if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
            return "";
        }
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return code;
}

/// The 33xxx reason of a failed AD write (DOMAIN.md §5.1).
WriteFailure classifyAd(int rc, const std::string& diagnostic, const std::string& what) {
    const std::string code = extendedCode(diagnostic);
    const std::string detail =
        what + ": " + ldap_err2string(rc) + (code.empty() ? std::string() : " (" + code + ")");
    if (code == "0000052D") {
        return {kAdPasswordPolicy, what + ": the password does not meet the policy (0000052D)"};
    }
    if (code == "00000056") {
        return {kAdIncorrectPassword, what + ": the current password is wrong (00000056)"};
    }
    if (code == "00000775") {
        return {kAdUserLockedOut, what + ": the account is locked out (00000775)"};
    }
    if (code == "00000005" || rc == LDAP_INSUFFICIENT_ACCESS) {
        return {kAdPermissions, what + ": access denied" + (code.empty() ? "" : " (" + code + ")")};
    }
    if (rc == LDAP_NO_SUCH_OBJECT) {
        return {kAdUserNotFound, what + ": the object could not be found"};
    }
    if (rc == LDAP_CONSTRAINT_VIOLATION) {
        // Every policy refusal carries 0000052D; a constraint violation without an AD code is
        // the ACL refusing a change ("User cannot change password": Samba answers 19 there, as
        // its tests say AD does).
        return {kAdPermissions,
                what + ": refused without a policy code (no Change Password right)"};
    }
    return {kAdUnknownError, detail};
}

/// The slapd recipe: LdapWriter as it is.
class SlapdWriter : public DirectoryWriter {
public:
    explicit SlapdWriter(DirectoryConfig config) : writer_(std::move(config)) {}

    Expected<void> connect() override { return writer_.connect(); }

    PendingFind beginFindByAnchor(const std::string& anchor) override {
        return writer_.beginFindByAnchor(anchor);
    }

    PendingFind beginFindByUpn(const std::string& upn) override {
        return writer_.beginFindByUpn(upn);
    }

    Outcome<Done> changePassword(const std::string& dn,
                                 const std::string& oldPassword,
                                 const std::string& newPassword) override {
        return writer_.changePassword(dn, oldPassword, newPassword);
    }

    Outcome<Done> verifyPassword(const std::string& dn, const std::string& password) override {
        return writer_.verifyPassword(dn, password);
    }

    Outcome<Done> addPassword(const std::string& dn, const std::string& password) override {
        return writer_.addPassword(dn, password);
    }

    Outcome<Done> resetPassword(const std::string& dn, const std::string& password) override {
        return writer_.resetPassword(dn, password);
    }

    Outcome<Done> unlock(const std::string& dn) override { return writer_.unlock(dn); }

    Outcome<Done> setMustChange(const std::string& dn, bool mustChange) override {
        return writer_.setMustChange(dn, mustChange);
    }

private:
    LdapWriter writer_;
};

/// Active Directory: finds with LdapWriter (same search by anchor), writes with unicodePwd,
/// lockoutTime and pwdLastSet on a session of its own, bound as the connector.
class AdWriter : public DirectoryWriter {
public:
    explicit AdWriter(DirectoryConfig config) : config_(config), finder_(std::move(config)) {}

    ~AdWriter() override { close(); }

    AdWriter(const AdWriter&) = delete;
    AdWriter& operator=(const AdWriter&) = delete;

    Expected<void> connect() override {
        if (auto found = finder_.connect(); !found) {
            return found;
        }
        return open();
    }

    PendingFind beginFindByAnchor(const std::string& anchor) override {
        return finder_.beginFindByAnchor(anchor);
    }

    PendingFind beginFindByUpn(const std::string& upn) override {
        return finder_.beginFindByUpn(upn);
    }

    Outcome<Done> resetPassword(const std::string& dn, const std::string& password) override {
        auto value = unicodePwd(password);
        if (!value) {
            return WriteFailure{kAdPasswordPolicy, "password reset: the password is not UTF-8"};
        }
        return modify(dn, {{LDAP_MOD_REPLACE, "unicodePwd", *value}}, "password reset");
    }

    Outcome<Done> changePassword(const std::string& dn,
                                 const std::string& oldPassword,
                                 const std::string& newPassword) override {
        auto oldValue = unicodePwd(oldPassword);
        auto newValue = unicodePwd(newPassword);
        if (!oldValue) {
            return WriteFailure{kAdIncorrectPassword,
                                "password change: the current password is wrong"};
        }
        if (!newValue) {
            return WriteFailure{kAdPasswordPolicy, "password change: the password is not UTF-8"};
        }
        return modify(
            dn,
            {{LDAP_MOD_DELETE, "unicodePwd", *oldValue}, {LDAP_MOD_ADD, "unicodePwd", *newValue}},
            "password change");
    }

    Outcome<Done> verifyPassword(const std::string& dn, const std::string& password) override;

    /// AD keeps one password: an added value without a delete is a reset (Reset Password right).
    Outcome<Done> addPassword(const std::string& dn, const std::string& password) override {
        auto value = unicodePwd(password);
        if (!value) {
            return WriteFailure{kAdPasswordPolicy, "add password: the password is not UTF-8"};
        }
        return modify(dn, {{LDAP_MOD_ADD, "unicodePwd", *value}}, "add password");
    }

    Outcome<Done> unlock(const std::string& dn) override {
        return modify(dn, {{LDAP_MOD_REPLACE, "lockoutTime", "0"}}, "unlock");
    }

    /// pwdLastSet 0 sets it; -1 (now) clears it, which needs Unexpire Password on the domain.
    Outcome<Done> setMustChange(const std::string& dn, bool mustChange) override {
        return modify(dn,
                      {{LDAP_MOD_REPLACE, "pwdLastSet", mustChange ? "0" : "-1"}},
                      mustChange ? "set must-change" : "clear must-change");
    }

private:
    struct Change {
        int op;
        const char* attribute;
        std::string value;
    };

    Expected<void> open();
    void close();
    int send(const std::string& dn, const std::vector<Change>& changes);
    Outcome<Done> modify(const std::string& dn,
                         const std::vector<Change>& changes,
                         const std::string& what);

    DirectoryConfig config_;
    LdapWriter finder_;
    LDAP* ld_ = nullptr;
};

/// A session like the finder's: LDAPv3, 5 s timeouts, for ldaps trust in the directory's CA only
/// and a certificate for its host.
LDAP* openAdSession(const DirectoryConfig& config) {
    LDAP* ld = nullptr;
    if (ldap_initialize(&ld, config.url.c_str()) != LDAP_SUCCESS) {
        return nullptr;
    }
    int version = LDAP_VERSION3;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    setTlsOptions(ld, config);
    timeval timeout{5, 0};
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout);
    return ld;
}

Expected<void> AdWriter::open() {
    close();
    ld_ = openAdSession(config_);
    if (ld_ == nullptr) {
        return makeError(ErrorCode::Unavailable, "cannot initialise LDAP for " + config_.url);
    }
    berval cred{static_cast<ber_len_t>(config_.connectorPassword.size()),
                config_.connectorPassword.data()};
    int rc = ldap_sasl_bind_s(
        ld_, config_.connectorDn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
        const std::string why = describeFailure(ld_, rc);
        close();
        return makeError(ErrorCode::Unavailable, "bind: " + why);
    }
    return {};
}

void AdWriter::close() {
    if (ld_ != nullptr) {
        ldap_unbind_ext_s(ld_, nullptr, nullptr);
        ld_ = nullptr;
    }
}

int AdWriter::send(const std::string& dn, const std::vector<Change>& changes) {
    std::vector<LDAPMod> mods(changes.size());
    std::vector<berval> values(changes.size());
    std::vector<std::array<berval*, 2>> lists(changes.size());
    std::vector<LDAPMod*> pointers;
    for (std::size_t i = 0; i < changes.size(); ++i) {
        values[i] = berval{static_cast<ber_len_t>(changes[i].value.size()),
                           const_cast<char*>(changes[i].value.data())};
        lists[i] = {&values[i], nullptr};
        mods[i].mod_op = changes[i].op | LDAP_MOD_BVALUES;
        mods[i].mod_type = const_cast<char*>(changes[i].attribute);
        mods[i].mod_bvalues = lists[i].data();
        pointers.push_back(&mods[i]);
    }
    pointers.push_back(nullptr);
    return ldap_modify_ext_s(ld_, dn.c_str(), pointers.data(), nullptr, nullptr);
}

Outcome<Done> AdWriter::modify(const std::string& dn,
                               const std::vector<Change>& changes,
                               const std::string& what) {
    if (ld_ == nullptr) {
        if (auto opened = open(); !opened) {
            return WriteFailure{kAdUnknownError, what + ": " + opened.error().message};
        }
    }
    int rc = send(dn, changes);
    if (rc == LDAP_SERVER_DOWN) {
        // The DC restarted or dropped an idle connection (a clock jump): once more, afresh.
        if (auto opened = open(); !opened) {
            return WriteFailure{kAdUnknownError, what + ": " + opened.error().message};
        }
        rc = send(dn, changes);
    }
    if (rc != LDAP_SUCCESS) {
        return classifyAd(rc, diagnosticOf(ld_), what);
    }
    return Done{};
}

Outcome<Done> AdWriter::verifyPassword(const std::string& dn, const std::string& password) {
    LDAP* user = openAdSession(config_);
    if (user == nullptr) {
        return WriteFailure{kAdUnknownError, "cannot initialise LDAP"};
    }
    berval cred{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
    int rc = ldap_sasl_bind_s(user, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    const std::string diagnostic = diagnosticOf(user);
    ldap_unbind_ext_s(user, nullptr, nullptr);
    if (rc == LDAP_SUCCESS) {
        return Done{};
    }
    // AD's bind refusal: "80090308: LdapErr: ..., data 775, v1db1".
    const auto at = diagnostic.find(", data ");
    const std::string data = at == std::string::npos ? "" : diagnostic.substr(at + 7, 3);
    if (rc == LDAP_INVALID_CREDENTIALS && (data == "773" || data == "532")) {
        return Done{};  // the password is right; it must change or has expired
    }
    if (rc == LDAP_INVALID_CREDENTIALS && data == "775") {
        return WriteFailure{kAdUserLockedOut, "the account is locked out (775)"};
    }
    if (rc == LDAP_INVALID_CREDENTIALS && data == "533") {
        return WriteFailure{kAdUserAccountDisabled, "the account is disabled (533)"};
    }
    if (rc == LDAP_INVALID_CREDENTIALS) {
        return WriteFailure{kAdIncorrectPassword, "the current password is wrong (" + data + ")"};
    }
    return classifyAd(rc, diagnostic, "bind as the user");
}

}  // namespace

bool speaksAd(const std::string& flavour) {
    return flavour == "samba-ad";
}

std::unique_ptr<DirectoryWriter> makeDirectoryWriter(const std::string& flavour,
                                                     DirectoryConfig config) {
    if (speaksAd(flavour)) {
        return std::make_unique<AdWriter>(std::move(config));
    }
    return std::make_unique<SlapdWriter>(std::move(config));
}

}  // namespace wblab::agent
