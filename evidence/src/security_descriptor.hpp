#pragma once
// Private to the evidence module: reading the DACL of a self-relative security descriptor (an
// exported nTSecurityDescriptor) as MS-DTYP 2.4 defines it
// (https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/7d4dac05-9cef-4563-a058-f108abecce1d),
// and what it grants: the rights writeback needs (DOMAIN.md §4.1) and "User cannot change
// password", a denied Change Password for Everyone or SELF (DOMAIN.md §9.4).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wblab::evidence::detail {

// Extended rights and attributes (the AD schema on Learn: r-user-force-change-password,
// r-user-change-password, r-unexpire-password, a-lockouttime, a-pwdlastset,
// r-user-account-restrictions).
inline constexpr const char* kResetPasswordRight = "00299570-246d-11d0-a768-00aa006e0529";
inline constexpr const char* kChangePasswordRight = "ab721a53-1e2f-11d0-9819-00aa0040529b";
inline constexpr const char* kUnexpirePasswordRight = "ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501";
inline constexpr const char* kLockoutTimeAttribute = "28630ebf-41d5-11d1-a9c1-0000f80367c1";
inline constexpr const char* kPwdLastSetAttribute = "bf967a0a-0de6-11d0-a285-00aa003049e2";
inline constexpr const char* kAccountRestrictionsSet = "4c164200-20c0-11d0-a768-00aa006e0529";
inline constexpr const char* kEveryone = "S-1-1-0";
inline constexpr const char* kSelf = "S-1-5-10";

struct Ace {
    bool allow = true;
    std::uint8_t flags = 0;  ///< 0x08 inherit only, 0x10 inherited
    std::uint32_t mask = 0;
    std::string objectType;  ///< a GUID, or empty: every property and right
    std::string sid;         ///< S-1-...
};

struct SecurityDescriptor {
    bool daclProtected = false;  ///< SE_DACL_PROTECTED: inheritance off (AdminSDHolder)
    std::vector<Ace> dacl;
};

/// Nullopt for bytes that are not a self-relative security descriptor.
std::optional<SecurityDescriptor> parseSecurityDescriptor(std::string_view bytes);

/// A binary SID (objectSid) as S-1-...; empty when malformed.
std::string sidText(std::string_view bytes);

/// Whether the DACL lets `sid` use the extended right (ControlAccess), and whether it denies it.
enum class Grant { Allowed, Denied, Absent };
Grant controlAccess(const SecurityDescriptor& sd, const std::string& sid, const std::string& right);
/// The same for writing an attribute (WriteProperty), directly or through `propertySet`.
Grant writeProperty(const SecurityDescriptor& sd,
                    const std::string& sid,
                    const std::string& attribute,
                    const std::string& propertySet = "");

}  // namespace wblab::evidence::detail
