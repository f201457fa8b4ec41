#include "ldap_writer.hpp"

#include <ldap.h>

#include <cstdlib>
#include <memory>
#include <vector>

namespace wblab::agent {

namespace {

constexpr int kAdUnknownError = 33001;
constexpr int kAdUserNotFound = 33002;
constexpr int kAdMultiMatch = 33003;
constexpr int kAdPermissions = 33004;
constexpr int kAdUserLockedOut = 33006;
constexpr int kAdIncorrectPassword = 33007;
constexpr int kAdPasswordPolicy = 33008;

/// RFC 4515 escaping for a value inside a search filter.
std::string escapeFilterValue(const std::string& value) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : value) {
        if (c == '*' || c == '(' || c == ')' || c == '\\' || c == 0) {
            out += '\\';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

/// A session to the directory with LDAPv3, 5 s timeouts and, for ldaps, trust in exactly the
/// directory's CA with a valid certificate for its host demanded; nullptr if libldap refuses the
/// URL.
LDAP* openSession(const DirectoryConfig& config) {
    LDAP* ld = nullptr;
    if (ldap_initialize(&ld, config.url.c_str()) != LDAP_SUCCESS) {
        return nullptr;
    }
    int version = LDAP_VERSION3;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    setTlsOptions(ld, config);
    timeval timeout{5, 0};
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout);
    return ld;
}

WriteFailure classify(int rc, const std::string& what) {
    switch (rc) {
        case LDAP_CONSTRAINT_VIOLATION:
            return {kAdPasswordPolicy, what + ": the password does not meet the policy"};
        case LDAP_INSUFFICIENT_ACCESS:
            return {kAdPermissions, what + ": the connector account was denied access"};
        case LDAP_NO_SUCH_OBJECT:
            return {kAdUserNotFound, what + ": the object could not be found"};
        default:
            return {kAdUnknownError, what + ": " + ldap_err2string(rc)};
    }
}

/// The diagnostic message of the last operation on `ld`.
std::string lastDiagnostic(LDAP* ld) {
    char* text = nullptr;
    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text);
    std::string out = text != nullptr ? text : "";
    ldap_memfree(text);
    return out;
}

/// A refused change, read as AD writes it: constraintViolation with an 8-hex-digit code first
/// (00000056 wrong current password, 00000775 locked out, anything else the policy).
WriteFailure classifyChange(int rc, const std::string& diagnostic) {
    if (rc == LDAP_CONSTRAINT_VIOLATION && diagnostic.rfind("00000056", 0) == 0) {
        return {kAdIncorrectPassword, "password change: the current password is wrong"};
    }
    if (rc == LDAP_CONSTRAINT_VIOLATION && diagnostic.rfind("00000775", 0) == 0) {
        return {kAdUserLockedOut, "password change: the account is locked out"};
    }
    return classify(rc, "password change");
}

}  // namespace

void setTlsOptions(LDAP* ld, const DirectoryConfig& config) {
    if (config.tlsCaFile.empty()) {
        return;
    }
    int require = config.skipTlsVerification ? LDAP_OPT_X_TLS_NEVER : LDAP_OPT_X_TLS_DEMAND;
    int newContext = 0;
    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, config.tlsCaFile.c_str());
    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require);
    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &newContext);
}

std::string describeFailure(LDAP* ld, int rc) {
    const std::string diagnostic = lastDiagnostic(ld);
    return std::string(ldap_err2string(rc)) + (diagnostic.empty() ? "" : " (" + diagnostic + ")");
}

LdapWriter::LdapWriter(DirectoryConfig config) : config_(std::move(config)) {}

LdapWriter::~LdapWriter() {
    if (ld_ != nullptr) {
        ldap_unbind_ext_s(ld_, nullptr, nullptr);
    }
}

LdapWriter::LdapWriter(LdapWriter&& other) noexcept
    : config_(std::move(other.config_)), ld_(other.ld_) {
    other.ld_ = nullptr;
}

LdapWriter& LdapWriter::operator=(LdapWriter&& other) noexcept {
    std::swap(config_, other.config_);
    std::swap(ld_, other.ld_);
    return *this;
}

