// Graph resetPassword, the unsupported paths, the order of the checks before the gates, SSPR_0011
// and OnPremisesSuccessCloudFailure (docs/cloud-model.md).
#include "lab.hpp"

#include <catch2/catch.hpp>

using namespace wblab::sim;
using namespace wblab::sim::test;

namespace {

struct GraphLab : Lab {
    GraphLab() {
        CloudUser admin = user("helpdesk@testlab.onmicrosoft.com", "", false);
        admin.adminRoles = {"Authentication Administrator"};
        cloud.addUser(admin);
        CloudUser reader = user("reader@testlab.onmicrosoft.com", "", false);
        reader.adminRoles = {"Global Reader"};
        cloud.addUser(reader);
    }
};

}  // namespace

TEST_CASE("Graph resetPassword is accepted, then runs the writeback when polled", "[sim][graph]") {
    GraphLab lab;
    FakeChannel channel(answered(true, {31009, 31010}));
    auto response = lab.cloud.graphResetPassword(
        "helpdesk@testlab.onmicrosoft.com", "user1@testlab.example", "Temp-Passw0rd!");
    CHECK(response.httpStatus == 202);
    CHECK(response.location ==
          "/users/user1@testlab.example/authentication/operations/" + response.operationId);
    CHECK(channel.requests.empty());
    CHECK(lab.cloud.pollOperation(response.operationId, channel) == OperationStatus::Running);
    CHECK(lab.cloud.operationResult(response.operationId) == nullptr);
    CHECK(lab.cloud.pollOperation(response.operationId, channel) == OperationStatus::Succeeded);
    REQUIRE(channel.requests.size() == 1);
    CHECK(channel.requests[0].operation == "admin_reset");
    CHECK(channel.requests[0].mustChange);  // the user must change it at next sign-in
    CHECK(lastAudit(lab.cloud).actor == "helpdesk@testlab.onmicrosoft.com");
    // Terminal: polling again does not send it again.
    CHECK(lab.cloud.pollOperation(response.operationId, channel) == OperationStatus::Succeeded);
    CHECK(channel.requests.size() == 1);
}

TEST_CASE("A Graph reset the directory refuses ends failed", "[sim][graph]") {
    GraphLab lab;
    FakeChannel channel(answered(false, {31009, 31011, 33008}, 33008));
    auto response = lab.cloud.graphResetPassword(
        "helpdesk@testlab.onmicrosoft.com", "user1@testlab.example", "short");
    lab.cloud.pollOperation(response.operationId, channel);
    CHECK(lab.cloud.pollOperation(response.operationId, channel) == OperationStatus::Failed);
    CHECK(lab.cloud.operationResult(response.operationId)->outcome ==
          Outcome::OnPremisesPolicyViolation);
}

TEST_CASE(
    "Graph resetPassword refuses callers without the role, self-resets and hybrid users "
    "without a password",
    "[sim][graph]") {
    GraphLab lab;
    CHECK(lab.cloud
              .graphResetPassword(
                  "reader@testlab.onmicrosoft.com", "user1@testlab.example", "Temp-Passw0rd!")
              .httpStatus == 403);
    CHECK(lab.cloud
              .graphResetPassword("helpdesk@testlab.onmicrosoft.com",
                                  "HELPDESK@testlab.onmicrosoft.com",
                                  "Temp-Passw0rd!")
              .httpStatus == 403);
    CHECK(lab.cloud
              .graphResetPassword("helpdesk@testlab.onmicrosoft.com", "user1@testlab.example", "")
              .httpStatus == 400);
    CHECK(lab.cloud
              .graphResetPassword(
                  "helpdesk@testlab.onmicrosoft.com", "nobody@testlab.example", "Temp-Passw0rd!")
              .httpStatus == 404);
}

