#pragma once
// File: vocabulary.hpp
//
// The cloud model's closed vocabularies and their names as scenarios and reports write them:
// outcomes a user sees, authentication methods, Graph's risk enums, sign-in outcomes, Graph
// operation states, and the admin paths that never write back. Header and names only, so that
// the scenario loader can read a file without linking the cloud model itself.
//
//   auto outcome = outcomeFromString("SSPR_0029");  // Outcome::OnPremisesAdminActionRequired
//   std::string listed = joinedNames(outcomeNames());  // for "expected one of: ..." messages

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wblab::sim {

enum class SsprScope { None, Selected, All };

/// Which checks a self-service flow meets first. The sources disagree (docs/cloud-model.md,
/// "Gate order"): concept-sspr-writeback checks how the password is managed and whether the
/// writeback service is up before anything else; concept-sspr-howitworks checks that the user is
/// enabled for SSPR and has the methods before it looks at where the password is managed.
enum class GateOrder {
    WritebackFirst,  ///< SSPR off, then writeback on and its service up, then the policy gates
    PolicyFirst,     ///< SSPR off and the policy gates, then writeback on and its service up
};

/// Authentication methods a user can register for SSPR (DOMAIN.md §6.1).
enum class Method { AppNotification, AppCode, Email, MobilePhone, OfficePhone, SecurityQuestions };

/// What the user (or the admin) sees at the end of an operation (DOMAIN.md §6.3).
enum class Outcome {
    Success,
    UnknownUser,                ///< no such account in the tenant
    TenantSsprDisabled,         ///< SSPR_0009
    WritebackNotEnabled,        ///< SSPR_0010
    OnPremisesPolicyViolation,  ///< the on-premises policy refused the password; the user may retry
    OnPremisesAdminActionRequired,  ///< SSPR_0029
    OnPremisesConnectivityError,    ///< SSPR_0030
    WrongOldPassword,               ///< a change with the wrong current password (33007)
    AccountLockedOut,               ///< a change on a locked-out account (33006)
    UnlockNotOffered,               ///< unlock without reset is off for the tenant
    UserNotLicensed,                ///< SSPR_0012
    NotInSsprGroup,                 ///< SSPR_0013
    NotEnoughMethods,               ///< SSPR_0014
    BannedPassword,                 ///< FuzzyPolicyViolationInvalidPassword
    Throttled,                      ///< blocked from SSPR for 24 h after 5 resets in an hour
    SsprPolicyNotDefined,           ///< SSPR_0011
    /// Set on-premises, refused by the cloud's own password rules (audit result: success).
    OnPremisesSuccessCloudFailure,
    CloudOnlyChange,  ///< an unsupported path: the cloud password changed, nothing written back
    Refused,          ///< a path or caller that the cloud refuses outright
    /// A change the cloud's own rules refuse before writeback: the new password is the current
    /// one ("The last password can't be used again when the user changes a password").
    CloudPolicyViolation,
    /// The SSPR session (15 minutes from the start of the reset) ran out before the new password
    /// was submitted: the user starts again; nothing is sent (passwords-faq).
    SessionExpired,
    /// The emailed or texted one-time code was entered after its 5 minutes: the user asks for a
    /// new one; nothing is sent (passwords-faq).
    CodeExpired,
};

/// Microsoft Graph long-running operation status (DOMAIN.md §1.5, [S37]).
enum class OperationStatus { NotStarted, Running, Succeeded, Failed };

/// Admin paths that do not write back (DOMAIN.md §2.2).
enum class UnsupportedPath {
    M365AdminCenter,
    PowerShell,
    GraphSelfService,
    /// Microsoft Graph `PATCH /users/{id}` with a passwordProfile: not the resetPassword API that
    /// concept-sspr-writeback lists as written back.
    GraphPatchPasswordProfile,
};

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
    /// "Additional risk detected": how a premium detection reads in a tenant without P2
    /// (concept-identity-protection-risks); never raised directly.
    Generic,
};

/// What a Conditional Access policy on user risk (or sign-in risk) grants.
enum class RiskGrant {
    PasswordChange,  ///< require MFA and a (secure) password change
    Block,
    Mfa,  ///< require MFA (sign-in risk policy)
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

/// The name used in scenarios and reports: "success", "SSPR_0029", "policy_violation", ...
const char* toString(Outcome outcome);
const char* toString(SsprScope scope);
const char* toString(GateOrder order);  ///< "writeback_first", "policy_first"
const char* toString(Method method);
const char* toString(OperationStatus status);
const char* toString(UnsupportedPath path);
const char* toString(RiskLevel level);
const char* toString(RiskState state);
const char* toString(RiskDetail detail);
const char* toString(DetectionType type);
const char* toString(RiskGrant grant);
const char* toString(SignInOutcome outcome);

std::optional<Outcome> outcomeFromString(std::string_view name);
std::optional<SsprScope> ssprScopeFromString(std::string_view name);
std::optional<GateOrder> gateOrderFromString(std::string_view name);
std::optional<Method> methodFromString(std::string_view name);
std::optional<OperationStatus> operationStatusFromString(std::string_view name);
std::optional<UnsupportedPath> unsupportedPathFromString(std::string_view name);
std::optional<RiskLevel> riskLevelFromString(std::string_view name);
std::optional<RiskState> riskStateFromString(std::string_view name);
std::optional<RiskDetail> riskDetailFromString(std::string_view name);
/// Detection types a scenario may raise directly (admin confirmation is an action, not a step;
/// `generic` is how a premium detection reads without P2).
std::optional<DetectionType> detectionTypeFromString(std::string_view name);
std::optional<RiskGrant> riskGrantFromString(std::string_view name);
std::optional<SignInOutcome> signInOutcomeFromString(std::string_view name);

/// Every value, in the order error messages list them.
const std::vector<Outcome>& allOutcomes();

/// The names each FromString function accepts, for "expected one of: ..." messages.
std::vector<std::string> outcomeNames();
std::vector<std::string> ssprScopeNames();
std::vector<std::string> gateOrderNames();
std::vector<std::string> methodNames();
std::vector<std::string> operationStatusNames();
std::vector<std::string> unsupportedPathNames();
std::vector<std::string> riskLevelNames();
std::vector<std::string> riskStateNames();
std::vector<std::string> riskDetailNames();
std::vector<std::string> detectionTypeNames();
std::vector<std::string> riskGrantNames();
std::vector<std::string> signInOutcomeNames();

}  // namespace wblab::sim
