// The sync engine's rules (docs/cloud-model.md, "Sync engine").
#include "lab.hpp"

#include <catch2/catch.hpp>

using namespace wblab::sim;
using namespace wblab::sim::test;

namespace {

/// A directory whose users a test edits; hashes are "hash:<password>".
class FakeDirectory : public DirectorySource {
public:
    std::vector<DirectoryObject> readUsers() override {
        ++reads;
        return users;
    }

    std::vector<DirectoryObject> users;
    int reads = 0;
};

bool fakeVerify(const std::string& stored, const std::string& candidate) {
    return stored == "hash:" + candidate;
}

struct SyncLab : Lab {
    FakeDirectory directory;

    explicit SyncLab(TenantSettings settings = {}) : Lab(settings) {
        directory.users.push_back(
            {"anchor-1", "user1@testlab.example", "user1", true, "hash:Old-1"});
        cloud.setPasswordVerifier(fakeVerify);
        cloud.initialSync(directory);
    }

    SignInOutcome signIn(const std::string& password) {
        FakeChannel channel(answered(true, {31006, 31007}));
        return cloud.signIn("user1@testlab.example", password, "", std::nullopt, channel).outcome;
    }
};

}  // namespace

TEST_CASE("The initial import takes hashes as they are, without audit entries", "[sim][sync]") {
    SyncLab lab;
    CHECK(lab.cloud.findUser("user1@testlab.example")->syncedPasswordHash == "hash:Old-1");
    CHECK(lab.cloud.auditLog().empty());
    CHECK(lab.signIn("Old-1") == SignInOutcome::SignedIn);
    CHECK(lab.signIn("Wrong") == SignInOutcome::InvalidPassword);
}

TEST_CASE("An on-premises change reaches the cloud at the next hash cycle, not before",
          "[sim][sync]") {
    SyncLab lab;
    lab.directory.users[0].passwordHash = "hash:Desk-2";
    lab.clock.advance(119);
    CHECK(lab.cloud.runDueCycles(lab.directory).hashCycles == 0);
    CHECK(lab.signIn("Desk-2") == SignInOutcome::InvalidPassword);
    lab.clock.advance(1);
    auto report = lab.cloud.runDueCycles(lab.directory);
    CHECK(report.hashCycles == 1);
    CHECK(report.passwordsSynced == 1);
    CHECK(lab.signIn("Desk-2") == SignInOutcome::SignedIn);
    CHECK(lab.signIn("Old-1") == SignInOutcome::InvalidPassword);
    CHECK(lastAudit(lab.cloud).activity == "Change user password");
}

TEST_CASE(
    "A password written back works in the cloud at once and its echo is not an "
    "on-premises change",
    "[sim][sync]") {
    TenantSettings settings;
    settings.identityProtection.onPremisesChangeResetsRisk = true;
    SyncLab lab(settings);
    lab.cloud.raiseDetection(
        "user1@testlab.example", DetectionType::LeakedCredentials, RiskLevel::High);
    FakeChannel channel(answered(true, {31006, 31007}));
    lab.cloud.selfServiceChange("user1@testlab.example", "Old-1", "New-2", channel);
    CHECK(lab.signIn("New-2") == SignInOutcome::SignedIn);
    lab.directory.users[0].passwordHash = "hash:New-2";
    lab.clock.advance(120);
    lab.cloud.runDueCycles(lab.directory);
    // A voluntary change does not remediate, and the echo must not either.
    CHECK(lab.cloud.riskOf("user1@testlab.example").state == RiskState::AtRisk);
}

TEST_CASE("Disabled on-premises means disabled in the cloud at the next object cycle",
          "[sim][sync]") {
    SyncLab lab;
    lab.directory.users[0].enabled = false;
    lab.clock.advance(1799);
    lab.cloud.runDueCycles(lab.directory);
    CHECK(lab.cloud.findUser("user1@testlab.example")->enabled);
    lab.clock.advance(1);
    auto report = lab.cloud.runDueCycles(lab.directory);
    CHECK(report.objectCycles == 1);
    CHECK(report.usersDisabled == 1);
    CHECK_FALSE(lab.cloud.findUser("user1@testlab.example")->enabled);
    CHECK(lab.signIn("Old-1") == SignInOutcome::AccountDisabled);
}

