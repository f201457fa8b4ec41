// What a scenario can say about the service (issue 14): tenant changes mid-run, cloud-only users
// in self-service and admin steps, named admins, the SSPR session and code lifetimes, partial
// event matchers and "no request", refused dismissals, and the tenant settings where the sources
// conflict. Each loads into the model, and each bad use is refused with file:line:column.
#include "test_files.hpp"

#include <catch2/catch.hpp>

using namespace wblab;
using namespace wblab::scenario;
using namespace wblab::scenario::test;

namespace {

/// A tenant with one cloud-only admin, one synced user; `steps` follow.
std::string withSteps(const std::string& steps, const std::string& tenantExtra = "") {
    return "tenant:\n"
           "  writeback: false\n" +
           tenantExtra +
           "  cloud_users:\n"
           "    - {upn: helpdesk@testlab.onmicrosoft.com, admin_roles: [Helpdesk Administrator],\n"
           "       given_name: Hilda, surname: Desk}\n"
           "onprem:\n"
           "  users:\n"
           "    - {sam: u1, upn: u1@testlab.example, password: \"Seed-Pw-1\", given_name: Ulla,\n"
           "       surname: Underhill}\n"
           "steps:\n" +
           steps;
}

Expected<Scenario> load(const std::string& text) {
    static Files f;
    return f.load(text);
}

const std::string kReset =
    "  - sspr_reset: {user: u1@testlab.example, new_password: \"New-Pw-1\"}\n";

}  // namespace

TEST_CASE("A tenant_change step holds the whole tenant after it", "[scenario][language]") {
    auto s =
        load(withSteps(kReset + "  - tenant_change: {writeback: true, gate_order: policy_first}\n" +
                       kReset + "  - tenant_change: {throttle: {window: 24h}}\n" + kReset));
    REQUIRE(s);
    REQUIRE(s->steps.size() == 5);
    const auto& on = std::get<TenantChange>(s->steps[1].action);
    CHECK(on.tenant.writeback);
    CHECK(on.tenant.gateOrder == sim::GateOrder::PolicyFirst);
    CHECK(on.tenant.cloudUsers.size() == 1);  // accounts stay as the tenant has them
    CHECK(on.changed == std::vector<std::string>{"writeback: true", "gate_order: policy_first"});
    const auto& window = std::get<TenantChange>(s->steps[3].action);
    CHECK(window.tenant.writeback);  // the earlier change holds
    CHECK(window.tenant.gateOrder == sim::GateOrder::PolicyFirst);
    CHECK(window.tenant.throttle.windowSeconds == 86400);
    CHECK(window.tenant.throttle.attempts == 5);
    CHECK(window.changed == std::vector<std::string>{"throttle"});
    CHECK_FALSE(s->tenantBefore(0).writeback);
    CHECK_FALSE(s->tenantBefore(1).writeback);
    CHECK(s->tenantBefore(2).writeback);
    CHECK(s->tenantBefore(4).throttle.windowSeconds == 86400);
    CHECK(std::string(kindName(s->steps[1].action)) == "tenant_change");
    CHECK_FALSE(sendsRequest(s->steps[1].action));
}

TEST_CASE("The tenant settings where the sources conflict load", "[scenario][language]") {
    auto s = load(withSteps(kReset,
                            "  gate_order: policy_first\n"
                            "  throttle: {attempts: 3, window: 1d, blocked_for: 2h,\n"
                            "             counters_reset_on_success: true}\n"
                            "  hash_sync_commits_cloud_failure: false\n"
                            "  allowed_to_use_sspr: false\n"
                            "  tenant_name: Contoso\n"
                            "  banned_passwords: [fabrikam, Tailspin-Toys-Co]\n"));
    REQUIRE(s);
    const auto& t = s->tenant;
    CHECK(t.gateOrder == sim::GateOrder::PolicyFirst);
    CHECK(t.throttle.attempts == 3);
    CHECK(t.throttle.windowSeconds == 86400);
    CHECK(t.throttle.blockedForSeconds == 7200);
    CHECK(t.throttle.countersResetOnSuccess);
    CHECK_FALSE(t.hashSyncCommitsCloudFailure);
    CHECK_FALSE(t.allowedToUseSspr);
    CHECK(t.tenantName == "Contoso");
    CHECK(t.bannedPasswords == std::vector<std::string>{"fabrikam", "Tailspin-Toys-Co"});
    CHECK(s->onprem.users[0].givenName == "Ulla");
    CHECK(s->onprem.users[0].surname == "Underhill");
    CHECK(t.cloudUsers[0].givenName == "Hilda");
    CHECK(t.cloudUsers[0].surname == "Desk");
    auto defaults = load(withSteps(kReset));
    REQUIRE(defaults);
    CHECK(defaults->tenant.gateOrder == sim::GateOrder::WritebackFirst);
    CHECK(defaults->tenant.throttle.windowSeconds == 3600);
    CHECK(defaults->tenant.throttle.blockedForSeconds == 86400);
    CHECK(defaults->tenant.hashSyncCommitsCloudFailure);
    CHECK(defaults->tenant.allowedToUseSspr);
}

