#pragma once
// The reference agent's directory side: find a user by source anchor and write as the connector
// account. Failures carry the 33xxx reason the agent reports (DOMAIN.md §5.1).

#include <wblab/support/expected.hpp>

#include <memory>
#include <string>
#include <variant>

typedef struct ldap LDAP;
typedef struct ldapmsg LDAPMessage;

namespace wblab::agent {

struct DirectoryConfig {
    std::string url;
    /// For ldaps: the only CA trusted; the certificate must also name the URL's host.
    std::string tlsCaFile;
    /// Bug zoo (skips-tls-verification): accept any certificate, for any host.
    bool skipTlsVerification = false;
    std::string baseDn;
    std::string anchorAttribute;
    std::string connectorDn;
    std::string connectorPassword;
};

struct WriteFailure {
    int reason = 33001;
    std::string detail;
};

template <typename T>
class Outcome {
public:
    Outcome(T value) : state_(std::move(value)) {}

    Outcome(WriteFailure failure) : state_(std::move(failure)) {}

    explicit operator bool() const { return state_.index() == 0; }

    const T& operator*() const { return std::get<0>(state_); }

    const WriteFailure& error() const { return std::get<1>(state_); }

private:
    std::variant<T, WriteFailure> state_;
};

struct Done {};

/// A user found by anchor, with the account flags the agent must honour.
struct UserRef {
    std::string dn;
    int userAccountControl = 0;

    bool disabled() const { return (userAccountControl & 0x2) != 0; }

    bool passwordNeverExpires() const { return (userAccountControl & 0x10000) != 0; }
};

class LdapWriter;

/// Applies the TLS settings of `config` to a new session: for ldaps, trust in exactly the
/// handshake's CA, a valid certificate that names the URL's host demanded (libldap checks the
/// host name, or the address, against the certificate's subject alternative names and CN).
void setTlsOptions(LDAP* ld, const DirectoryConfig& config);

/// The text of a failed connection or operation: libldap's error and, when it has one, the
/// diagnostic (a TLS failure says why the certificate was refused there).
std::string describeFailure(LDAP* ld, int rc);

/// A search for a user sent to the directory and not read yet, so that the agent can decrypt the
/// password while the directory searches. Abandoned if dropped unread.
class PendingFind {
public:
    PendingFind(LdapWriter* writer, std::string filter, int msgid)
        : writer_(writer), filter_(std::move(filter)), msgid_(msgid) {}

    PendingFind(PendingFind&& other) noexcept
        : writer_(other.writer_), filter_(std::move(other.filter_)), msgid_(other.msgid_) {
        other.msgid_ = -1;
    }

    PendingFind& operator=(PendingFind&&) = delete;
    PendingFind(const PendingFind&) = delete;
    PendingFind& operator=(const PendingFind&) = delete;
    ~PendingFind();

    /// The one user the search found: 33002 if none, 33003 if several.
    Outcome<UserRef> wait();

private:
    LdapWriter* writer_;
    std::string filter_;
    int msgid_;  ///< -1: not sent (no connection yet); wait() searches then
};

class LdapWriter {
public:
    explicit LdapWriter(DirectoryConfig config);
    ~LdapWriter();
    LdapWriter(LdapWriter&&) noexcept;
    LdapWriter& operator=(LdapWriter&&) noexcept;

    /// Connects and binds as the connector account.
    Expected<void> connect();

    /// Sends the search for the one user whose anchor attribute equals `anchor` (or, bug zoo
    /// only, whose userPrincipalName is `upn`: matching by UPN is wrong, the anchor is the
    /// identity) without waiting for its result.
    PendingFind beginFindByAnchor(const std::string& anchor);
    PendingFind beginFindByUpn(const std::string& upn);

    /// Changes the password as AD's Change Password does, proving the current one (a modify that
    /// deletes it and adds the new one; no bind as the user, so a password that must change or
    /// has expired can be changed): 33007 if it is wrong, 33006 if the account is locked out,
    /// 33008 on a policy refusal, 33004 if the user may not change it.
    Outcome<Done> changePassword(const std::string& dn,
                                 const std::string& oldPassword,
                                 const std::string& newPassword);

    /// Binds as the user with `password`: 33007 if it is wrong, 33006 if the account is locked;
    /// a bind refused because the password must change or has expired proves it right.
    Outcome<Done> verifyPassword(const std::string& dn, const std::string& password);

    /// Adds a password value beside the existing ones (bug zoo: old-password-still-works).
    Outcome<Done> addPassword(const std::string& dn, const std::string& password);

    /// Sets the password as the connector (Password Modify without the old password), so the
    /// directory enforces its policy: 33008 on a policy refusal, 33004 on a permission refusal.
    Outcome<Done> resetPassword(const std::string& dn, const std::string& password);

    /// Clears the lockout (AD: lockoutTime = 0). Not locked is not an error.
    Outcome<Done> unlock(const std::string& dn);

    /// Sets or clears "must change password at next logon" (AD: pwdLastSet = 0 or -1; here the
    /// ppolicy attribute pwdReset). Clearing needs the Unexpire Password right.
    Outcome<Done> setMustChange(const std::string& dn, bool mustChange);

private:
    friend class PendingFind;
    Outcome<Done> ensureBound();
    Outcome<UserRef> findOne(const std::string& filter, bool retried);
    PendingFind beginFind(const std::string& filter);
    Outcome<UserRef> finishFind(const std::string& filter, int msgid);
    Outcome<UserRef> usersIn(LDAPMessage* result, int rc, const std::string& filter);
    void abandon(int msgid);

    DirectoryConfig config_;
    LDAP* ld_ = nullptr;
};

}  // namespace wblab::agent