TEST_CASE("Unsupported paths change only the cloud password or are refused", "[sim][graph]") {
    Lab lab;
    auto viaAdminCenter = lab.cloud.unsupportedReset(
        UnsupportedPath::M365AdminCenter, "user1@testlab.example", "Cloud-0nly!");
    CHECK(viaAdminCenter.outcome == Outcome::CloudOnlyChange);
    CHECK_FALSE(viaAdminCenter.writebackAttempted);
    CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 1);
    auto viaPowerShell = lab.cloud.unsupportedReset(
        UnsupportedPath::PowerShell, "user1@testlab.example", "Cloud-0nly!");
    CHECK(viaPowerShell.outcome == Outcome::CloudOnlyChange);
    auto self = lab.cloud.unsupportedReset(
        UnsupportedPath::GraphSelfService, "user1@testlab.example", "Cloud-0nly!");
    CHECK(self.outcome == Outcome::Refused);
    CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 2);
    // Graph PATCH /users/{id} with a passwordProfile is not resetPassword: cloud only.
    auto patch = lab.cloud.unsupportedReset(
        UnsupportedPath::GraphPatchPasswordProfile, "user1@testlab.example", "Cloud-0nly!");
    CHECK(patch.outcome == Outcome::CloudOnlyChange);
    CHECK_FALSE(patch.writebackAttempted);
    CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 3);
    CHECK(lastAudit(lab.cloud).activity == "Reset user password");
    CHECK(lastAudit(lab.cloud).reason == "Microsoft Graph PATCH passwordProfile");
    CHECK(std::string(toString(UnsupportedPath::GraphPatchPasswordProfile)) ==
          "graph_patch_password_profile");
}

TEST_CASE("The writeback service is checked before the verification gates", "[sim][gates]") {
    TenantSettings settings;
    settings.sspr = SsprScope::Selected;
    settings.ssprGroup = "SSPR-Users";  // user1 is not in it: the gate would say SSPR_0013
    Lab lab(settings);
    FakeChannel channel(answered(true, {31001, 31002}));
    channel.up = false;
    auto r = lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel);
    CHECK(r.outcome == Outcome::OnPremisesConnectivityError);
    CHECK(channel.requests.empty());
    channel.up = true;
    r = lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel);
    CHECK(r.outcome == Outcome::NotInSsprGroup);
}

TEST_CASE("No password reset policy for the user is SSPR_0011 and admins keep the two-gate policy",
          "[sim][gates]") {
    TenantSettings settings;
    settings.ssprPolicyDefined = false;
    Lab lab(settings);
    CloudUser admin = Lab::user("admin@testlab.example", "anchor-2");
    admin.adminRoles = {"User Administrator"};
    admin.methods = {Method::AppNotification, Method::MobilePhone};
    lab.cloud.addUser(admin);
    FakeChannel channel(answered(true, {31001, 31002}));
    CHECK(lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel)
              .outcome == Outcome::SsprPolicyNotDefined);
    CHECK(std::string(toString(Outcome::SsprPolicyNotDefined)) == "SSPR_0011");
    CHECK(lab.cloud.selfServiceReset("admin@testlab.example", "N3w-Passw0rd!", true, channel)
              .outcome == Outcome::Success);
}

TEST_CASE(
    "A password set on-premises that the cloud's rules refuse is "
    "OnPremisesSuccessCloudFailure, audited as success",
    "[sim][policy]") {
    TenantSettings settings;
    settings.enforceCloudPasswordPolicyForSyncedUsers = true;
    Lab lab(settings);
    FakeChannel channel(answered(true, {31001, 31002}));
    auto r = lab.cloud.selfServiceReset("user1@testlab.example", "only lower words", true, channel);
    CHECK(r.outcome == Outcome::OnPremisesSuccessCloudFailure);
    CHECK(channel.requests.size() == 1);
    CHECK(lab.cloud.findUser("user1@testlab.example")->passwordVersion == 0);
    CHECK(lastAudit(lab.cloud).result == "success");
    CHECK(lastAudit(lab.cloud).reason == "OnPremisesSuccessCloudFailure");
    // Without the setting the same password is an ordinary success.
    Lab relaxed;
    CHECK(relaxed.cloud.selfServiceReset("user1@testlab.example", "only lower words", true, channel)
              .outcome == Outcome::Success);
}

TEST_CASE("The cloud password policy: 8-256 printable ASCII characters, three classes of four",
          "[sim][policy]") {
    CHECK(Cloud::meetsCloudPasswordPolicy("Abcdef12"));
    CHECK(Cloud::meetsCloudPasswordPolicy("abcdef1!"));
    CHECK_FALSE(Cloud::meetsCloudPasswordPolicy("Abcde12"));           // 7 characters
    CHECK_FALSE(Cloud::meetsCloudPasswordPolicy("abcdefgh12"));        // two classes
    CHECK_FALSE(Cloud::meetsCloudPasswordPolicy("Abcdef12\xc3\xa9"));  // not ASCII
    CHECK_FALSE(Cloud::meetsCloudPasswordPolicy(std::string(257, 'a') + "A1"));
}