Expected<void> LdapWriter::connect() {
    if (ld_ != nullptr) {
        ldap_unbind_ext_s(ld_, nullptr, nullptr);
        ld_ = nullptr;
    }
    ld_ = openSession(config_);
    if (ld_ == nullptr) {
        return makeError(ErrorCode::Unavailable, "cannot initialise LDAP for " + config_.url);
    }
    berval cred{static_cast<ber_len_t>(config_.connectorPassword.size()),
                config_.connectorPassword.data()};
    int rc = ldap_sasl_bind_s(
        ld_, config_.connectorDn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
        const std::string why = describeFailure(ld_, rc);
        // Keep no half-open handle: a later search on it would run unauthenticated once the
        // directory is back, find nobody and blame the user (33002).
        ldap_unbind_ext_s(ld_, nullptr, nullptr);
        ld_ = nullptr;
        return makeError(ErrorCode::Unavailable, "bind: " + why);
    }
    return {};
}

Outcome<Done> LdapWriter::ensureBound() {
    if (ld_ != nullptr) {
        return Done{};
    }
    if (auto c = connect(); !c) {
        return WriteFailure{kAdUnknownError, c.error().message};
    }
    return Done{};
}

namespace {

char kUacAttribute[] = "userAccountControl";
char* kFindAttributes[] = {kUacAttribute, nullptr};

}  // namespace

Outcome<UserRef> LdapWriter::findOne(const std::string& filter, bool retried) {
    if (auto bound = ensureBound(); !bound) {
        return bound.error();
    }
    LDAPMessage* result = nullptr;
    int rc = ldap_search_ext_s(ld_,
                               config_.baseDn.c_str(),
                               LDAP_SCOPE_SUBTREE,
                               filter.c_str(),
                               kFindAttributes,
                               0,
                               nullptr,
                               nullptr,
                               nullptr,
                               2,
                               &result);
    if (rc == LDAP_SERVER_DOWN && !retried) {
        // The directory restarted since the last request (a DC reboot): reconnect once. Every
        // request starts with this search, so later writes use the fresh connection.
        ldap_msgfree(result);
        ldap_unbind_ext_s(ld_, nullptr, nullptr);
        ld_ = nullptr;
        return findOne(filter, true);
    }
    return usersIn(result, rc, filter);
}

PendingFind LdapWriter::beginFindByAnchor(const std::string& anchor) {
    return beginFind("(" + config_.anchorAttribute + "=" + escapeFilterValue(anchor) + ")");
}

PendingFind LdapWriter::beginFindByUpn(const std::string& upn) {
    return beginFind("(userPrincipalName=" + escapeFilterValue(upn) + ")");
}

PendingFind LdapWriter::beginFind(const std::string& filter) {
    int msgid = -1;
    if (ld_ == nullptr || ldap_search_ext(ld_,
                                          config_.baseDn.c_str(),
                                          LDAP_SCOPE_SUBTREE,
                                          filter.c_str(),
                                          kFindAttributes,
                                          0,
                                          nullptr,
                                          nullptr,
                                          nullptr,
                                          2,
                                          &msgid) != LDAP_SUCCESS) {
        msgid = -1;  // wait() connects if needed and searches then
    }
    return PendingFind(this, filter, msgid);
}

Outcome<UserRef> LdapWriter::finishFind(const std::string& filter, int msgid) {
    if (msgid < 0) {
        return findOne(filter, false);
    }
    timeval timeout{5, 0};
    LDAPMessage* result = nullptr;
    int got = ldap_result(ld_, msgid, LDAP_MSG_ALL, &timeout, &result);
    if (got <= 0) {
        // Dropped (a DC restart) or silent: search again on a fresh connection, once.
        ldap_msgfree(result);
        ldap_unbind_ext_s(ld_, nullptr, nullptr);
        ld_ = nullptr;
        return findOne(filter, true);
    }
    int rc = LDAP_OTHER;
    ldap_parse_result(ld_, result, &rc, nullptr, nullptr, nullptr, nullptr, 0);
    return usersIn(result, rc, filter);
}

void LdapWriter::abandon(int msgid) {
    if (ld_ != nullptr && msgid >= 0) {
        ldap_abandon_ext(ld_, msgid, nullptr, nullptr);
    }
}