TEST_CASE("Cloud-only users reset and are reset, named admins, the portal's timing",
          "[scenario][language]") {
    auto s = load(withSteps(
        "  - sspr_reset: {user: helpdesk@testlab.onmicrosoft.com, new_password: \"Cloud-Pw-1\",\n"
        "                 timing: {code_entered_after: 6m, submitted_after: 10m}}\n"
        "  - admin_reset: {by: helpdesk@testlab.onmicrosoft.com, user: u1@testlab.example,\n"
        "                  new_password: \"Admin-Pw-1\"}\n"
        "  - admin_reset: {user: helpdesk@testlab.onmicrosoft.com, new_password: \"Admin-Pw-2\"}\n"
        "  - sspr_reset: {user: u1@testlab.example, new_password: \"New-Pw-2\",\n"
        "                 timing: {submitted_after: 16m}}\n"
        "  - sspr_reset: {user: u1@testlab.example, new_password: \"New-Pw-3\",\n"
        "                 timing: {code_entered_after: 4m}}\n"
        "  - unsupported_reset: {path: graph_patch_password_profile, user: u1@testlab.example,\n"
        "                        new_password: \"Patched-Pw-1\"}\n"));
    REQUIRE(s);
    const auto& cloudReset = std::get<SsprReset>(s->steps[0].action);
    CHECK(cloudReset.user == "helpdesk@testlab.onmicrosoft.com");
    REQUIRE(cloudReset.timing);
    CHECK(cloudReset.timing->codeEnteredAfterSeconds == 360);
    CHECK(cloudReset.timing->submittedAfterSeconds == 600);
    CHECK(std::get<AdminReset>(s->steps[1].action).by == "helpdesk@testlab.onmicrosoft.com");
    CHECK(std::get<AdminReset>(s->steps[2].action).by.empty());
    const auto& late = std::get<SsprReset>(s->steps[3].action);
    CHECK(late.timing->codeEnteredAfterSeconds < 0);  // no code: the session alone
    CHECK(late.timing->submittedAfterSeconds == 960);
    const auto& quick = std::get<SsprReset>(s->steps[4].action);
    CHECK(quick.timing->submittedAfterSeconds == 240);  // submitted as the code is entered
    CHECK(std::get<UnsupportedReset>(s->steps[5].action).path ==
          sim::UnsupportedPath::GraphPatchPasswordProfile);
}

TEST_CASE("Partial event matchers, 'no request' and a refused dismissal load with their criteria",
          "[scenario][language]") {
    auto s = load(withSteps(kReset +
                            "    expect: {outcome: SSPR_0010, request_sent: false, events: [],\n"
                            "             criterion: sspr-writeback-toggle}\n"
                            "  - tenant_change: {writeback: true}\n" +
                            kReset +
                            "    expect: {events_include: [31001], events_exclude: [31003],\n"
                            "             criterion: {events_exclude: wb-reset-applies}}\n"
                            "  - dismiss_risk: u1@testlab.example\n"
                            "    expect: {dismissed: false, criterion: ip-admin-actions}\n"));
    REQUIRE(s);
    const auto& refused = s->steps[0].expect;
    REQUIRE(refused.events);
    CHECK(refused.events->value.empty());
    CHECK(refused.events->criterion == "wb-event-ids");
    CHECK(refused.requestSent->value == false);
    const auto& partial = s->steps[2].expect;
    CHECK(partial.eventsInclude->value == std::vector<int>{31001});
    CHECK(partial.eventsInclude->criterion == "wb-event-ids");  // the kind decides
    CHECK(partial.eventsExclude->value == std::vector<int>{31003});
    CHECK(partial.eventsExclude->criterion == "wb-reset-applies");  // the scenario says
    CHECK_FALSE(partial.events);
    REQUIRE(s->steps[3].expect.dismissed);
    CHECK_FALSE(s->steps[3].expect.dismissed->value);
    CHECK(s->steps[3].expect.dismissed->criterion == "ip-admin-actions");
    for (const char* id : {"ip-admin-actions", "sspr-writeback-toggle", "wb-reset-applies"}) {
        INFO(id);
        CHECK(std::find(s->criteria.begin(), s->criteria.end(), id) != s->criteria.end());
    }
}

