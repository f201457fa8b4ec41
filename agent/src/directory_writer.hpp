#pragma once
// The agent's directory side as one interface: the handshake's directory.flavour chooses how
// passwords are written. "openldap-ad" (slapd): LDAP Password Modify and ppolicy attributes
// (LdapWriter); "samba-ad" (an Active Directory): unicodePwd, lockoutTime and pwdLastSet, with
// AD's extended error codes mapped to the 33xxx events (AdWriter, ad_writer.cpp).

#include "ldap_writer.hpp"

#include <memory>
#include <string>

namespace wblab::agent {

class DirectoryWriter {
public:
    virtual ~DirectoryWriter() = default;

    /// Connects and binds as the connector account.
    virtual Expected<void> connect() = 0;

    virtual PendingFind beginFindByAnchor(const std::string& anchor) = 0;
    virtual PendingFind beginFindByUpn(const std::string& upn) = 0;

    /// The user's change, proving the current password: 33007 wrong, 33006 locked out, 33008
    /// policy, 33004 not allowed.
    virtual Outcome<Done> changePassword(const std::string& dn,
                                         const std::string& oldPassword,
                                         const std::string& newPassword) = 0;

    /// Checks the password by binding as the user: 33007 wrong, 33006 locked out.
    virtual Outcome<Done> verifyPassword(const std::string& dn, const std::string& password) = 0;

    /// Bug zoo (old-password-still-works): a second password value beside the first.
    virtual Outcome<Done> addPassword(const std::string& dn, const std::string& password) = 0;

    /// The connector's reset: 33008 policy, 33004 permissions.
    virtual Outcome<Done> resetPassword(const std::string& dn, const std::string& password) = 0;

    /// Clears the lockout; not locked is not an error.
    virtual Outcome<Done> unlock(const std::string& dn) = 0;

    /// Sets or clears "must change password at next logon".
    virtual Outcome<Done> setMustChange(const std::string& dn, bool mustChange) = 0;
};

/// True for the flavours that are Active Directory and want AD's recipe ("samba-ad").
bool speaksAd(const std::string& flavour);

/// AdWriter when speaksAd(flavour), else the slapd writer.
std::unique_ptr<DirectoryWriter> makeDirectoryWriter(const std::string& flavour,
                                                     DirectoryConfig config);

}  // namespace wblab::agent
