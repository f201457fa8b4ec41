// Hostile agents (tests/fake_agent, compiled): each misbehaviour is a verdict with a diagnostic
// under the criterion it breaks, never a crash of the run.
#include "e2e_support.hpp"

#include <wblab/scenario/catalog.hpp>
#include <wblab/support/process.hpp>

#include <unistd.h>

using namespace wblab;
using namespace wblab::e2e;
using harness::runScenario;
using report::Verdict;

namespace {

/// A sleep duration no other process has in its command line (sleep refuses words).
std::string uniqueDuration() {
    static int n = 0;
    return "60." + std::to_string(::getpid()) + "0" + std::to_string(++n);
}

/// Every string of a result, for looking for what must not be there.
std::string allText(const report::CaseResult& r) {
    std::string out = r.id + r.title + r.message;
    for (const auto& c : r.checks) {
        out += c.what + c.expected + c.observed;
    }
    for (const auto& t : r.timeline) {
        out += t;
    }
    for (const auto& w : r.warnings) {
        out += w;
    }
    return out;
}

}  // namespace

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

TEST_CASE(
    "The agent's descendants are stopped at the end of a scenario, whatever group they are in",
    "[e2e][slapd][hostile]") {
    // The agent leaves a grandchild that ignores SIGTERM and holds its stdout; in its group, or
    // in a session of its own (setsid). Its marker is a sleep duration, unique to this test.
    // As wblab's main does: descendants whose parent dies come back to this process.
    containDescendants();
    const char* mode = GENERATE("grandchild", "setsid-grandchild");
    INFO(mode);
    const std::string marker = uniqueDuration();
    auto options = optionsFor(fakeAgent({"--mode", mode, "--marker", marker}));
    options.stepTimeout = std::chrono::milliseconds(300);
    options.reuseAgents = false;
    const auto before = Clock::now();
    auto result = runScenario(load(kReset), options);
    CHECK(report::isFailure(result.verdict));
    CHECK(Clock::now() - before < std::chrono::seconds(10));
    CHECK(testkit::waitFor([&] { return testkit::processesMentioning("sleep " + marker).empty(); },
                           std::chrono::seconds(5)));
}

TEST_CASE("Strings an agent chooses are shown redacted: a password as answer id or message type",
          "[e2e][slapd][hostile][secrets]") {
    struct Case {
        const char* mode;
        const char* diagnostic;
    };

    auto c = GENERATE(Case{"password-as-id", "answer for unknown request id '[redacted]'"},
                      Case{"password-as-type", "unknown message type '[redacted]'"});
    INFO(c.mode);
    auto result = runScenario(load(kReset), optionsFor(fakeAgent({"--mode", c.mode})));
    CHECK(checkNamed(result, "step 1: the agent answers within its deadline").observed ==
          std::string(c.diagnostic)
              .insert(0, c.mode == std::string("password-as-id") ? "" : "unreadable answer: "));
    const std::string everything = allText(result);
    CHECK_THAT(everything, !Catch::Contains("Cloud-Reset-2026!"));
}

TEST_CASE("A password in the agent's log is found in any form, the connector's too",
          "[e2e][slapd][hostile][secrets]") {
    struct Case {
        const char* mode;
        const char* observed;
    };

    auto c =
        GENERATE(Case{"log-base64",
                      "1 password(s) found in the agent's stderr (base64): the new password of "
                      "step 1"},
                 Case{"log-hex", "(hex): the new password of step 1"},
                 Case{"log-utf16", "(UTF-16): the new password of step 1"},
                 Case{"log-connector", "(plain): the connector's password"},
                 Case{"log-at-exit", "(plain): the new password of step 1"});
    INFO(c.mode);
    auto result = runScenario(load(kReset), optionsFor(fakeAgent({"--mode", c.mode})));
    const auto check = checkNamed(result, "security: no password in the agent's log");
    CHECK_FALSE(check.passed);
    CHECK(check.criterion == scenario::criteria::kNeverLogged);
    CHECK_THAT(check.observed, Catch::Contains(c.observed));
    // A correct log is clean: the same agent answering the same way, saying nothing.
    auto quiet = runScenario(load(kReset), optionsFor(fakeAgent({"--mode", "quiet"})));
    CHECK(checkNamed(quiet, "security: no password in the agent's log").passed);
}

