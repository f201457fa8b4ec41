// Every expectation names the criterion it is evidence for: the scenario says it beside the
// expectation, or the expectation's kind decides; a declared criterion needs evidence.
#include "test_files.hpp"

#include <wblab/scenario/catalog.hpp>

#include <catch2/catch.hpp>

using namespace wblab;
using namespace wblab::scenario;
using namespace wblab::scenario::test;

namespace {

Expected<Scenario> loadWith(const std::string& expect, const std::string& header = "") {
    Files f;
    return f.load(header +
                  "onprem:\n"
                  "  users:\n"
                  "    - {sam: u1, upn: u1@testlab.example, password: \"Seed-Pw-1\"}\n"
                  "steps:\n"
                  "  - sspr_reset: {user: u1@testlab.example, new_password: \"New-Pw-1\"}\n"
                  "    expect: " +
                  expect + "\n");
}

}  // namespace

TEST_CASE("One criterion beside an expect block attributes the keys the kind does not decide",
          "[scenario][criteria]") {
    auto s = loadWith(
        "{outcome: success, events: [31001, 31002], reason: 0, request_sent: true, criterion: "
        "wb-reset-applies}");
    REQUIRE(s);
    const auto& e = s->steps[0].expect;
    CHECK(e.outcome->criterion == "wb-reset-applies");
    CHECK(e.requestSent->criterion == "wb-reset-applies");
    CHECK(e.events->criterion == criteria::kEventIds);
    CHECK(e.reason->criterion == criteria::kReasonCodes);
    CHECK(s->criteria ==
          std::vector<std::string>{"wb-event-ids", "wb-reason-codes", "wb-reset-applies"});
}

TEST_CASE("A criterion per key wins over the kind's and the block's", "[scenario][criteria]") {
    auto s = loadWith(
        "{outcome: SSPR_0013, request_sent: false, events: [], criterion: {outcome: sspr-scope, "
        "request_sent: sspr-scope, events: sec-replay-rejected}}");
    REQUIRE(s);
    const auto& e = s->steps[0].expect;
    CHECK(e.outcome->criterion == "sspr-scope");
    CHECK(e.events->criterion == "sec-replay-rejected");
}

TEST_CASE("An expectation nobody attributed is refused at its position", "[scenario][criteria]") {
    auto s = loadWith("{outcome: success, events: [31001, 31002]}");
    REQUIRE_FALSE(s);
    CHECK_THAT(s.error().describe(),
               Catch::Contains("case.yaml:6:23: steps[0].expect.outcome: which criterion is this "
                               "expectation evidence for?"));
}

TEST_CASE("Criteria beside expectations are checked against the catalog", "[scenario][criteria]") {
    struct Case {
        std::string expect;
        std::string message;
    };

    auto c =
        GENERATE(Case{"{outcome: success, criterion: wb-resets-everything}",
                      "steps[0].expect.criterion: unknown criterion 'wb-resets-everything'"},
                 Case{"{outcome: success, criterion: crit-identity-sync}", "is an exit criterion"},
                 Case{"{outcome: success, criterion: {outcome: wb-reset-applies, audit: "
                      "wb-reset-applies}}",
                      "steps[0].expect.criterion.audit: there is no 'audit' expectation here"},
                 Case{"{outcome: success, criterion: {colour: wb-reset-applies}}",
                      "steps[0].expect.criterion.colour: unknown key"});
    auto s = loadWith(c.expect);
    INFO(c.expect);
    REQUIRE_FALSE(s);
    CHECK_THAT(s.error().message, Catch::Contains(c.message));
}

TEST_CASE("A declared criterion must be backed by an expectation or checked by the harness",
          "[scenario][criteria]") {
    auto backed = loadWith("{outcome: success, criterion: wb-reset-applies}",
                           "criteria: [wb-reset-applies, sec-never-logged, wb-convergence]\n");
    REQUIRE(backed);
    auto unbacked = loadWith("{outcome: success, criterion: wb-reset-applies}",
                             "criteria: [wb-reset-applies, wb-min-age]\n");
    REQUIRE_FALSE(unbacked);
    CHECK_THAT(unbacked.error().describe(),
               Catch::Contains("case.yaml:1:30: criteria[1]: no expectation of this scenario is "
                               "evidence for 'wb-min-age'"));
}

TEST_CASE("Directory and risk expectations carry criteria too", "[scenario][criteria]") {
    Files f;
    auto s = f.load(R"yaml(onprem:
  users:
    - {sam: u1, upn: u1@testlab.example, password: "Seed-Pw-1", locked: true}
steps:
  - sspr_reset: {user: u1@testlab.example, new_password: "New-Pw-1"}
    expect: {outcome: success, criterion: wb-reset-applies}
expect:
  directory:
    - user: u1
      binds: ["New-Pw-1"]
      locked: false
      criterion: {binds: wb-reset-applies, locked: wb-reset-unlocks}
  risk:
    - {user: u1@testlab.example, state: none, criterion: ip-admin-actions}
)yaml");
    REQUIRE(s);
    CHECK(s->expectDirectory[0].binds->criterion == "wb-reset-applies");
    CHECK(s->expectDirectory[0].locked->criterion == "wb-reset-unlocks");
    CHECK(s->expectRisk[0].state->criterion == "ip-admin-actions");
}