/// The users of a search result (freed here), or the failure the agent reports.
Outcome<UserRef> LdapWriter::usersIn(LDAPMessage* result, int rc, const std::string& filter) {
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
        ldap_msgfree(result);
        return classify(rc, "search by anchor");
    }
    std::vector<UserRef> users;
    for (LDAPMessage* e = ldap_first_entry(ld_, result); e != nullptr;
         e = ldap_next_entry(ld_, e)) {
        UserRef user;
        char* dn = ldap_get_dn(ld_, e);
        user.dn = dn;
        ldap_memfree(dn);
        berval** values = ldap_get_values_len(ld_, e, "userAccountControl");
        if (values != nullptr && values[0] != nullptr) {
            user.userAccountControl =
                std::atoi(std::string(values[0]->bv_val, values[0]->bv_len).c_str());
        }
        ldap_value_free_len(values);
        users.push_back(std::move(user));
    }
    ldap_msgfree(result);
    if (users.empty()) {
        return WriteFailure{kAdUserNotFound, "no user matches " + filter};
    }
    if (users.size() > 1 || rc == LDAP_SIZELIMIT_EXCEEDED) {
        return WriteFailure{kAdMultiMatch, "several users match " + filter};
    }
    return users.front();
}

PendingFind::~PendingFind() {
    if (msgid_ >= 0) {
        writer_->abandon(msgid_);
    }
}

Outcome<UserRef> PendingFind::wait() {
    const int msgid = msgid_;
    msgid_ = -1;
    return writer_->finishFind(filter_, msgid);
}

Outcome<Done> LdapWriter::resetPassword(const std::string& dn, const std::string& password) {
    if (auto bound = ensureBound(); !bound) {
        return bound.error();
    }
    berval user{static_cast<ber_len_t>(dn.size()), const_cast<char*>(dn.data())};
    berval newPw{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
    berval generated{0, nullptr};
    int rc = ldap_passwd_s(ld_, &user, nullptr, &newPw, &generated, nullptr, nullptr);
    ber_memfree(generated.bv_val);
    if (rc != LDAP_SUCCESS) {
        return classify(rc, "password reset");
    }
    return Done{};
}

Outcome<Done> LdapWriter::unlock(const std::string& dn) {
    if (auto bound = ensureBound(); !bound) {
        return bound.error();
    }
    char attr[] = "pwdAccountLockedTime";
    LDAPMod mod{};
    mod.mod_op = LDAP_MOD_DELETE;
    mod.mod_type = attr;
    LDAPMod* mods[] = {&mod, nullptr};
    int rc = ldap_modify_ext_s(ld_, dn.c_str(), mods, nullptr, nullptr);
    if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_ATTRIBUTE) {
        return classify(rc, "unlock");
    }
    return Done{};
}

namespace {

/// Binds `user` as `dn` with the password-policy control, to tell a lockout (33006) from a wrong
/// password (33007).
Outcome<Done> bindAsUser(LDAP* user, const std::string& dn, const std::string& oldPassword) {
    timeval timeout{5, 0};
    // Bind as the user with the password-policy control, to tell a lockout from a wrong password.
    char oid[] = LDAP_CONTROL_PASSWORDPOLICYREQUEST;
    LDAPControl request{oid, {0, nullptr}, 0};
    LDAPControl* controls[] = {&request, nullptr};
    berval cred{static_cast<ber_len_t>(oldPassword.size()), const_cast<char*>(oldPassword.data())};
    int msgid = 0;
    int rc = ldap_sasl_bind(user, dn.c_str(), LDAP_SASL_SIMPLE, &cred, controls, nullptr, &msgid);
    LDAPMessage* msg = nullptr;
    if (rc != LDAP_SUCCESS || ldap_result(user, msgid, LDAP_MSG_ALL, &timeout, &msg) <= 0) {
        return WriteFailure{kAdUnknownError, "bind as the user failed"};
    }
    int result = -1;
    LDAPControl** response = nullptr;
    ldap_parse_result(user, msg, &result, nullptr, nullptr, nullptr, &response, 1);
    LDAPPasswordPolicyError ppolicy = PP_noError;
    if (response != nullptr) {
        if (LDAPControl* pp =
                ldap_control_find(LDAP_CONTROL_PASSWORDPOLICYRESPONSE, response, nullptr)) {
            ber_int_t expire = -1;
            ber_int_t grace = -1;
            ldap_parse_passwordpolicy_control(user, pp, &expire, &grace, &ppolicy);
        }
        ldap_controls_free(response);
    }
    if (result == LDAP_INVALID_CREDENTIALS) {
        if (ppolicy == PP_accountLocked) {
            return WriteFailure{kAdUserLockedOut, "the account is locked out"};
        }
        // AD refuses the bind of a password that must change (773) or has expired (532) only
        // once the password is proved right: for checking it, that is a yes.
        if (ppolicy == PP_changeAfterReset || ppolicy == PP_passwordExpired) {
            return Done{};
        }
        return WriteFailure{kAdIncorrectPassword, "the current password is wrong"};
    }
    if (result != LDAP_SUCCESS) {
        return classify(result, "bind as the user");
    }
    return Done{};
}

using Session = std::unique_ptr<LDAP, void (*)(LDAP*)>;

Session userSession(const DirectoryConfig& config) {
    return Session(openSession(config), [](LDAP* ld) {
        if (ld != nullptr) {
            ldap_unbind_ext_s(ld, nullptr, nullptr);
        }
    });
}

}  // namespace

