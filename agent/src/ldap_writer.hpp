#pragma once
// The reference agent's directory side: find a user by source anchor and write as the connector
// account. Failures carry the 33xxx reason the agent reports (DOMAIN.md §5.1).

#include <wblab/support/expected.hpp>

#include <memory>
#include <string>
#include <variant>

typedef struct ldap LDAP;

namespace wblab::agent {

struct DirectoryConfig {
    std::string url;
    std::string tlsCaFile;
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

class LdapWriter {
public:
    explicit LdapWriter(DirectoryConfig config);
    ~LdapWriter();
    LdapWriter(LdapWriter&&) noexcept;
    LdapWriter& operator=(LdapWriter&&) noexcept;

    /// Connects and binds as the connector account.
    Expected<void> connect();

    /// The DN of the one user whose anchor attribute equals `anchor`: 33002 if none, 33003 if
    /// several.
    Outcome<UserRef> findByAnchor(const std::string& anchor, bool retried = false);

    /// The user whose userPrincipalName is `upn`. Only the bug zoo uses it: matching by UPN is
    /// wrong (the anchor is the identity; UPNs change and differ between cloud and directory).
    Outcome<UserRef> findByUpn(const std::string& upn);

    /// Changes the password as the user, proving the current one: 33007 if it is wrong, 33006 if
    /// the account is locked out, 33008 on a policy refusal, 33004 if the user may not change it.
    Outcome<Done> changePassword(const std::string& dn,
                                 const std::string& oldPassword,
                                 const std::string& newPassword);

    /// Binds as the user with `password`: 33007 if it is wrong, 33006 if the account is locked.
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
    Outcome<Done> ensureBound();
    Outcome<UserRef> findOne(const std::string& filter, bool retried);

    DirectoryConfig config_;
    LDAP* ld_ = nullptr;
};

}  // namespace wblab::agent
