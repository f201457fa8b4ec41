// Hostile agents (tests/fake_agent, compiled): each misbehaviour is a verdict with a diagnostic
// under the criterion it breaks, never a crash of the run.
#include "e2e_support.hpp"

#include <wblab/scenario/catalog.hpp>

using namespace wblab;
using namespace wblab::e2e;
using harness::runScenario;
using report::Verdict;

TEST_CASE("A hostile agent is a verdict with a diagnostic, never a crash",
          "[e2e][slapd][hostile]") {
    struct Case {
        const char* mode;
        const char* diagnostic;
    };

    auto c = GENERATE(Case{"unknown-id", "answer for unknown request id 'nope'"},
                      Case{"twice", "a second answer for request"},
                      Case{"exit-after-ready=3", "(exit code 3)"},
                      Case{"silent", "no answer within 500 ms"},
                      Case{"huge-line", "line over 1 MiB"},
                      Case{"garbage", "unreadable answer"});
    INFO(c.mode);
    auto options = optionsFor(fakeAgent({"--mode", c.mode}));
    options.stepTimeout = std::chrono::milliseconds(500);
    // Two resets in a row: the second step shows what a duplicate answer does to the next one.
    auto result = runScenario(load(kConformance + "/0018_replayed_request_rejected.yaml"), options);
    CHECK(report::isFailure(result.verdict));
    const auto first = checkNamed(result, "step 1: the agent answers within its deadline");
    const auto second = checkNamed(result, "step 2: the agent answers within its deadline");
    CHECK_THAT(first.observed + " | " + second.observed, Catch::Contains(c.diagnostic));
    CHECK((!first.passed || !second.passed));
    CHECK(first.criterion == scenario::criteria::kAnswersInTime);
    CHECK(checkNamed(result, "security: passwords sealed to the agent's key").observed ==
          "sent in clear (the agent declared plaintext)");
}

TEST_CASE("The agent's whole process group is stopped at the end of a scenario",
          "[e2e][slapd][hostile]") {
    auto dir = RunDirectory::create("group");
    REQUIRE(dir);
    const std::string marker = dir->path() + "/grandchild-alive";
    // The agent leaves a grandchild that ignores SIGTERM and holds its stdout.
    auto options = optionsFor(fakeAgent({"--mode", "grandchild", "--marker", marker}));
    options.stepTimeout = std::chrono::milliseconds(300);
    auto result = runScenario(load(kReset), options);
    CHECK(report::isFailure(result.verdict));
    CHECK(testkit::waitFor([&] { return testkit::processesMentioning(marker).empty(); },
                           std::chrono::seconds(5)));
}

TEST_CASE("Heartbeats between answers are skipped", "[e2e][slapd][hostile]") {
    auto result =
        runScenario(load(kPolicy), optionsFor(fakeAgent({"--mode", "heartbeat-refusal"})));
    // The canned policy refusal is exactly what scenario 0002 expects; only the plaintext check
    // fails, under its own criterion.
    CHECK(failedCriteria({result}) ==
          std::set<std::string>{scenario::criteria::kEncryptedInTransit});
    CHECK(checkNamed(result, "step 1: outcome").observed == "policy_violation");
}
