#pragma once
// File: risk.hpp
//
// Identity Protection as the lab models it (DOMAIN.md §7): risk detections raise a user's risk, a
// Conditional-Access-style user-risk policy turns a risky sign-in into "MFA, then a secure password
// change" (written back for a synced user) or a block, and remediation, dismissal or confirmation
// set the riskyUser's riskState and riskDetail with the Microsoft Graph enum values.

#include <wblab/sim/vocabulary.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wblab::sim {

/// Whether the detection's details need Entra ID P2 ("Premium" in
/// concept-identity-protection-risks); without P2 it reads `generic`.
bool isPremiumDetection(DetectionType type);

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
    /// Entra ID P2. Without it risk policies do nothing, risk details are `hidden`, premium
    /// detections read `generic` and the risky-users list shows only medium and high risk
    /// (overview-identity-protection, license requirements).
    bool p2 = true;
};

}  // namespace wblab::sim
