// Identity Protection's rules (docs/cloud-model.md, "Identity Protection").
#include "lab.hpp"

#include <catch2/catch.hpp>

using namespace wblab::sim;
using namespace wblab::sim::test;

namespace {

constexpr const char* kUpn = "user1@testlab.example";

struct RiskLab : Lab {
    explicit RiskLab(TenantSettings settings = withUserRiskPolicy()) : Lab(settings) {
        // user1 can do MFA: an app and a phone.
        CloudUser u = user(kUpn, "anchor-1");
        u.methods = {Method::AppNotification, Method::MobilePhone};
        cloud.addUser(u);
    }

    static TenantSettings withUserRiskPolicy() {
        TenantSettings settings;
        settings.identityProtection.userRisk.enabled = true;
        settings.identityProtection.userRisk.threshold = RiskLevel::High;
        return settings;
    }

    RiskyUser risk() const { return cloud.riskOf(kUpn); }
};

}  // namespace

TEST_CASE("Leaked credentials are always high and match only hash-synced passwords",
          "[sim][risk]") {
    RiskLab lab;
    lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::Low);
    CHECK(lab.risk().level == RiskLevel::High);
    CHECK(lab.risk().state == RiskState::AtRisk);

    RiskLab hashed;
    hashed.cloud.setPasswordVerifier(
        [](const std::string& stored, const std::string& pw) { return stored == "h:" + pw; });
    CHECK(hashed.cloud.detectLeakedCredentials({"Leaked-1"}) == 0);  // nothing synced yet
}

TEST_CASE("The user's level is the highest detection still at risk", "[sim][risk]") {
    RiskLab lab;
    lab.cloud.raiseDetection(kUpn, DetectionType::UnfamiliarFeatures, RiskLevel::Low);
    CHECK(lab.risk().level == RiskLevel::Low);
    lab.cloud.raiseDetection(kUpn, DetectionType::MaliciousIpAddress, RiskLevel::Medium);
    CHECK(lab.risk().level == RiskLevel::Medium);
    CHECK(toString(lab.risk().state) == std::string("atRisk"));
}

TEST_CASE("The user-risk policy asks for MFA and a secure change, written back for a synced user",
          "[sim][risk]") {
    RiskLab lab;
    lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
    FakeChannel channel(answered(true, {31006, 31007}));
    auto without = lab.cloud.signIn(kUpn, "Old-1", "", std::nullopt, channel);
    CHECK(without.outcome == SignInOutcome::PasswordChangeRequired);
    CHECK(channel.requests.empty());
    auto with = lab.cloud.signIn(kUpn, "Old-1", "New-Passw0rd-2", std::nullopt, channel);
    CHECK(with.outcome == SignInOutcome::PasswordChanged);
    CHECK(with.mfaPerformed);
    REQUIRE(channel.requests.size() == 1);
    CHECK(channel.requests[0].operation == "change");
    CHECK(channel.requests[0].oldPassword == "Old-1");
    CHECK(lab.risk().state == RiskState::Remediated);
    CHECK(lab.risk().detail == RiskDetail::UserPerformedSecuredPasswordChange);
    CHECK(lab.risk().level == RiskLevel::None);
}

TEST_CASE("A failed or impossible writeback leaves the user blocked and at risk", "[sim][risk]") {
    SECTION("the directory refuses") {
        RiskLab lab;
        lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
        FakeChannel channel(answered(false, {31006, 31008, 33008}, 33008));
        auto r = lab.cloud.signIn(kUpn, "Old-1", "short", std::nullopt, channel);
        CHECK(r.outcome == SignInOutcome::Blocked);
        CHECK(r.changeOutcome == Outcome::OnPremisesPolicyViolation);
        CHECK(lab.risk().state == RiskState::AtRisk);
    }
    SECTION("writeback is off") {
        auto settings = RiskLab::withUserRiskPolicy();
        settings.writebackEnabled = false;
        RiskLab lab(settings);
        lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
        FakeChannel channel(answered(true, {31006, 31007}));
        auto r = lab.cloud.signIn(kUpn, "Old-1", "New-Passw0rd-2", std::nullopt, channel);
        CHECK(r.outcome == SignInOutcome::Blocked);
        CHECK(channel.requests.empty());
        CHECK(lab.risk().state == RiskState::AtRisk);
    }
    SECTION("the cloud's rules refuse a password the directory took") {
        auto settings = RiskLab::withUserRiskPolicy();
        settings.enforceCloudPasswordPolicyForSyncedUsers = true;
        RiskLab lab(settings);
        lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
        FakeChannel channel(answered(true, {31006, 31007}));
        auto r = lab.cloud.signIn(kUpn, "Old-1", "only lower words", std::nullopt, channel);
        CHECK(r.outcome == SignInOutcome::PasswordChangeRequired);
        CHECK(lab.risk().state == RiskState::AtRisk);
    }
}

