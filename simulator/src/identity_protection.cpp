// Identity Protection: detections, the risk policies at sign-in, remediation and admin actions
// (DOMAIN.md §7). Every rule here is pinned by a test in simulator/tests/risk_test.cpp.
#include "lower.hpp"

#include <wblab/sim/cloud.hpp>

#include <algorithm>

namespace wblab::sim {

namespace {

using detail::lower;

constexpr const char* kChangeActivity = "Change password (self-service)";

// "Low level risk detections and users persist in the product for six months, after which
// they're automatically aged out" (concept-risk-detection-types); the lab counts 180 days.
constexpr std::int64_t kLowRiskLifetime = 180LL * 86400;

/// Only these detection types can be raised by a scenario: admin confirmation is an action, and
/// `generic` is how a premium detection reads without P2.
bool raisable(DetectionType type) {
    return type != DetectionType::AdminConfirmedUserCompromised && type != DetectionType::Generic;
}

}  // namespace

bool isPremiumDetection(DetectionType type) {
    // "Premium" in concept-identity-protection-risks; the others are "Nonpremium".
    switch (type) {
        case DetectionType::UnfamiliarFeatures:
        case DetectionType::MaliciousIpAddress:
        case DetectionType::PasswordSpray:
            return true;
        default:
            return false;
    }
}

void Cloud::recomputeRisk(RiskyUser& risky) const {
    // "All active risk detections contribute to the calculation of the user's risk level": the
    // lab takes the highest level among detections still at risk (Microsoft's aggregation is
    // machine learning); a confirmed compromise is high until remediated or dismissed.
    if (risky.state == RiskState::ConfirmedCompromised) {
        risky.level = RiskLevel::High;
        return;
    }
    RiskLevel level = RiskLevel::None;
    for (const auto& d : risky.detections) {
        if (d.state == RiskState::AtRisk && d.level > level) {
            level = d.level;
        }
    }
    risky.level = level;
    if (level != RiskLevel::None) {
        risky.state = RiskState::AtRisk;
        risky.detail = RiskDetail::None;
    }
}

void Cloud::ageOut(RiskyUser& risky) const {
    const std::int64_t limit = clock_.now() - kLowRiskLifetime;
    bool aged = false;
    for (auto& d : risky.detections) {
        if (d.state == RiskState::AtRisk && d.level == RiskLevel::Low && d.time <= limit) {
            d.state = RiskState::None;
            aged = true;
        }
    }
    if (!aged) {
        return;
    }
    recomputeRisk(risky);
    if (risky.state == RiskState::AtRisk && risky.level == RiskLevel::None) {
        risky.state = RiskState::None;  // aged out: no longer a risky user
        risky.detail = RiskDetail::None;
    }
}

bool Cloud::raiseDetection(const std::string& upn, DetectionType type, RiskLevel level) {
    if (findUser(upn) == nullptr || !raisable(type)) {
        return false;
    }
    Detection d;
    d.type = type;
    // Leaked credentials are always high ([S20]).
    d.level = type == DetectionType::LeakedCredentials ? RiskLevel::High : level;
    d.time = clock_.now();
    auto& risky = risk_[lower(upn)];
    ageOut(risky);
    risky.detections.push_back(d);
    if (risky.state != RiskState::ConfirmedCompromised) {
        recomputeRisk(risky);
    }
    return true;
}

int Cloud::detectLeakedCredentials(const std::vector<std::string>& leakedPasswords) {
    // Leaked credentials are matched against current valid hashes, which for on-premises
    // passwords needs password hash sync (DOMAIN.md §7.1).
    if (!settings_.passwordHashSync || !verifier_) {
        return 0;
    }
    int matches = 0;
    for (auto& [key, user] : users_) {
        if (user.syncedPasswordHash.empty()) {
            continue;
        }
        // The mutation also tries the hashes the user had before: a leak of a changed password.
        std::vector<std::string> hashes = {user.syncedPasswordHash};
        if (auto former = formerHashes_.find(key); former != formerHashes_.end()) {
            hashes.insert(hashes.end(), former->second.begin(), former->second.end());
        }
        for (const auto& leaked : leakedPasswords) {
            if (std::any_of(hashes.begin(), hashes.end(), [&](const std::string& h) {
                    return verifier_(h, leaked);
                })) {
                raiseDetection(user.upn, DetectionType::LeakedCredentials, RiskLevel::High);
                ++matches;
                break;
            }
        }
    }
    return matches;
}

void Cloud::remediate(const std::string& upn, RiskDetail detail) {
    auto it = risk_.find(lower(upn));
    if (it == risk_.end()) {
        return;
    }
    auto& risky = it->second;
    if (risky.state != RiskState::AtRisk && risky.state != RiskState::ConfirmedCompromised) {
        return;
    }
    for (auto& d : risky.detections) {
        if (d.state == RiskState::AtRisk) {
            d.state = RiskState::Remediated;
        }
    }
    risky.state = RiskState::Remediated;
    risky.detail = detail;
    risky.level = RiskLevel::None;
}

bool Cloud::dismissUserRisk(const std::string& upn) {
    // The user and all their detections go to dismissed; the password is not changed
    // (howto-identity-protection-remediate-unblock). A deleted user's risk cannot be dismissed.
    if (findUser(upn) == nullptr) {
        return false;
    }
    if (mutated(LabMutation::AdminRiskActionsIgnored)) {
        return true;
    }
    auto& risky = risk_[lower(upn)];
    for (auto& d : risky.detections) {
        if (d.state == RiskState::AtRisk) {
            d.state = RiskState::Dismissed;
        }
    }
    risky.state = RiskState::Dismissed;
    risky.detail = RiskDetail::AdminDismissedAllRiskForUser;
    risky.level = RiskLevel::None;
    return true;
}

void Cloud::confirmUserCompromised(const std::string& upn) {
    if (mutated(LabMutation::AdminRiskActionsIgnored)) {
        return;
    }
    auto& risky = risk_[lower(upn)];
    Detection d;
    d.type = DetectionType::AdminConfirmedUserCompromised;
    d.level = RiskLevel::High;
    d.time = clock_.now();
    risky.detections.push_back(d);
    risky.state = RiskState::ConfirmedCompromised;
    risky.detail = RiskDetail::AdminConfirmedUserCompromised;
    risky.level = RiskLevel::High;
}

RiskyUser Cloud::riskOf(const std::string& upn) const {
    auto it = risk_.find(lower(upn));
    RiskyUser risky = it == risk_.end() ? RiskyUser{} : it->second;
    ageOut(risky);
    if (!settings_.identityProtection.p2) {
        // Details are P2-only; premium detections read "Additional risk detected".
        if (risky.detail != RiskDetail::None) {
            risky.detail = RiskDetail::Hidden;
        }
        for (auto& d : risky.detections) {
            d.type = isPremiumDetection(d.type) ? DetectionType::Generic : d.type;
        }
    }
    return risky;
}

std::vector<std::string> Cloud::riskyUsers() const {
    std::vector<std::string> upns;
    for (const auto& [key, stored] : risk_) {
        RiskyUser risky = stored;
        ageOut(risky);
        // Without P2: "Only users with medium and high risk are shown."
        const bool shown = settings_.identityProtection.p2 || risky.level >= RiskLevel::Medium;
        if (risky.state != RiskState::None && shown) {
            const CloudUser* user = findUser(key);
            upns.push_back(user != nullptr ? user->upn : key);
        }
    }
    return upns;
}

bool Cloud::inRiskPolicyScope(const CloudUser& user, const RiskPolicy& policy) const {
    if (mutated(LabMutation::RiskPoliciesIgnoreScope)) {
        return true;
    }
    for (const auto& g : policy.excludeGroups) {
        if (inGroup(user, g)) {
            return false;
        }
    }
    if (policy.includeGroups.empty()) {
        return true;
    }
    return std::any_of(policy.includeGroups.begin(),
                       policy.includeGroups.end(),
                       [&](const std::string& g) { return inGroup(user, g); });
}

bool Cloud::canDoMfa(const CloudUser& user) {
    // Email and security questions verify SSPR, not MFA.
    return std::any_of(user.methods.begin(), user.methods.end(), [](Method m) {
        return m == Method::AppNotification || m == Method::AppCode || m == Method::MobilePhone ||
               m == Method::OfficePhone;
    });
}

SignInResult Cloud::signIn(const std::string& upn,
                           const std::string& password,
                           const std::string& newPassword,
                           std::optional<Detection> signInDetection,
                           WritebackChannel& channel) {
    SignInResult result;
    result.correlationId = nextCorrelationId();
    CloudUser* user = mutableUser(upn);
    if (user == nullptr) {
        return result;
    }
    if (!user->enabled) {
        result.outcome = SignInOutcome::AccountDisabled;
        return result;
    }
    // A password the cloud set is valid in the cloud at once; otherwise, with hash sync, the
    // cloud checks the password against the synced hash. A writeback that did not really
    // happen shows here once the echo brings the old hash back.
    auto pending = pendingEcho_.find(lower(user->upn));
    const bool valid = pending != pendingEcho_.end()
                           ? pending->second == password
                           : !verifier_ || user->syncedPasswordHash.empty() ||
                                 verifier_(user->syncedPasswordHash, password);
    if (!valid) {
        result.outcome = SignInOutcome::InvalidPassword;
        return result;
    }
    const bool admin = isAdmin(*user);
    if (settings_.registrationRequired &&
        usableMethods(*user) < (admin ? 2 : settings_.methodsRequired)) {
        result.outcome = SignInOutcome::RegistrationRequired;
        return result;
    }
    const auto& ip = settings_.identityProtection;
    auto& risky = risk_[lower(user->upn)];
    ageOut(risky);
    result.outcome = SignInOutcome::SignedIn;
    if (signInDetection) {
        raiseDetection(user->upn, signInDetection->type, signInDetection->level);
        // Risk policies need Entra ID P2 (overview-identity-protection, license requirements).
        if (ip.p2 && applySignInRiskPolicy(*user, risky, signInDetection->level, result)) {
            return result;
        }
    }
    if (!ip.p2) {
        return result;
    }
    const auto& policy = ip.userRisk;
    const bool riskyNow =
        risky.state == RiskState::AtRisk || risky.state == RiskState::ConfirmedCompromised;
    if (!policy.enabled || !riskyNow || risky.level < policy.threshold ||
        !inRiskPolicyScope(*user, policy)) {
        return result;
    }
    if (policy.reportOnly && !mutated(LabMutation::RiskPoliciesIgnoreScope)) {
        result.reportOnlyMatched = true;
        return result;
    }
    result.userRiskPolicyApplied = true;
    // Users not registered for MFA are blocked and need an admin (DOMAIN.md §7.2).
    if (policy.grant == RiskGrant::Block || !canDoMfa(*user)) {
        result.outcome = SignInOutcome::Blocked;
        return result;
    }
    result.mfaPerformed = true;
    if (newPassword.empty()) {
        result.outcome = SignInOutcome::PasswordChangeRequired;
        return result;
    }
    secureChange(*user, password, newPassword, channel, result);
    return result;
}

bool Cloud::applySignInRiskPolicy(const CloudUser& user,
                                  RiskyUser& risky,
                                  RiskLevel level,
                                  SignInResult& result) {
    const auto& policy = settings_.identityProtection.signInRisk;
    if (!policy.enabled || !inRiskPolicyScope(user, policy) || level < policy.threshold) {
        return false;
    }
    if (policy.reportOnly && !mutated(LabMutation::RiskPoliciesIgnoreScope)) {
        result.reportOnlyMatched = true;
        return false;
    }
    if (policy.grant == RiskGrant::Block || !canDoMfa(user)) {
        result.outcome = SignInOutcome::Blocked;
        return true;
    }
    // MFA passed: the sign-in's own detection is remediated.
    result.mfaPerformed = true;
    result.outcome = SignInOutcome::SignedInAfterMfa;
    risky.detections.back().state = RiskState::Remediated;
    if (risky.state != RiskState::ConfirmedCompromised) {
        recomputeRisk(risky);
        if (risky.level == RiskLevel::None) {
            risky.state = RiskState::Remediated;
            risky.detail = RiskDetail::UserPassedMfaDrivenByRiskBasedPolicy;
        }
    }
    return false;
}

void Cloud::secureChange(const CloudUser& user,
                         const std::string& password,
                         const std::string& newPassword,
                         WritebackChannel& channel,
                         SignInResult& result) {
    // For a synced user it must go through writeback; without it the user stays blocked and at
    // risk (howto-identity-protection-remediate-unblock).
    WritebackRequest request;
    request.operation = "change";
    request.upn = user.upn;
    request.oldPassword = password;
    request.newPassword = newPassword;
    Flow flow{kChangeActivity,
              false,
              true,
              "",
              RiskDetail::UserPerformedSecuredPasswordChange,
              std::nullopt};
    auto op = run(flow, std::move(request), channel);
    result.writebackAttempted = op.writebackAttempted;
    result.reply = op.reply;
    result.changeOutcome = op.outcome;
    result.correlationId = op.correlationId;
    if (op.outcome == Outcome::Success) {
        result.outcome = SignInOutcome::PasswordChanged;
    } else if (op.outcome == Outcome::OnPremisesSuccessCloudFailure) {
        // No error shown; the user is asked again and risk is not reduced (concept-sspr-policy).
        result.outcome = SignInOutcome::PasswordChangeRequired;
    } else {
        result.outcome = SignInOutcome::Blocked;
    }
}

}  // namespace wblab::sim
