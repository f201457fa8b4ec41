// Fault steps in the scenario language: what loads, and what the loader refuses with a position.
#include <wblab/harness/scenario.hpp>
#include <wblab/support/files.hpp>

#include <catch2/catch.hpp>

using namespace wblab;
using namespace wblab::harness;

namespace {

Expected<Scenario> loadText(const std::string& steps) {
    static RunDirectory dir = RunDirectory::create("fault-loader").value();
    const std::string path = dir.path() + "/case.yaml";
    const std::string text =
        "onprem:\n"
        "  users:\n"
        "    - {sam: u1, upn: u1@testlab.example, password: \"Seed-Pw-1\"}\n"
        "steps:\n" +
        steps;
    REQUIRE(writeFileAtomically(path, text));
    return loadScenario(path);
}

const std::string kReset =
    "  - sspr_reset: {user: u1@testlab.example, new_password: \"New-Pw-1\"}\n";

}  // namespace

TEST_CASE("Fault steps and relay faults load into the model", "[harness][loader][fault]") {
    auto s = loadText("  - fault: agent_down\n" + kReset + "  - fault: agent_up\n" +
                      "  - fault: agent_crash\n  - fault: agent_up\n" +
                      "  - fault: directory_down\n  - fault: directory_up\n" + kReset +
                      "    relay: {hold: true}\n" + kReset + "    relay: {duplicate: true}\n" +
                      kReset + "    relay: {drop: true, delay: 1m}\n" +
                      "  - release: 8\n    expect: {events: [31001, 31003, 32003], reason: "
                      "32003}\n");
    REQUIRE(s);
    REQUIRE(s->steps.size() == 11);
    CHECK(s->steps[0].kind == Step::Kind::Fault);
    CHECK(s->steps[0].fault == Step::Fault::AgentDown);
    CHECK(s->steps[3].fault == Step::Fault::AgentCrash);
    CHECK(s->steps[5].fault == Step::Fault::DirectoryDown);
    CHECK(s->steps[6].fault == Step::Fault::DirectoryUp);
    CHECK(s->steps[7].relay == Step::Relay::Hold);
    CHECK(s->steps[8].relay == Step::Relay::Duplicate);
    CHECK(s->steps[9].relay == Step::Relay::Drop);
    CHECK(s->steps[9].relayDelaySeconds == 60);
    CHECK(s->steps[10].kind == Step::Kind::Release);
    CHECK(s->steps[10].releaseOf == 8);
    CHECK(s->steps[10].expect.reason == 32003);
    CHECK_FALSE(s->steps[10].isCloudOperation());
}

TEST_CASE("Bad fault steps are refused with a position and the key path",
          "[harness][loader][fault]") {
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
        Case{kReset + "    relay: {hold: true}\n  - release: 1\n    expect: {outcome: success}\n",
             "steps[1].expect.outcome: the cloud gave up on a held request",
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
             6});
    auto s = loadText(c.steps);
    INFO(c.steps);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::InvalidInput);
    CHECK_THAT(s.error().message, Catch::Contains(c.message));
    REQUIRE(s.error().where);
    CHECK_THAT(s.error().where->file, Catch::EndsWith("/case.yaml"));
    CHECK(s.error().where->line == c.line);
}