TEST_CASE("Users who cannot do MFA, and a block grant, are blocked", "[sim][risk]") {
    RiskLab lab;
    CloudUser emailOnly = Lab::user("email@testlab.example", "anchor-3");
    emailOnly.methods = {Method::Email};
    lab.cloud.addUser(emailOnly);
    lab.cloud.raiseDetection(
        "email@testlab.example", DetectionType::LeakedCredentials, RiskLevel::High);
    FakeChannel channel(answered(true, {31006, 31007}));
    CHECK(lab.cloud.signIn("email@testlab.example", "Old-1", "New-2", std::nullopt, channel)
              .outcome == SignInOutcome::Blocked);

    auto settings = RiskLab::withUserRiskPolicy();
    settings.identityProtection.userRisk.grant = RiskGrant::Block;
    RiskLab blocking(settings);
    blocking.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
    CHECK(blocking.cloud.signIn(kUpn, "Old-1", "New-2", std::nullopt, channel).outcome ==
          SignInOutcome::Blocked);
    CHECK(channel.requests.empty());
}

TEST_CASE("Scope, threshold and report-only decide whether the policy applies", "[sim][risk]") {
    auto settings = RiskLab::withUserRiskPolicy();
    settings.identityProtection.userRisk.excludeGroups = {"BreakGlass"};
    RiskLab lab(settings);
    CloudUser glass = Lab::user("glass@testlab.example", "anchor-4");
    glass.groups = {"BreakGlass"};
    glass.methods = {Method::AppCode, Method::MobilePhone};
    lab.cloud.addUser(glass);
    FakeChannel channel(answered(true, {31006, 31007}));
    lab.cloud.raiseDetection(
        "glass@testlab.example", DetectionType::LeakedCredentials, RiskLevel::High);
    CHECK(lab.cloud.signIn("glass@testlab.example", "pw", "", std::nullopt, channel).outcome ==
          SignInOutcome::SignedIn);
    lab.cloud.raiseDetection(kUpn, DetectionType::UnfamiliarFeatures, RiskLevel::Medium);
    CHECK(lab.cloud.signIn(kUpn, "pw", "", std::nullopt, channel).outcome ==
          SignInOutcome::SignedIn);  // under the high threshold

    settings.identityProtection.userRisk.reportOnly = true;
    RiskLab reportOnly(settings);
    reportOnly.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
    auto r = reportOnly.cloud.signIn(kUpn, "pw", "New-2", std::nullopt, channel);
    CHECK(r.outcome == SignInOutcome::SignedIn);
    CHECK(r.reportOnlyMatched);
    CHECK(channel.requests.empty());
}

TEST_CASE("Reset, admin reset, dismiss and confirm set the documented state and detail",
          "[sim][risk]") {
    FakeChannel channel(answered(true, {31001, 31002}));
    SECTION("self-service reset") {
        RiskLab lab;
        lab.cloud.raiseDetection(kUpn, DetectionType::PasswordSpray, RiskLevel::Medium);
        lab.cloud.selfServiceReset(kUpn, "New-Passw0rd-2", true, channel);
        CHECK(lab.risk().detail == RiskDetail::UserPerformedSecuredPasswordReset);
        CHECK(lab.risk().state == RiskState::Remediated);
    }
    SECTION("admin reset after a confirmed compromise") {
        RiskLab lab;
        lab.cloud.confirmUserCompromised(kUpn);
        CHECK(lab.risk().state == RiskState::ConfirmedCompromised);
        CHECK(lab.risk().detail == RiskDetail::AdminConfirmedUserCompromised);
        CHECK(lab.risk().level == RiskLevel::High);
        lab.cloud.adminReset(kUpn, "New-Passw0rd-2", true, channel);
        CHECK(lab.risk().detail == RiskDetail::AdminGeneratedTemporaryPassword);
        CHECK(lab.risk().state == RiskState::Remediated);
    }
    SECTION("dismiss") {
        RiskLab lab;
        lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
        lab.cloud.dismissUserRisk(kUpn);
        CHECK(lab.risk().state == RiskState::Dismissed);
        CHECK(lab.risk().detail == RiskDetail::AdminDismissedAllRiskForUser);
        CHECK(lab.risk().level == RiskLevel::None);
        CHECK(lab.risk().detections[0].state == RiskState::Dismissed);
    }
    SECTION("a voluntary change does not remediate") {
        RiskLab lab;
        lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
        lab.cloud.selfServiceChange(kUpn, "Old-1", "New-Passw0rd-2", channel);
        CHECK(lab.risk().state == RiskState::AtRisk);
    }
    SECTION("a failed reset does not remediate") {
        RiskLab lab;
        lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
        FakeChannel refusing(answered(false, {31001, 31003, 33008}, 33008));
        lab.cloud.selfServiceReset(kUpn, "short", true, refusing);
        CHECK(lab.risk().state == RiskState::AtRisk);
    }
}