TEST_CASE("An object cycle imports new directory users by anchor", "[sim][sync]") {
    SyncLab lab;
    lab.directory.users.push_back({"anchor-9", "new@testlab.example", "new", true, "hash:N-9"});
    auto report = lab.cloud.syncObjects(lab.directory);
    CHECK(report.usersAdded == 1);
    const auto* added = lab.cloud.findUser("new@testlab.example");
    REQUIRE(added != nullptr);
    CHECK(added->synced);
    CHECK(added->anchor == "anchor-9");
    CHECK(lab.cloud.syncObjects(lab.directory).usersAdded == 0);
}

TEST_CASE("Without password hash sync no hash reaches the cloud", "[sim][sync]") {
    TenantSettings settings;
    settings.passwordHashSync = false;
    SyncLab lab(settings);
    CHECK(lab.cloud.findUser("user1@testlab.example")->syncedPasswordHash.empty());
    lab.directory.users[0].passwordHash = "hash:Desk-2";
    lab.clock.advance(3600);
    CHECK(lab.cloud.runDueCycles(lab.directory).passwordsSynced == 0);
    CHECK(lab.cloud.detectLeakedCredentials({"Old-1", "Desk-2"}) == 0);
}

TEST_CASE("An object cycle deletes cloud users whose directory object is gone", "[sim][sync]") {
    SyncLab lab;
    lab.directory.users.clear();
    auto report = lab.cloud.syncObjects(lab.directory);
    CHECK(report.usersDeleted == 1);
    CHECK(lab.cloud.findUser("user1@testlab.example") == nullptr);
    CHECK(lab.cloud.findUser("cloud@testlab.onmicrosoft.com") != nullptr);  // cloud-only stays
}

TEST_CASE("After OnPremisesSuccessCloudFailure the next hash cycle commits the password",
          "[sim][sync][policy]") {
    // troubleshoot-sspr: "you have to wait a few minutes before the changes are committed to the
    // cloud"; password hash sync: "it overwrites the existing cloud password".
    TenantSettings settings;
    settings.enforceCloudPasswordPolicyForSyncedUsers = true;
    SyncLab lab(settings);
    FakeChannel channel(answered(true, {31001, 31002}));
    auto r = lab.cloud.selfServiceReset("user1@testlab.example", "lower words", true, channel);
    REQUIRE(r.outcome == Outcome::OnPremisesSuccessCloudFailure);
    lab.directory.users[0].passwordHash = "hash:lower words";  // set on-premises
    CHECK(lab.signIn("Old-1") == SignInOutcome::SignedIn);     // not in the cloud yet
    CHECK(lab.signIn("lower words") == SignInOutcome::InvalidPassword);
    lab.clock.advance(120);
    CHECK(lab.cloud.runDueCycles(lab.directory).passwordsSynced == 1);
    CHECK(lab.signIn("lower words") == SignInOutcome::SignedIn);
    CHECK(lab.signIn("Old-1") == SignInOutcome::InvalidPassword);
    CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 1);
}

TEST_CASE("A tenant that reads concept-sspr-policy never takes the refused password",
          "[sim][sync][policy]") {
    TenantSettings settings;
    settings.enforceCloudPasswordPolicyForSyncedUsers = true;
    settings.hashSyncCommitsCloudFailure = false;
    SyncLab lab(settings);
    FakeChannel channel(answered(true, {31001, 31002}));
    lab.cloud.selfServiceReset("user1@testlab.example", "lower words", true, channel);
    lab.directory.users[0].passwordHash = "hash:lower words";
    lab.clock.advance(120);
    CHECK(lab.cloud.runDueCycles(lab.directory).passwordsSynced == 0);
    CHECK(lab.signIn("lower words") == SignInOutcome::InvalidPassword);
    CHECK(lab.signIn("Old-1") == SignInOutcome::SignedIn);
    // A later change on-premises is an ordinary change again.
    lab.directory.users[0].passwordHash = "hash:Desk-Changed-3";
    lab.clock.advance(120);
    CHECK(lab.cloud.runDueCycles(lab.directory).passwordsSynced == 1);
    CHECK(lab.signIn("Desk-Changed-3") == SignInOutcome::SignedIn);
}

TEST_CASE("Synced password changes are audited by the Core Directory service", "[sim][sync]") {
    // reference-audit-activities lists "Change user password" under Core Directory, not under
    // Self-service Password Management.
    SyncLab lab;
    lab.directory.users[0].passwordHash = "hash:Desk-2";
    lab.clock.advance(120);
    lab.cloud.runDueCycles(lab.directory);
    CHECK(lastAudit(lab.cloud).activity == "Change user password");
    CHECK(lastAudit(lab.cloud).service == "Core Directory");
}