TEST_CASE("Registration required sends users without enough methods to register at sign-in",
          "[sim][gates]") {
    TenantSettings settings;
    settings.registrationRequired = true;
    settings.methodsRequired = 2;
    Lab lab(settings);
    CloudUser newbie = Lab::user("newbie@testlab.example", "anchor-5");
    newbie.methods = {Method::Email};
    lab.cloud.addUser(newbie);
    FakeChannel channel(answered(true, {31001, 31002}));
    auto signIn = [&] {
        return lab.cloud.signIn("newbie@testlab.example", "pw", "", std::nullopt, channel).outcome;
    };
    CHECK(signIn() == SignInOutcome::RegistrationRequired);
    REQUIRE(lab.cloud.registerMethods("newbie@testlab.example", {Method::MobilePhone}));
    CHECK(lastAudit(lab.cloud).activity == "User registered for self-service password reset");
    CHECK(signIn() == SignInOutcome::SignedIn);
    CHECK_FALSE(lab.cloud.registerMethods("nobody@testlab.example", {Method::Email}));
}

TEST_CASE("An admin reset of a federated user follows the tenant's reading of the sources",
          "[sim][admin]") {
    for (bool writesBack : {true, false}) {
        TenantSettings settings;
        settings.federatedAdminResetWritesBack = writesBack;
        Lab lab(settings);
        CloudUser fed = Lab::user("fed@fabrikam.example", "anchor-6");
        fed.federated = true;
        lab.cloud.addUser(fed);
        FakeChannel channel(answered(true, {31009, 31010}));
        auto r = lab.cloud.adminReset("fed@fabrikam.example", "Temp-Passw0rd!", true, channel);
        CHECK(r.outcome == (writesBack ? Outcome::Success : Outcome::Refused));
        CHECK(channel.requests.size() == (writesBack ? 1U : 0U));
    }
}

TEST_CASE("Graph resetPassword follows 'Who can reset passwords'", "[sim][graph]") {
    // resetPassword v1.0: User, Helpdesk and Password Administrators "can also reset passwords
    // for non-admin users and a limited set of admin roles"; privileged-roles-permissions has
    // the table.
    GraphLab lab;
    auto add = [&](const std::string& upn, std::vector<std::string> roles) {
        CloudUser u = Lab::user(upn, "", false);
        u.adminRoles = std::move(roles);
        lab.cloud.addUser(u);
    };
    add("pwadmin@testlab.onmicrosoft.com", {"Password Administrator"});
    add("desk@testlab.onmicrosoft.com", {"Helpdesk Administrator"});
    add("useradmin@testlab.onmicrosoft.com", {"User Administrator"});
    add("ga@testlab.onmicrosoft.com", {"Global Administrator"});
    add("groups@testlab.onmicrosoft.com", {"Groups Administrator"});
    auto status = [&](const char* caller, const char* user) {
        return lab.cloud.graphResetPassword(caller, user, "Temp-Passw0rd!").httpStatus;
    };
    // Every password role resets a user without an admin role.
    for (const char* caller : {"pwadmin@testlab.onmicrosoft.com",
                               "desk@testlab.onmicrosoft.com",
                               "useradmin@testlab.onmicrosoft.com",
                               "helpdesk@testlab.onmicrosoft.com"}) {
        INFO(caller);
        CHECK(status(caller, "user1@testlab.example") == 202);
    }
    // A Helpdesk Administrator resets another Helpdesk Administrator, not a Groups Administrator.
    CHECK(status("pwadmin@testlab.onmicrosoft.com", "desk@testlab.onmicrosoft.com") == 403);
    CHECK(status("useradmin@testlab.onmicrosoft.com", "desk@testlab.onmicrosoft.com") == 202);
    CHECK(status("desk@testlab.onmicrosoft.com", "groups@testlab.onmicrosoft.com") == 403);
    CHECK(status("useradmin@testlab.onmicrosoft.com", "groups@testlab.onmicrosoft.com") == 202);
    // Only Privileged Authentication and Global Administrators reset a Global Administrator.
    CHECK(status("helpdesk@testlab.onmicrosoft.com", "ga@testlab.onmicrosoft.com") == 403);
    CHECK(status("useradmin@testlab.onmicrosoft.com", "ga@testlab.onmicrosoft.com") == 403);
    // Global Reader is none of the password roles.
    CHECK(status("reader@testlab.onmicrosoft.com", "user1@testlab.example") == 403);
    CHECK(
        lab.cloud.canResetPassword("ga@testlab.onmicrosoft.com", "groups@testlab.onmicrosoft.com"));
}

