// Names of the cloud model's vocabularies (vocabulary.hpp). One table per enum: the name a
// scenario writes is the name a report prints.
#include <wblab/sim/vocabulary.hpp>

namespace wblab::sim {

namespace {

template <typename Enum>
struct Named {
    Enum value;
    const char* name;
};

constexpr Named<Outcome> kOutcomes[] = {
    {Outcome::UserNotLicensed, "SSPR_0012"},
    {Outcome::NotInSsprGroup, "SSPR_0013"},
    {Outcome::NotEnoughMethods, "SSPR_0014"},
    {Outcome::BannedPassword, "banned_password"},
    {Outcome::Throttled, "throttled"},
    {Outcome::Success, "success"},
    {Outcome::OnPremisesPolicyViolation, "policy_violation"},
    {Outcome::WrongOldPassword, "wrong_old_password"},
    {Outcome::AccountLockedOut, "account_locked"},
    {Outcome::UnlockNotOffered, "unlock_not_offered"},
    {Outcome::UnknownUser, "unknown_user"},
    {Outcome::TenantSsprDisabled, "SSPR_0009"},
    {Outcome::WritebackNotEnabled, "SSPR_0010"},
    {Outcome::OnPremisesAdminActionRequired, "SSPR_0029"},
    {Outcome::OnPremisesConnectivityError, "SSPR_0030"},
    {Outcome::SsprPolicyNotDefined, "SSPR_0011"},
    {Outcome::OnPremisesSuccessCloudFailure, "OnPremisesSuccessCloudFailure"},
    {Outcome::CloudOnlyChange, "cloud_only"},
    {Outcome::Refused, "refused"},
    {Outcome::CloudPolicyViolation, "cloud_policy_violation"},
    {Outcome::SessionExpired, "session_expired"},
    {Outcome::CodeExpired, "code_expired"},
};

constexpr Named<SsprScope> kScopes[] = {
    {SsprScope::None, "none"}, {SsprScope::Selected, "selected"}, {SsprScope::All, "all"}};

constexpr Named<GateOrder> kGateOrders[] = {{GateOrder::WritebackFirst, "writeback_first"},
                                            {GateOrder::PolicyFirst, "policy_first"}};

constexpr Named<Method> kMethods[] = {
    {Method::AppNotification, "app_notification"},
    {Method::AppCode, "app_code"},
    {Method::Email, "email"},
    {Method::MobilePhone, "mobile_phone"},
    {Method::OfficePhone, "office_phone"},
    {Method::SecurityQuestions, "security_questions"},
};

constexpr Named<OperationStatus> kOperationStates[] = {
    {OperationStatus::NotStarted, "notStarted"},
    {OperationStatus::Running, "running"},
    {OperationStatus::Succeeded, "succeeded"},
    {OperationStatus::Failed, "failed"},
};

constexpr Named<UnsupportedPath> kPaths[] = {
    {UnsupportedPath::M365AdminCenter, "m365_admin_center"},
    {UnsupportedPath::PowerShell, "powershell"},
    {UnsupportedPath::GraphSelfService, "graph_self_service"},
    {UnsupportedPath::GraphPatchPasswordProfile, "graph_patch_password_profile"},
};

constexpr Named<RiskLevel> kLevels[] = {{RiskLevel::None, "none"},
                                        {RiskLevel::Low, "low"},
                                        {RiskLevel::Medium, "medium"},
                                        {RiskLevel::High, "high"}};

constexpr Named<RiskState> kStates[] = {{RiskState::None, "none"},
                                        {RiskState::ConfirmedSafe, "confirmedSafe"},
                                        {RiskState::Remediated, "remediated"},
                                        {RiskState::Dismissed, "dismissed"},
                                        {RiskState::AtRisk, "atRisk"},
                                        {RiskState::ConfirmedCompromised, "confirmedCompromised"}};

constexpr Named<RiskDetail> kDetails[] = {
    {RiskDetail::None, "none"},
    {RiskDetail::Hidden, "hidden"},
    {RiskDetail::AdminGeneratedTemporaryPassword, "adminGeneratedTemporaryPassword"},
    {RiskDetail::UserPerformedSecuredPasswordChange, "userPerformedSecuredPasswordChange"},
    {RiskDetail::UserPerformedSecuredPasswordReset, "userPerformedSecuredPasswordReset"},
    {RiskDetail::UserPassedMfaDrivenByRiskBasedPolicy, "userPassedMFADrivenByRiskBasedPolicy"},
    {RiskDetail::AdminDismissedAllRiskForUser, "adminDismissedAllRiskForUser"},
    {RiskDetail::AdminConfirmedUserCompromised, "adminConfirmedUserCompromised"},
    {RiskDetail::UserChangedPasswordOnPremises, "userChangedPasswordOnPremises"},
};

// riskEventType values (DOMAIN.md §7.1, [S20]).
constexpr Named<DetectionType> kDetections[] = {
    {DetectionType::LeakedCredentials, "leakedCredentials"},
    {DetectionType::AnonymizedIpAddress, "anonymizedIPAddress"},
    {DetectionType::UnfamiliarFeatures, "unfamiliarFeatures"},
    {DetectionType::MaliciousIpAddress, "maliciousIPAddress"},
    {DetectionType::PasswordSpray, "passwordSpray"},
    {DetectionType::AdminConfirmedUserCompromised, "adminConfirmedUserCompromised"},
    {DetectionType::Generic, "generic"},
};

constexpr Named<RiskGrant> kGrants[] = {{RiskGrant::PasswordChange, "password_change"},
                                        {RiskGrant::Block, "block"},
                                        {RiskGrant::Mfa, "mfa"}};

constexpr Named<SignInOutcome> kSignIns[] = {
    {SignInOutcome::SignedIn, "signed_in"},
    {SignInOutcome::SignedInAfterMfa, "signed_in_after_mfa"},
    {SignInOutcome::InvalidPassword, "invalid_password"},
    {SignInOutcome::RegistrationRequired, "registration_required"},
    {SignInOutcome::PasswordChangeRequired, "password_change_required"},
    {SignInOutcome::PasswordChanged, "password_changed"},
    {SignInOutcome::Blocked, "blocked"},
    {SignInOutcome::AccountDisabled, "account_disabled"},
    {SignInOutcome::UnknownUser, "unknown_user"},
};

template <typename Enum, std::size_t N>
const char* nameOf(const Named<Enum> (&table)[N], Enum value) {
    for (const auto& entry : table) {
        if (entry.value == value) {
            return entry.name;
        }
    }
    return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> valueOf(const Named<Enum> (&table)[N], std::string_view name) {
    for (const auto& entry : table) {
        if (name == entry.name) {
            return entry.value;
        }
    }
    return std::nullopt;
}

template <typename Enum, std::size_t N>
std::vector<std::string> namesOf(const Named<Enum> (&table)[N]) {
    std::vector<std::string> names;
    for (const auto& entry : table) {
        names.emplace_back(entry.name);
    }
    return names;
}

}  // namespace

const char* toString(Outcome outcome) {
    return nameOf(kOutcomes, outcome);
}

const char* toString(SsprScope scope) {
    return nameOf(kScopes, scope);
}

const char* toString(GateOrder order) {
    return nameOf(kGateOrders, order);
}

const char* toString(Method method) {
    return nameOf(kMethods, method);
}

const char* toString(OperationStatus status) {
    return nameOf(kOperationStates, status);
}

const char* toString(UnsupportedPath path) {
    return nameOf(kPaths, path);
}

const char* toString(RiskLevel level) {
    return nameOf(kLevels, level);
}

const char* toString(RiskState state) {
    return nameOf(kStates, state);
}

const char* toString(RiskDetail detail) {
    return nameOf(kDetails, detail);
}

const char* toString(DetectionType type) {
    return nameOf(kDetections, type);
}

const char* toString(RiskGrant grant) {
    return nameOf(kGrants, grant);
}

const char* toString(SignInOutcome outcome) {
    return nameOf(kSignIns, outcome);
}

std::optional<Outcome> outcomeFromString(std::string_view name) {
    return valueOf(kOutcomes, name);
}

std::optional<SsprScope> ssprScopeFromString(std::string_view name) {
    return valueOf(kScopes, name);
}

std::optional<GateOrder> gateOrderFromString(std::string_view name) {
    return valueOf(kGateOrders, name);
}

std::optional<Method> methodFromString(std::string_view name) {
    return valueOf(kMethods, name);
}

std::optional<OperationStatus> operationStatusFromString(std::string_view name) {
    return valueOf(kOperationStates, name);
}

std::optional<UnsupportedPath> unsupportedPathFromString(std::string_view name) {
    return valueOf(kPaths, name);
}

std::optional<RiskLevel> riskLevelFromString(std::string_view name) {
    return valueOf(kLevels, name);
}

std::optional<RiskState> riskStateFromString(std::string_view name) {
    return valueOf(kStates, name);
}

std::optional<RiskDetail> riskDetailFromString(std::string_view name) {
    return valueOf(kDetails, name);
}

std::optional<DetectionType> detectionTypeFromString(std::string_view name) {
    auto type = valueOf(kDetections, name);
    // Admin confirmation is an admin action with its own step, not a raw detection; `generic` is
    // only how a premium detection reads without P2.
    if (type == DetectionType::AdminConfirmedUserCompromised || type == DetectionType::Generic) {
        return std::nullopt;
    }
    return type;
}

std::optional<RiskGrant> riskGrantFromString(std::string_view name) {
    return valueOf(kGrants, name);
}

std::optional<SignInOutcome> signInOutcomeFromString(std::string_view name) {
    return valueOf(kSignIns, name);
}

const std::vector<Outcome>& allOutcomes() {
    static const std::vector<Outcome> all = [] {
        std::vector<Outcome> out;
        for (const auto& entry : kOutcomes) {
            out.push_back(entry.value);
        }
        return out;
    }();
    return all;
}

std::vector<std::string> outcomeNames() {
    return namesOf(kOutcomes);
}

std::vector<std::string> ssprScopeNames() {
    return namesOf(kScopes);
}

std::vector<std::string> gateOrderNames() {
    return namesOf(kGateOrders);
}

std::vector<std::string> methodNames() {
    return namesOf(kMethods);
}

std::vector<std::string> operationStatusNames() {
    return namesOf(kOperationStates);
}

std::vector<std::string> unsupportedPathNames() {
    return namesOf(kPaths);
}

std::vector<std::string> riskLevelNames() {
    return namesOf(kLevels);
}

std::vector<std::string> riskStateNames() {
    return namesOf(kStates);
}

std::vector<std::string> riskDetailNames() {
    return namesOf(kDetails);
}

std::vector<std::string> detectionTypeNames() {
    auto names = namesOf(kDetections);
    names.pop_back();  // generic: a display form, not a step
    names.pop_back();  // adminConfirmedUserCompromised: an admin action, not a step
    return names;
}

std::vector<std::string> riskGrantNames() {
    return namesOf(kGrants);
}

std::vector<std::string> signInOutcomeNames() {
    return namesOf(kSignIns);
}

}  // namespace wblab::sim