TEST_CASE("Bad uses of the issue-14 language are refused with a position", "[scenario][language]") {
    struct Case {
        std::string text;
        std::string message;
        int line;
    };

    const std::string late = "  - sspr_reset: {user: u1@testlab.example, new_password: \"N-Pw-1\",";
    std::string thousandAndOne = "  banned_passwords: [";
    for (int i = 0; i < 1001; ++i) {
        thousandAndOne += (i ? ", term" : "term") + std::to_string(i);
    }
    thousandAndOne += "]\n";
    auto c = GENERATE_COPY(
        Case{withSteps("  - tenant_change: {cloud_users: []}\n"),
             "steps[0].tenant_change.cloud_users: a tenant change changes settings, not accounts",
             11},
        Case{withSteps("  - tenant_change: {}\n"),
             "steps[0].tenant_change: say which settings change",
             11},
        Case{withSteps("  - tenant_change: {writebak: true}\n"),
             "steps[0].tenant_change.writebak: unknown key",
             11},
        Case{withSteps("  - tenant_change: {writeback: true}\n    expect: {outcome: success}\n"),
             "steps[0].expect: a tenant_change step has nothing to expect",
             12},
        Case{withSteps("  - tenant_change: {sspr: selected}\n"),
             "sspr: selected needs sspr_group",
             11},
        Case{withSteps(kReset, "  gate_order: sideways\n"),
             "tenant.gate_order: unknown value 'sideways' (expected one of: writeback_first, "
             "policy_first)",
             3},
        Case{withSteps(kReset, "  throttle: {attempts: 0}\n"),
             "tenant.throttle.attempts: must be between 1 and 100",
             3},
        Case{withSteps(kReset, "  throttle: {window: 0}\n"),
             "tenant.throttle.window: give a duration of more than 0",
             3},
        Case{withSteps(kReset, "  throttle: {per_ip: true}\n"),
             "tenant.throttle.per_ip: unknown key",
             3},
        Case{withSteps(kReset, "  banned_passwords: [contoso, abc]\n"),
             "tenant.banned_passwords[1]: a custom banned term is 4 to 16 characters",
             3},
        Case{withSteps(kReset, "  banned_passwords: [seventeen-letters]\n"),
             "tenant.banned_passwords[0]: a custom banned term is 4 to 16 characters",
             3},
        Case{withSteps(kReset, thousandAndOne),
             "tenant.banned_passwords: the custom banned password list holds at most 1000 terms",
             3},
        Case{withSteps("  - sspr_change: {user: helpdesk@testlab.onmicrosoft.com, old_password: "
                       "\"A-Pw-1\", new_password: \"B-Pw-1\"}\n"),
             "steps[0].sspr_change.user: 'helpdesk@testlab.onmicrosoft.com' is a cloud-only user",
             11},
        Case{withSteps("  - unlock: {user: helpdesk@testlab.onmicrosoft.com}\n"),
             "unlock clears an on-premises lockout",
             11},
        Case{withSteps("  - admin_reset: {by: ghost@testlab.example, user: u1@testlab.example, "
                       "new_password: \"A-Pw-1\"}\n"),
             "steps[0].admin_reset.by: no user signs in as 'ghost@testlab.example'",
             11},
        Case{withSteps(late + " timing: {code_entered_after: 6m, submitted_after: 1m}}\n"),
             "steps[0].sspr_reset.timing.submitted_after: the new password is submitted after "
             "the code is entered",
             11},
        Case{withSteps(late + " timing: {}}\n"),
             "steps[0].sspr_reset.timing: give code_entered_after, submitted_after or both",
             11},
        Case{withSteps(late + " timing: {code_entered_after: soon}}\n"),
             "steps[0].sspr_reset.timing.code_entered_after",
             11},
        Case{withSteps(kReset + "    expect: {events: [31001], events_include: [31001]}\n"),
             "steps[0].expect.events_include: events already fixes the whole list",
             12},
        Case{withSteps(kReset + "    expect: {events_exclude: []}\n"),
             "steps[0].expect.events_exclude: give at least one event id",
             12},
        Case{withSteps(kReset + "    expect: {dismissed: true, criterion: ip-admin-actions}\n"),
             "steps[0].expect.dismissed: unknown key",
             12},
        Case{withSteps("  - dismiss_risk: u1@testlab.example\n    expect: {dismissed: false}\n"),
             "steps[0].expect.dismissed: which criterion is this expectation evidence for?",
             12},
        Case{withSteps("  - unsupported_reset: {path: graph_patch, user: u1@testlab.example, "
                       "new_password: \"P-Pw-1\"}\n"),
             "graph_patch_password_profile",
             11});
    auto s = load(c.text);
    INFO(c.text.substr(0, 400));
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::InvalidInput);
    CHECK_THAT(s.error().message, Catch::Contains(c.message));
    REQUIRE(s.error().where);
    CHECK_THAT(s.error().where->file, Catch::EndsWith("/case.yaml"));
    CHECK(s.error().where->line == c.line);
}