TEST_CASE("A kept agent's whole log counts, each part for the scenario it was written in",
          "[e2e][slapd][hostile][secrets]") {
    // One worker, an agent kept from one scenario to the next: it logs a scenario's password at
    // the next scenario's hello, or at its exit after the last one.
    const char* mode = GENERATE("log-at-next-hello", "log-at-exit");
    INFO(mode);
    auto options = optionsFor(fakeAgent({"--mode",
                                         mode,
                                         "--capabilities",
                                         "reset,change,admin_reset,unlock_only,forced_change,"
                                         "plaintext,rehandshake"}));
    options.jobs = 1;
    const auto run = harness::runScenarios({load(kReset), load(kPolicy)}, options, nullptr);
    REQUIRE(run.cases.size() == 2);
    const auto first = checkNamed(run.cases[0], "security: no password in the agent's log");
    const auto second = checkNamed(run.cases[1], "security: no password in the agent's log");
    if (std::string(mode) == "log-at-next-hello") {
        // Written on receiving the second scenario's hello: in the second scenario's part (its
        // log starts with the hello), which is searched for the first scenario's passwords too.
        CHECK(first.passed);
        CHECK_FALSE(second.passed);
        CHECK_THAT(second.observed,
                   Catch::Contains("the new password of step 1 of " + run.cases[0].id));
    } else {
        CHECK(first.passed);
        CHECK_FALSE(second.passed);  // at exit, after the last answer
    }
}

TEST_CASE("A flood on the agent's stderr is kept up to the cap, and a password after it is found",
          "[e2e][slapd][hostile][secrets]") {
    auto options = optionsFor(fakeAgent({"--mode", "quiet", "--flood", "8388608"}));
    options.agentLogCap = 1 << 20;
    options.keepRunDirectories = true;
    auto result = runScenario(load(kReset), options);
    const auto check = checkNamed(result, "security: no password in the agent's log");
    CHECK_FALSE(check.passed);
    CHECK_THAT(check.observed, Catch::Contains("the new password of step 1"));
    REQUIRE_FALSE(result.warnings.empty());
    CHECK_THAT(result.warnings.front(),
               Catch::Contains("its log keeps the first 1048576") &&
                   Catch::Contains("all of them were searched"));
}

TEST_CASE("A duplicate answer to a scenario's last request is a verdict", "[e2e][slapd][hostile]") {
    // 0001 sends one request: the second copy of its answer comes after the last answer owed.
    auto result = runScenario(load(kReset), optionsFor(fakeAgent({"--mode", "twice"})));
    const auto check =
        checkNamed(result, "the agent sends nothing it was not asked for after its last answer");
    CHECK_FALSE(check.passed);
    CHECK(check.criterion == scenario::criteria::kAnswersInTime);
    CHECK_THAT(check.observed, Catch::StartsWith("a second answer for request '"));
}

TEST_CASE("A duplicate answer that a kept agent sends after its scenario ended fails that scenario",
          "[e2e][slapd][hostile][rehandshake]") {
    // The next hello is the fence: a copy the kept agent sends before its ready belongs to the
    // scenario before, however late it comes (here 8 ms, inside the 20 ms an agent that is not
    // kept gets, and 150 ms, beyond them), and the agent is not given the next one. (The last
    // scenario's agent is not kept: it has the 20 ms, so its copy counts only at 8 ms.)
    const auto after = GENERATE(as<std::string>(), "8", "150");
    auto options = optionsFor(fakeAgent({"--mode",
                                         "twice-later",
                                         "--twice-after",
                                         after,
                                         "--capabilities",
                                         "reset,plaintext,rehandshake"}));
    auto run = harness::runScenarios({load(kReset), load(kReset)}, options, nullptr);
    REQUIRE(run.cases.size() == 2);
    for (std::size_t i = 0; i < (after == "8" ? 2u : 1u); ++i) {
        const auto& result = run.cases[i];
        const auto check = checkNamed(
            result, "the agent sends nothing it was not asked for after its last answer");
        CHECK_FALSE(check.passed);
        CHECK_THAT(check.observed, Catch::StartsWith("a second answer for request '"));
        CHECK(result.verdict == Verdict::Fail);
    }
}

TEST_CASE("The scenario timeout ends a step that is still waiting for the agent",
          "[e2e][slapd][hostile]") {
    auto options = optionsFor(fakeAgent({"--mode", "silent"}));
    options.stepTimeout = std::chrono::milliseconds(60000);
    options.scenarioTimeout = std::chrono::milliseconds(1500);
    const auto before = Clock::now();
    auto result = runScenario(load(kReset), options);
    CHECK(Clock::now() - before < std::chrono::seconds(10));
    CHECK(result.verdict == Verdict::Timeout);
    CHECK_THAT(checkNamed(result, "step 1: the agent answers within its deadline").observed,
               Catch::Contains("before the scenario's deadline"));
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
