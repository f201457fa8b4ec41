#pragma once
// File: risk.hpp
//
// Identity Protection as the lab models it (DOMAIN.md §7): risk detections raise a user's risk, a
// Conditional-Access-style user-risk policy turns a risky sign-in into "MFA, then a secure password
// change" (written back for a synced user) or a block, and remediation, dismissal or confirmation
// set the riskyUser's riskState and riskDetail with the Microsoft Graph enum values.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wblab::sim {

/// Graph riskLevel (DOMAIN.md §7.1); `hidden` and `unknownFutureValue` are not modelled.
enum class RiskLevel { None, Low, Medium, High };

/// Graph riskState.
enum class RiskState { None, ConfirmedSafe, Remediated, Dismissed, AtRisk, ConfirmedCompromised };

/// Graph riskDetail, the values the lab produces.
enum class RiskDetail {
    None,
    Hidden,  ///< the tenant has no Entra ID P2: details are not shown
    AdminGeneratedTemporaryPassword,
    UserPerformedSecuredPasswordChange,
    UserPerformedSecuredPasswordReset,
    UserPassedMfaDrivenByRiskBasedPolicy,
    AdminDismissedAllRiskForUser,
    AdminConfirmedUserCompromised,
    UserChangedPasswordOnPremises,
};

/// Graph riskEventType of the detections a scenario can raise (DOMAIN.md §7.1, [S20]).
enum class DetectionType {
    LeakedCredentials,    ///< user risk; always high; matched against hash-synced passwords
    AnonymizedIpAddress,  ///< sign-in risk
    UnfamiliarFeatures,   ///< sign-in risk: unfamiliar sign-in properties
    MaliciousIpAddress,   ///< sign-in risk
    PasswordSpray,        ///< sign-in risk
    AdminConfirmedUserCompromised,
};

const char* toString(RiskLevel level);
const char* toString(RiskState state);
const char* toString(RiskDetail detail);
const char* toString(DetectionType type);
std::optional<RiskLevel> riskLevelFromString(std::string_view name);
std::optional<RiskState> riskStateFromString(std::string_view name);
std::optional<RiskDetail> riskDetailFromString(std::string_view name);
std::optional<DetectionType> detectionTypeFromString(std::string_view name);
/// Detection types a scenario may raise directly (admin confirmation is an action, not a step).
std::vector<std::string> detectionTypeNames();

struct Detection {
    DetectionType type = DetectionType::LeakedCredentials;
    RiskLevel level = RiskLevel::High;
    RiskState state = RiskState::AtRisk;
    std::int64_t time = 0;
};

/// The riskyUser resource.
struct RiskyUser {
    RiskLevel level = RiskLevel::None;
    RiskState state = RiskState::None;
    RiskDetail detail = RiskDetail::None;
    std::vector<Detection> detections;
};

/// What a Conditional Access policy on user risk (or sign-in risk) grants.
enum class RiskGrant {
    PasswordChange,  ///< require MFA and a (secure) password change
    Block,
    Mfa,  ///< require MFA (sign-in risk policy)
};

struct RiskPolicy {
    bool enabled = false;
    bool reportOnly = false;  ///< evaluated and recorded, not enforced
    RiskLevel threshold = RiskLevel::High;
    RiskGrant grant = RiskGrant::PasswordChange;
    std::vector<std::string> includeGroups;  ///< empty: all users
    std::vector<std::string> excludeGroups;  ///< e.g. break-glass accounts
};

struct IdentityProtectionSettings {
    RiskPolicy userRisk;
    RiskPolicy signInRisk{false, false, RiskLevel::Medium, RiskGrant::Mfa, {}, {}};
    /// "Allow on-premises password change to reset user risk" (needs password hash sync).
    bool onPremisesChangeResetsRisk = false;
    /// Risk details are P2-only; other tenants see `hidden`.
    bool p2 = true;
};

/// What a sign-in ends in.
enum class SignInOutcome {
    SignedIn,
    SignedInAfterMfa,  ///< the sign-in risk policy asked for MFA and it passed
    InvalidPassword,
    RegistrationRequired,    ///< sent to register security info before going on
    PasswordChangeRequired,  ///< the user-risk policy wants a secure change; none was made
    PasswordChanged,         ///< MFA and a secure password change, remediating user risk
    Blocked,                 ///< the policy blocks, or the user cannot do MFA, or the change failed
    AccountDisabled,
    UnknownUser,
};

const char* toString(SignInOutcome outcome);
std::optional<SignInOutcome> signInOutcomeFromString(std::string_view name);
std::vector<std::string> signInOutcomeNames();

}  // namespace wblab::sim