TEST_CASE("Graph resetPassword refuses a banned password before accepting the operation",
          "[sim][graph]") {
    // "It is validated against the tenant's banned password system before acceptance."
    GraphLab lab;
    FakeChannel channel(answered(true, {31009, 31010}));
    auto response = lab.cloud.graphResetPassword(
        "helpdesk@testlab.onmicrosoft.com", "user1@testlab.example", "P@ssw0rd1");
    CHECK(response.httpStatus == 400);
    CHECK(response.operationId.empty());
    CHECK(channel.requests.empty());
}

TEST_CASE("Graph resetPassword generates a password for a cloud-only user", "[sim][graph]") {
    GraphLab lab;
    FakeChannel channel(answered(true, {31009, 31010}));
    auto response = lab.cloud.graphResetPassword(
        "helpdesk@testlab.onmicrosoft.com", "cloud@testlab.onmicrosoft.com", "");
    REQUIRE(response.httpStatus == 202);
    lab.cloud.pollOperation(response.operationId, channel);
    CHECK(lab.cloud.pollOperation(response.operationId, channel) == OperationStatus::Succeeded);
    CHECK(lab.cloud.findUser("cloud@testlab.onmicrosoft.com")->passwordVersion == 1);
    CHECK(channel.requests.empty());
}

TEST_CASE("An admin-center reset by a named admin follows the same roles and never the admin's own",
          "[sim][admin]") {
    GraphLab lab;
    CloudUser desk = Lab::user("desk@testlab.example", "anchor-desk");
    desk.adminRoles = {"Helpdesk Administrator"};
    lab.cloud.addUser(desk);
    CloudUser ga = Lab::user("ga@testlab.example", "anchor-ga");
    ga.adminRoles = {"Global Administrator"};
    lab.cloud.addUser(ga);
    FakeChannel channel(answered(true, {31009, 31010}));
    // "Any administrator cannot use password reset tool to reset their own password."
    auto self = lab.cloud.adminResetBy(
        "desk@testlab.example", "desk@testlab.example", "Temp-Passw0rd!", true, channel);
    CHECK(self.outcome == Outcome::Refused);
    CHECK(lab.cloud
              .adminResetBy(
                  "desk@testlab.example", "ga@testlab.example", "Temp-Passw0rd!", true, channel)
              .outcome == Outcome::Refused);
    CHECK(channel.requests.empty());
    CHECK(lastAudit(lab.cloud).result == "failure");
    auto ok = lab.cloud.adminResetBy(
        "desk@testlab.example", "user1@testlab.example", "Temp-Passw0rd!", true, channel);
    CHECK(ok.outcome == Outcome::Success);
    REQUIRE(channel.requests.size() == 1);
    CHECK(channel.requests[0].mustChange);
    CHECK(lastAudit(lab.cloud).actor == "desk@testlab.example");
}

TEST_CASE("With gate_order policy_first the SSPR gates come before the service check",
          "[sim][gates]") {
    // concept-sspr-howitworks checks SSPR and methods before where the password is managed.
    TenantSettings settings;
    settings.gateOrder = GateOrder::PolicyFirst;
    settings.sspr = SsprScope::Selected;
    settings.ssprGroup = "SSPR-Users";
    Lab lab(settings);
    FakeChannel channel(answered(true, {31001, 31002}));
    channel.up = false;
    CHECK(lab.cloud.selfServiceReset("user1@testlab.example", "N3w-Passw0rd!", true, channel)
              .outcome == Outcome::NotInSsprGroup);
    settings.writebackEnabled = false;
    settings.sspr = SsprScope::All;
    Lab noWriteback(settings);
    CloudUser unregistered = Lab::user("bare@testlab.example", "anchor-bare");
    unregistered.methods = {};
    noWriteback.cloud.addUser(unregistered);
    CHECK(noWriteback.cloud.selfServiceReset("bare@testlab.example", "N3w-Passw0rd!", true, channel)
              .outcome == Outcome::NotEnoughMethods);
    CHECK(channel.requests.empty());
}
