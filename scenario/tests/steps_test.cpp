// Steps in the scenario language: typed values, faults and relays, and what the loader refuses.
#include "test_files.hpp"

#include <catch2/catch.hpp>

using namespace wblab;
using namespace wblab::scenario;
using namespace wblab::scenario::test;

namespace {

Expected<Scenario> loadSteps(const std::string& steps) {
    static Files f;
    return f.load(
        "onprem:\n"
        "  users:\n"
        "    - {sam: u1, upn: u1@testlab.example, password: \"Seed-Pw-1\"}\n"
        "steps:\n" +
        steps);
}

const std::string kReset =
    "  - sspr_reset: {user: u1@testlab.example, new_password: \"New-Pw-1\"}\n";

}  // namespace

TEST_CASE("Fault steps and relay faults load into the model", "[scenario][steps][fault]") {
    auto s = loadSteps("  - fault: agent_down\n" + kReset + "  - fault: agent_up\n" +
                       "  - fault: agent_crash\n  - fault: agent_up\n" +
                       "  - fault: directory_down\n  - fault: directory_up\n" + kReset +
                       "    relay: {hold: true}\n" + kReset + "    relay: {duplicate: true}\n" +
                       kReset + "    relay: {drop: true, delay: 1m}\n" +
                       "  - release: 8\n    expect: {events: [31001, 31003, 32003], reason: "
                       "32003}\n");
    REQUIRE(s);
    REQUIRE(s->steps.size() == 11);
    CHECK(std::get<Fault>(s->steps[0].action).kind == FaultKind::AgentDown);
    CHECK(std::get<Fault>(s->steps[3].action).kind == FaultKind::AgentCrash);
    CHECK(std::get<Fault>(s->steps[5].action).kind == FaultKind::DirectoryDown);
    CHECK(std::get<Fault>(s->steps[6].action).kind == FaultKind::DirectoryUp);
    CHECK(s->steps[7].relay.mode == RelayMode::Hold);
    CHECK(s->steps[8].relay.mode == RelayMode::Duplicate);
    CHECK(s->steps[9].relay.mode == RelayMode::Drop);
    CHECK(s->steps[9].relay.delaySeconds == 60);
    CHECK(std::get<Release>(s->steps[10].action).step == 8);
    CHECK(s->steps[10].expect.reason->value == 32003);
    CHECK(s->steps[10].expect.reason->criterion == "wb-reason-codes");
    CHECK_FALSE(sendsRequest(s->steps[10].action));
    CHECK(sendsRequest(s->steps[9].action));
    // The duplicate's second copy is checked for sec-replay-rejected without being asked.
    CHECK(std::find(s->criteria.begin(), s->criteria.end(), "sec-replay-rejected") !=
          s->criteria.end());
}

TEST_CASE("Every kind of step has its key and a dispatch of its own", "[scenario][steps]") {
    auto s = loadSteps(kReset + "  - advance: 2d\n  - sync: hashes\n  - replay: 1\n" +
                       "  - onprem_disable: u1\n  - dismiss_risk: u1@testlab.example\n");
    REQUIRE(s);
    std::vector<std::string> names;
    for (const auto& step : s->steps) {
        names.emplace_back(kindName(step.action));
    }
    CHECK(names ==
          std::vector<std::string>{
              "sspr_reset", "advance", "sync", "replay", "onprem_disable", "dismiss_risk"});
    CHECK(std::get<Advance>(s->steps[1].action).seconds == 2 * 86400);
    CHECK(std::get<Sync>(s->steps[2].action).kind == SyncKind::Hashes);
}

TEST_CASE("Bad steps are refused with a position and the key path", "[scenario][steps][fault]") {
    struct Case {
        std::string steps;
        std::string message;
        int line;
    };

    auto c = GENERATE_COPY(
        Case{"  - fault: power_cut\n", "steps[0].fault: unknown fault 'power_cut'", 5},
        Case{"  - fault: agent_up\n", "steps[0].fault: the agent is already running", 5},
        Case{"  - fault: agent_down\n  - fault: agent_crash\n",
             "steps[1].fault: the agent is already down",
             6},
        Case{"  - fault: directory_up\n", "steps[0].fault: the directory is already up", 5},
        Case{"  - fault: directory_down\n  - fault: directory_down\n",
             "steps[1].fault: the directory is already down",
             6},
        Case{"  - fault: agent_down\n    expect: {outcome: success}\n",
             "steps[0].expect: a fault step has nothing to expect",
             6},
        Case{kReset + "  - release: 1\n", "steps[1].release: step 1 has no held request", 6},
        Case{"  - release: 1\n", "steps[0].release: must be between 1 and 0", 5},
        Case{kReset + "    relay: {hold: true}\n  - release: 1\n  - release: 1\n",
             "steps[2].release: the request of step 1 was already released",
             8},
        Case{kReset + "    relay: {hold: true}\n  - release: 1\n    expect: {outcome: success, "
                      "criterion: wb-reset-applies}\n",
             "steps[1].expect.outcome: unknown key",
             8},
        Case{kReset + "    relay: {drop: true, duplicate: true}\n",
             "steps[0].relay.duplicate: the relay does one thing with a request",
             6},
        Case{kReset + "    relay: {drop: sometimes}\n",
             "steps[0].relay.drop: expected true or false",
             6},
        Case{kReset + "    relay: {lose: true}\n", "steps[0].relay.lose: unknown key", 6},
        Case{"  - fault: agent_down\n    relay: {drop: true}\n",
             "steps[0].relay: only a step that sends a request has a relay",
             6},
        Case{"  - advance: 1h\n  - replay: 1\n",
             "steps[1].replay: can only replay a step that sent a request",
             6},
        Case{kReset + "    unlock: {user: u1@testlab.example}\n",
             "a step has one operation; 'sspr_reset' and 'unlock' are both here",
             6},
        Case{"  - new_session: {request_ids: forget}\n",
             "steps[0].new_session.request_ids: unknown value 'forget' (expected one of: "
             "continue, restart)",
             5},
        Case{"  - new_session: {}\n    expect: {outcome: success}\n",
             "steps[0].expect: a new_session step has nothing to expect",
             6},
        Case{"  - fault: agent_down\n  - new_session: {}\n",
             "steps[1].new_session: the agent is down: a new session needs a running agent",
             6});
    auto s = loadSteps(c.steps);
    INFO(c.steps);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::InvalidInput);
    CHECK_THAT(s.error().message, Catch::Contains(c.message));
    REQUIRE(s.error().where);
    CHECK_THAT(s.error().where->file, Catch::EndsWith("/case.yaml"));
    CHECK(s.error().where->line == c.line);
}

TEST_CASE("A new session is a step that needs an agent that takes another hello",
          "[scenario][steps][session]") {
    auto s = loadSteps(kReset + "  - new_session: {}\n" + kReset +
                       "  - new_session: {request_ids: restart}\n" + kReset);
    REQUIRE(s);
    REQUIRE(s->steps.size() == 5);
    CHECK(kindName(s->steps[1].action) == std::string("new_session"));
    CHECK_FALSE(std::get<NewSession>(s->steps[1].action).restartRequestIds);
    CHECK(std::get<NewSession>(s->steps[3].action).restartRequestIds);
    CHECK_FALSE(sendsRequest(s->steps[1].action));
    // Derived: an agent without the capability gets the verdict unsupported, not fail.
    CHECK(std::find(s->requires_.begin(), s->requires_.end(), Capability::Rehandshake) !=
          s->requires_.end());
    CHECK(toString(Capability::Rehandshake) == std::string("rehandshake"));
}