Outcome<Done> LdapWriter::verifyPassword(const std::string& dn, const std::string& password) {
    auto session = userSession(config_);
    if (!session) {
        return WriteFailure{kAdUnknownError, "cannot initialise LDAP"};
    }
    return bindAsUser(session.get(), dn, password);
}

Outcome<Done> LdapWriter::changePassword(const std::string& dn,
                                         const std::string& oldPassword,
                                         const std::string& newPassword) {
    if (auto bound = ensureBound(); !bound) {
        return bound.error();
    }
    // AD's change, on the connector's connection: one modify that deletes the current value and
    // adds the new one. The directory proves the current password (a wrong one counts towards
    // lockout) and applies the user's own rights and policy, as it does for Change Password. The
    // user need not bind, so a password that must change or has expired can be changed.
    std::string oldValue = oldPassword;
    std::string newValue = newPassword;
    berval oldVal{static_cast<ber_len_t>(oldValue.size()), oldValue.data()};
    berval newVal{static_cast<ber_len_t>(newValue.size()), newValue.data()};
    berval* oldVals[] = {&oldVal, nullptr};
    berval* newVals[] = {&newVal, nullptr};
    char attr[] = "userPassword";
    LDAPMod remove{};
    remove.mod_op = LDAP_MOD_DELETE | LDAP_MOD_BVALUES;
    remove.mod_type = attr;
    remove.mod_bvalues = oldVals;
    LDAPMod add{};
    add.mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
    add.mod_type = attr;
    add.mod_bvalues = newVals;
    LDAPMod* mods[] = {&remove, &add, nullptr};
    int rc = ldap_modify_ext_s(ld_, dn.c_str(), mods, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
        return classifyChange(rc, lastDiagnostic(ld_));
    }
    return Done{};
}

Outcome<Done> LdapWriter::addPassword(const std::string& dn, const std::string& password) {
    if (auto bound = ensureBound(); !bound) {
        return bound.error();
    }
    std::string value = password;
    char attr[] = "userPassword";
    char* values[] = {value.data(), nullptr};
    LDAPMod mod{};
    mod.mod_op = LDAP_MOD_ADD;
    mod.mod_type = attr;
    mod.mod_values = values;
    LDAPMod* mods[] = {&mod, nullptr};
    int rc = ldap_modify_ext_s(ld_, dn.c_str(), mods, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
        return classify(rc, "add password");
    }
    return Done{};
}

Outcome<Done> LdapWriter::setMustChange(const std::string& dn, bool mustChange) {
    if (auto bound = ensureBound(); !bound) {
        return bound.error();
    }
    char attr[] = "pwdReset";
    char value[] = "TRUE";
    char* values[] = {value, nullptr};
    LDAPMod mod{};
    mod.mod_op = mustChange ? LDAP_MOD_REPLACE : LDAP_MOD_DELETE;
    mod.mod_type = attr;
    mod.mod_values = mustChange ? values : nullptr;
    LDAPMod* mods[] = {&mod, nullptr};
    int rc = ldap_modify_ext_s(ld_, dn.c_str(), mods, nullptr, nullptr);
    if (rc != LDAP_SUCCESS && !(rc == LDAP_NO_SUCH_ATTRIBUTE && !mustChange)) {
        return classify(rc, mustChange ? "set must-change" : "clear must-change");
    }
    return Done{};
}

}  // namespace wblab::agent
