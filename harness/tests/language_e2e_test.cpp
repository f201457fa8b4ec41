// The scenario language's newer steps and expectations, run for real (reference agent, slapd):
// each check is made, passes when the lab behaves as the scenario says, and fails, naming what it
// observed, when the scenario says otherwise.
#include "e2e_support.hpp"

#include <algorithm>

using namespace wblab;
using namespace wblab::e2e;

namespace {

/// Writes `text` as a scenario file in a private directory, loads and runs it.
report::CaseResult runText(const std::string& id, const std::string& text) {
    auto dir = RunDirectory::create("lang-e2e");
    REQUIRE(dir);
    const std::string path = dir->path() + "/" + id + ".yaml";
    REQUIRE(writeFileAtomically(path, text));
    return harness::runScenario(load(path), optionsFor(referenceAgent()));
}

bool timelineHas(const report::CaseResult& r, const std::string& text) {
    return std::any_of(r.timeline.begin(), r.timeline.end(), [&](const std::string& line) {
        return line.find(text) != std::string::npos;
    });
}

const std::string kUser =
    "onprem:\n"
    "  users:\n"
    "    - {sam: lang1, upn: lang1@testlab.example, password: \"Seed-Passw0rd-L1\"}\n";

}  // namespace

TEST_CASE(
    "An empty events list holds when no request was sent, the partial matchers judge the events",
    "[e2e][slapd][language]") {
    auto r = runText(
        "events_case",
        "tenant: {writeback: false}\n" + kUser +
            "steps:\n"
            "  - sspr_reset: {user: lang1@testlab.example, new_password: \"Off-Pw-L1!\"}\n"
            "    expect: {request_sent: false, events: [], criterion: sspr-writeback-toggle}\n"
            "  - sspr_reset: {user: lang1@testlab.example, new_password: \"Off-Pw-L2!\"}\n"
            "    expect: {events_include: [31001]}\n"
            "  - tenant_change: {writeback: true}\n"
            "  - sspr_reset: {user: lang1@testlab.example, new_password: \"On-Pw-L3!\"}\n"
            "    expect: {events: []}\n"
            "  - sspr_reset: {user: lang1@testlab.example, new_password: \"On-Pw-L4!\"}\n"
            "    expect: {events_include: [31002, 31001], events_exclude: [31003]}\n"
            "  - sspr_reset: {user: lang1@testlab.example, new_password: \"On-Pw-L5!\"}\n"
            "    expect: {events_exclude: [31002]}\n");
    INFO(r.message);
    const auto none = checkNamed(r, "step 1: agent events");
    CHECK(none.passed);
    CHECK(none.observed == "[] (no request reached the agent)");
    CHECK(none.criterion == "wb-event-ids");
    const auto includeWithout = checkNamed(r, "step 2: agent events include");
    CHECK_FALSE(includeWithout.passed);
    CHECK(includeWithout.made);  // nothing was sent: the agent logged nothing, a fact
    CHECK(timelineHas(r, "step 3 an admin changes the tenant: writeback: true"));
    const auto notEmpty = checkNamed(r, "step 4: agent events");
    CHECK_FALSE(notEmpty.passed);
    CHECK(notEmpty.observed == "[31001, 31002]");
    CHECK(checkNamed(r, "step 5: agent events include").passed);
    CHECK(checkNamed(r, "step 5: agent events exclude").passed);
    const auto excluded = checkNamed(r, "step 6: agent events exclude");
    CHECK_FALSE(excluded.passed);
    CHECK(excluded.expected == "none of [31002]");
    CHECK(r.verdict == report::Verdict::Fail);
}

TEST_CASE("A named admin, a timed reset and a refused dismissal are checked as the scenario says",
          "[e2e][slapd][language]") {
    auto r = runText(
        "admin_case",
        "tenant:\n"
        "  cloud_users:\n"
        "    - {upn: helpdesk@testlab.onmicrosoft.com, admin_roles: [Helpdesk Administrator]}\n" +
            std::string("onprem:\n"
                        "  users:\n"
                        "    - {sam: lang2, upn: lang2@testlab.example, password: "
                        "\"Seed-Passw0rd-L2\",\n"
                        "       admin_roles: [Groups Administrator]}\n"
                        "    - {sam: lang3, upn: lang3@testlab.example, password: "
                        "\"Seed-Passw0rd-L3\"}\n"
                        "steps:\n"
                        "  - admin_reset: {by: helpdesk@testlab.onmicrosoft.com, user: "
                        "lang2@testlab.example,\n"
                        "                  new_password: \"By-Helpdesk-L2!\"}\n"
                        "    expect: {outcome: success, criterion: wb-admin-reset-roles}\n"
                        "  - sspr_reset: {user: lang3@testlab.example, new_password: "
                        "\"Timed-Pw-L3!\",\n"
                        "                 timing: {submitted_after: 16m}}\n"
                        "    expect: {outcome: session_expired, request_sent: false,\n"
                        "             criterion: sspr-session-lifetime}\n"
                        "  - risk_detection: {user: lang2@testlab.example, type: "
                        "unfamiliarFeatures, level: high}\n"
                        "  - onprem_delete: lang2\n"
                        "  - sync: objects\n"
                        "  - dismiss_risk: lang2@testlab.example\n"
                        "    expect: {dismissed: true, criterion: ip-admin-actions}\n"));
    INFO(r.message);
    const auto refused = checkNamed(r, "step 1: outcome");
    CHECK_FALSE(refused.passed);  // a Helpdesk Administrator may not reset a Groups Administrator
    CHECK(refused.observed == "refused");
    CHECK(timelineHas(r, "admin_reset by helpdesk@testlab.onmicrosoft.com lang2@testlab.example"));
    CHECK(checkNamed(r, "step 2: outcome").passed);
    CHECK(checkNamed(r, "step 2: writeback request").passed);
    CHECK(timelineHas(r, "clock advanced by 960 s"));
    const auto dismissal = checkNamed(r, "step 6: risk dismissal");
    CHECK_FALSE(dismissal.passed);
    CHECK(dismissal.observed == "refused");
    CHECK(dismissal.criterion == "ip-admin-actions");
    CHECK(
        timelineHas(r, "lang2@testlab.example's risk: refused (the user is not in the directory)"));
}