TEST_CASE("A sign-in risk policy asks for MFA and remediates that sign-in's detection",
          "[sim][risk]") {
    TenantSettings settings;
    settings.identityProtection.signInRisk.enabled = true;
    settings.identityProtection.signInRisk.threshold = RiskLevel::Medium;
    RiskLab lab(settings);
    FakeChannel channel(answered(true, {31006, 31007}));
    Detection anonymous{DetectionType::AnonymizedIpAddress, RiskLevel::Medium};
    auto r = lab.cloud.signIn(kUpn, "pw", "", anonymous, channel);
    CHECK(r.outcome == SignInOutcome::SignedInAfterMfa);
    CHECK(lab.risk().state == RiskState::Remediated);
    CHECK(lab.risk().detail == RiskDetail::UserPassedMfaDrivenByRiskBasedPolicy);
    Detection unfamiliar{DetectionType::UnfamiliarFeatures, RiskLevel::Low};
    CHECK(lab.cloud.signIn(kUpn, "pw", "", unfamiliar, channel).outcome == SignInOutcome::SignedIn);
    CHECK(lab.risk().state == RiskState::AtRisk);
}

TEST_CASE("Without P2 the risk detail is hidden", "[sim][risk]") {
    TenantSettings settings;
    settings.identityProtection.p2 = false;
    RiskLab lab(settings);
    lab.cloud.confirmUserCompromised(kUpn);
    CHECK(lab.risk().detail == RiskDetail::Hidden);
    CHECK(lab.risk().state == RiskState::ConfirmedCompromised);
}

TEST_CASE("Risk names are the Graph enum values and unknown ones are refused", "[sim][risk]") {
    CHECK(riskDetailFromString("userChangedPasswordOnPremises") ==
          RiskDetail::UserChangedPasswordOnPremises);
    CHECK(toString(RiskDetail::UserPassedMfaDrivenByRiskBasedPolicy) ==
          std::string("userPassedMFADrivenByRiskBasedPolicy"));
    CHECK(detectionTypeFromString("leakedCredentials") == DetectionType::LeakedCredentials);
    CHECK_FALSE(detectionTypeFromString("adminConfirmedUserCompromised"));  // an action
    CHECK_FALSE(detectionTypeFromString("leaked"));
    CHECK_FALSE(riskLevelFromString("severe"));
}

TEST_CASE("Low detections age out after six months, medium and high stay", "[sim][risk]") {
    // concept-risk-detection-types: "Low level risk detections and users persist in the product
    // for six months ... Medium and high risk levels persist until remediated or dismissed."
    RiskLab lab;
    lab.cloud.raiseDetection(kUpn, DetectionType::UnfamiliarFeatures, RiskLevel::Low);
    lab.clock.advance(179LL * 86400);
    CHECK(lab.risk().level == RiskLevel::Low);
    lab.clock.advance(2LL * 86400);
    CHECK(lab.risk().level == RiskLevel::None);
    CHECK(lab.risk().state == RiskState::None);
    CHECK(lab.cloud.riskyUsers().empty());
    lab.cloud.raiseDetection(kUpn, DetectionType::MaliciousIpAddress, RiskLevel::Medium);
    lab.clock.advance(400LL * 86400);
    CHECK(lab.risk().level == RiskLevel::Medium);
}

TEST_CASE("Without P2 risk policies do nothing and premium detections read generic",
          "[sim][risk]") {
    // overview-identity-protection: risk policies need P2; the risky-users report shows only
    // medium and high risk; concept-identity-protection-risks: "Additional risk detected".
    TenantSettings settings = RiskLab::withUserRiskPolicy();
    settings.identityProtection.p2 = false;
    RiskLab lab(settings);
    lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);
    FakeChannel channel(answered(true, {31006, 31007}));
    auto r = lab.cloud.signIn(kUpn, "Old-1", "New-Passw0rd-2", std::nullopt, channel);
    CHECK(r.outcome == SignInOutcome::SignedIn);
    CHECK_FALSE(r.userRiskPolicyApplied);
    CHECK(channel.requests.empty());

    CloudUser low = Lab::user("low@testlab.example", "anchor-low");
    lab.cloud.addUser(low);
    lab.cloud.raiseDetection("low@testlab.example", DetectionType::PasswordSpray, RiskLevel::Low);
    CHECK(lab.cloud.riskyUsers() == std::vector<std::string>{kUpn});
    const auto seen = lab.cloud.riskOf("low@testlab.example");
    REQUIRE(seen.detections.size() == 1);
    CHECK(seen.detections[0].type == DetectionType::Generic);
    CHECK(lab.risk().detections[0].type == DetectionType::LeakedCredentials);  // nonpremium
}

TEST_CASE("A deleted user's risk cannot be dismissed", "[sim][risk]") {
    // howto-identity-protection-remediate-unblock: "Administrators can't dismiss risk for users
    // who were deleted from the directory."
    RiskLab lab;
    lab.cloud.raiseDetection(kUpn, DetectionType::LeakedCredentials, RiskLevel::High);

    struct Empty : DirectorySource {
        std::vector<DirectoryObject> readUsers() override { return {}; }
    } gone;

    lab.cloud.syncObjects(gone);
    REQUIRE(lab.cloud.findUser(kUpn) == nullptr);
    CHECK_FALSE(lab.cloud.dismissUserRisk(kUpn));
    CHECK(lab.risk().state == RiskState::AtRisk);
    CHECK(lab.cloud.riskyUsers() == std::vector<std::string>{kUpn});  // still reported
}
