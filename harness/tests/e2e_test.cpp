// End to end through the runner: the bundled scenarios against the real agents on real slapd
// fixtures, and the verdict each way of ending earns.
#include "e2e_support.hpp"

#include <wblab/harness/zoo.hpp>
#include <wblab/scenario/catalog.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace wblab;
using namespace wblab::e2e;
using harness::runScenario;
using harness::runScenarios;
using report::Verdict;

TEST_CASE("A self-service reset of a synced user passes with the reference agent", "[e2e][slapd]") {
    auto result = runScenario(load(kReset), optionsFor(referenceAgent()));
    INFO(result.message);
    CHECK(result.verdict == Verdict::Pass);
    // Each check names its criterion: the scenario's for what it expects, the harness's own for
    // what every scenario gets.
    std::vector<std::string> made;
    for (const auto& c : result.checks) {
        INFO(c.what << ": expected " << c.expected << ", observed " << c.observed);
        CHECK(c.passed);
        made.push_back(c.criterion + " | " + c.what);
    }
    CHECK(made == std::vector<std::string>{
                      "wb-answers-in-time | step 1: the agent answers within its deadline",
                      "wb-convergence | step 1: the directory agrees with the outcome",
                      "wb-reset-applies | step 1: outcome",
                      "wb-event-ids | step 1: agent events",
                      "wb-reset-applies | step 1: audit",
                      "sec-encrypted-in-transit | security: passwords sealed to the agent's key",
                      "sec-never-logged | security: no password in the agent's log",
                      "wb-reset-applies | user1: the new password of step 1 binds",
                      "wb-reset-applies | user1: the seeded password binds",
                      "wb-reset-applies | user1: locked",
                      "wb-reset-applies | user1: must change password"});
}

TEST_CASE("An agent that reports success without writing fails the directory's checks only",
          "[e2e][slapd]") {
    auto result = runScenario(load(kReset), optionsFor(referenceAgent("success-without-write")));
    CHECK(result.verdict == Verdict::Fail);
    CHECK_FALSE(checkNamed(result, "user1: the new password of step 1 binds").passed);
    CHECK_FALSE(checkNamed(result, "user1: the seeded password binds").passed);
    const auto converged = checkNamed(result, "step 1: the directory agrees with the outcome");
    CHECK_FALSE(converged.passed);
    CHECK(converged.observed == "no password changed");
    // Nothing was logged and everything was sealed: those criteria earn a pass.
    CHECK(checkNamed(result, "security: passwords sealed to the agent's key").passed);
    CHECK(checkNamed(result, "security: no password in the agent's log").passed);
    CHECK(failedCriteria({result}) == std::set<std::string>{"wb-convergence", "wb-reset-applies"});
}

TEST_CASE("A risk remediated by an agent that did not write fails on the directory's truth",
          "[e2e][slapd][risk]") {
    const std::string file = kScenarios + "/risk/0101_leaked_credentials_secure_change.yaml";
    auto honest = runScenario(load(file), optionsFor(referenceAgent()));
    INFO(honest.message);
    CHECK(honest.verdict == Verdict::Pass);
    auto lying = runScenario(load(file), optionsFor(referenceAgent("success-without-write")));
    CHECK(lying.verdict == Verdict::Fail);
    // The cloud believed the agent, as the real service must; the directory says otherwise.
    CHECK(checkNamed(lying, "step 2: risky1@testlab.example risk state").passed);
    CHECK_FALSE(checkNamed(lying, "risky1: the new password of step 2 binds").passed);
    CHECK_FALSE(checkNamed(lying, "step 2: the directory agrees with the outcome").passed);
}

TEST_CASE("An agent that cannot be started is the lab's setup problem, not a conformance failure",
          "[e2e][slapd]") {
    auto result = runScenario(load(kReset), optionsFor({"/nonexistent/agent"}));
    CHECK(result.verdict == Verdict::Unresolved);
    CHECK_THAT(result.message, Catch::StartsWith("the agent could not be started"));
    CHECK(result.checks.empty());
}

TEST_CASE("An agent that never answers the handshake is a timeout of wb-answers-in-time",
          "[e2e][slapd]") {
    auto options = optionsFor(fakeAgent({"--mode", "no-ready"}));
    options.handshakeTimeout = std::chrono::milliseconds(300);
    auto result = runScenario(load(kReset), options);
    CHECK(result.verdict == Verdict::Timeout);
    const auto handshake = checkNamed(result, "the agent completes the handshake");
    CHECK_FALSE(handshake.passed);
    CHECK(handshake.criterion == scenario::criteria::kAnswersInTime);
    CHECK_THAT(handshake.observed, Catch::Contains("no ready message within 300 ms"));
}

TEST_CASE("A scenario that outlives its deadline stops with the verdict timeout",
          "[e2e][slapd][deadline]") {
    // Three steps, an agent that never answers, 1 s per step and 1.5 s for the scenario: however
    // long the start-up takes, the deadline passes before the third step (two steps alone take
    // 2 s), and the scenario stops there.
    auto scenario = load(kConformance + "/0018_replayed_request_rejected.yaml");
    auto options = optionsFor(referenceAgent("hangs"));
    options.stepTimeout = std::chrono::milliseconds(1000);
    options.scenarioTimeout = std::chrono::milliseconds(1500);
    auto result = runScenario(scenario, options);
    CHECK(result.verdict == Verdict::Timeout);
    CHECK_THAT(result.message, Catch::StartsWith("ran out of time before step "));
    CHECK(checkNamed(result, "step 3: agent events").observed == "(no such check)");
}

TEST_CASE("A held request that is released and answered is judged on its checks",
          "[e2e][slapd][relay]") {
    const auto reorder = load(kScenarios + "/faults/0206_relay_reorders_requests.yaml");
    auto honest = runScenario(reorder, optionsFor(referenceAgent()));
    INFO(honest.message);
    CHECK(honest.verdict == Verdict::Pass);
    // The agent answered in time, and applied the older request: a failure, not a timeout.
    auto stale = runScenario(reorder, optionsFor(referenceAgent("applies-stale")));
    CHECK(stale.verdict == Verdict::Fail);
    CHECK(failedCriteria({stale}) == std::set<std::string>{"sec-replay-rejected"});
}

TEST_CASE("An agent that declares rehandshake serves a worker's scenarios in one process",
          "[e2e][slapd][rehandshake]") {
    auto dir = RunDirectory::create("reuse");
    REQUIRE(dir);
    // Fixtures (and so the kept run directories) go inside `dir`.
    ::setenv("WBLAB_TMPDIR", dir->path().c_str(), 1);
    const std::string starts = dir->path() + "/starts";
    auto counted = [&](std::vector<std::string> agent) {
        agent.insert(agent.begin(), {WBLAB_FAKE_AGENT_PATH, "--count", starts, "--"});
        return agent;
    };
    auto countStarts = [&] {
        auto text = readFile(starts);
        std::filesystem::remove(starts);
        return text ? std::count(text->begin(), text->end(), '\n') : 0;
    };
    const std::vector<scenario::Scenario> three = {load(kReset), load(kPolicy), load(kReset)};

    SECTION("one process for three scenarios; each run directory has its own part of the log") {
        auto options = optionsFor(counted(referenceAgent()));
        options.keepRunDirectories = true;
        auto run = runScenarios(three, options, nullptr);
        for (const auto& c : run.cases) {
            INFO(c.id << ": " << c.message);
            CHECK(c.verdict == Verdict::Pass);
        }
        CHECK(countStarts() == 1);
        std::vector<std::string> ids;
        const std::regex correlation("correlation ([0-9a-f-]{36})");
        for (const auto& c : run.cases) {
            for (const auto& line : c.timeline) {
                std::smatch m;
                if (std::regex_search(line, m, correlation)) {
                    ids.push_back(m[1]);
                }
            }
        }
        REQUIRE(ids.size() == 3);
        // Kept under their scenario's name (two runs of 0001, one of 0002), each in the result.
        const auto kept = testkit::entriesStartingWith(dir->path(), "wblab-000");
        CHECK(kept.size() == 3);
        CHECK(testkit::entriesStartingWith(dir->path(), "wblab-0001_sspr_reset_synced_user-")
                  .size() == 2);
        for (const auto& c : run.cases) {
            CHECK_THAT(c.keptDirectory, Catch::StartsWith(dir->path() + "/wblab-" + c.id + "-"));
        }
        for (const auto& name : kept) {
            auto log = readFile(dir->path() + "/" + name + "/agent.stderr");
            REQUIRE(log);
            INFO(*log);
            CHECK(log->find("onboarded against") == log->rfind("onboarded against"));
            // One scenario, one request: the log names exactly one request id of this run.
            std::set<std::string> requests;
            const std::regex request("request ([0-9a-f-]{36}):");
            for (std::sregex_iterator it(log->begin(), log->end(), request), end; it != end; ++it) {
                requests.insert((*it)[1]);
            }
            REQUIRE(requests.size() == 1);
            CHECK(std::find(ids.begin(), ids.end(), *requests.begin()) != ids.end());
        }
    }
    SECTION("--fresh-agents starts one per scenario") {
        auto options = optionsFor(counted(referenceAgent()));
        options.reuseAgents = false;
        auto run = runScenarios(three, options, nullptr);
        CHECK(run.cases.back().verdict == Verdict::Pass);
        CHECK(countStarts() == 3);
    }
    SECTION("an agent that missed a deadline is not given the next scenario") {
        auto options = optionsFor(counted(referenceAgent("answers-late")));
        options.stepTimeout = std::chrono::milliseconds(300);
        auto run = runScenarios({load(kReset), load(kReset)}, options, nullptr);
        CHECK(run.cases[0].verdict == Verdict::Timeout);
        CHECK(run.cases[1].verdict == Verdict::Timeout);
        CHECK(countStarts() == 2);
    }
    ::unsetenv("WBLAB_TMPDIR");
}

TEST_CASE("A new hello starts a clean session: detected inside a scenario, whatever the scheduling",
          "[e2e][slapd][rehandshake][session]") {
    const auto ids = load(kConformance + "/0062_new_session_forgets_request_ids.yaml");
    const auto order = load(kConformance + "/0063_new_session_forgets_request_order.yaml");
    SECTION("the correct agent passes both, on one worker and with an agent per scenario") {
        for (bool reuse : {true, false}) {
            auto options = optionsFor(referenceAgent());
            options.reuseAgents = reuse;
            auto run = runScenarios({ids, order}, options, nullptr);
            for (const auto& c : run.cases) {
                INFO(c.id << " (reuse " << reuse << "): " << c.message);
                CHECK(c.verdict == Verdict::Pass);
            }
        }
    }
    SECTION("each kind of kept state fails its own scenario, and only that one") {
        for (bool reuse : {true, false}) {
            INFO("reuse " << reuse);
            auto keepsIds = optionsFor(referenceAgent("keeps-request-ids"));
            keepsIds.reuseAgents = reuse;
            auto run = runScenarios({ids, order}, keepsIds, nullptr);
            CHECK(failedCriteria({run.cases[0]}) == std::set<std::string>{"wb-clean-session"});
            CHECK(run.cases[1].verdict == Verdict::Pass);
            auto keepsOrder = optionsFor(referenceAgent("keeps-request-order"));
            keepsOrder.reuseAgents = reuse;
            run = runScenarios({ids, order}, keepsOrder, nullptr);
            CHECK(run.cases[0].verdict == Verdict::Pass);
            CHECK(failedCriteria({run.cases[1]}) == std::set<std::string>{"wb-clean-session"});
        }
    }
    SECTION("between scenarios the same fault shows only when scenarios share the agent") {
        // The worker assignment pinned: one worker, the same scenario twice, so the second
        // session gets the first one's request ids. Whether it shows depends on the scheduling;
        // that is why the scenarios above make their new session themselves.
        auto options = optionsFor(referenceAgent("keeps-request-ids"));
        auto shared = runScenarios({load(kReset), load(kReset)}, options, nullptr);
        CHECK(shared.cases[0].verdict == Verdict::Pass);
        CHECK(shared.cases[1].verdict == Verdict::Fail);
        options.reuseAgents = false;
        auto apart = runScenarios({load(kReset), load(kReset)}, options, nullptr);
        CHECK(apart.cases[1].verdict == Verdict::Pass);
    }
}

TEST_CASE("Each behaviour a scenario tests alone fails it under the fault that breaks just that",
          "[e2e][slapd][isolates]") {
    std::vector<scenario::Scenario> isolating;
    for (auto& s : bundledScenarios()) {
        if (!s.isolates.empty()) {
            isolating.push_back(std::move(s));
        }
    }
    // Replay, out-of-order, expiry, the two kinds of session state, the two certificates.
    REQUIRE(isolating.size() >= 10);
    auto control = runScenarios(isolating, optionsFor(referenceAgent()), nullptr);
    for (const auto& c : control.cases) {
        INFO(c.id << ": " << c.message);
        CHECK(c.verdict == Verdict::Pass);
    }
    for (const auto& s : isolating) {
        for (const auto& iso : s.isolates) {
            INFO(s.id << " isolates '" << iso.behaviour << "' against --bug " << iso.fault);
            auto result = runScenario(s, optionsFor(referenceAgent(iso.fault)));
            CHECK(failedCriteria({result}).count(iso.criterion) == 1);
        }
    }
}

TEST_CASE("A fault that goes silent in the zoo moves to lanes and is credited as one by one",
          "[e2e][slapd][zoo]") {
    // The first scenarios of the conformance set; under `hangs` every request meets its deadline,
    // so after the first one the fault's remaining scenarios run on waiting lanes side by side.
    auto files = scenario::collectScenarioFiles({kConformance});
    REQUIRE(files);
    std::vector<scenario::Scenario> scenarios;
    for (std::size_t i = 0; i < files->size() && scenarios.size() < 10; ++i) {
        scenarios.push_back(load((*files)[i]));
    }
    auto options = optionsFor(referenceAgent());
    options.stepTimeout = std::chrono::milliseconds(300);
    options.jobs = 1;
    // The truth: each scenario under the fault, one after another, credited in suite order.
    auto faulty = options;
    faulty.agent.argv = referenceAgent("hangs");
    const auto catalog = scenario::builtinCatalog();
    REQUIRE(catalog);
    std::set<std::string> agentCriteria;  // an agent's fault is scored against these only
    for (const auto& c : catalog->criteria) {
        if (c.subject == "agent") {
            agentCriteria.insert(c.id);
        }
    }
    const auto oneByOne = runScenarios(scenarios, faulty, nullptr);
    std::map<std::string, std::string> expected;  // criterion -> first scenario crediting it
    for (const auto& result : oneByOne.cases) {
        for (const auto& criterion : harness::creditedCriteria(result)) {
            if (agentCriteria.count(criterion) != 0) {
                expected.emplace(criterion, result.id);
            }
        }
    }
    REQUIRE(expected.count(scenario::criteria::kAnswersInTime) == 1);

    harness::AgentCommand agent{referenceAgent(), "reference"};
    std::ostringstream progress;
    const auto zoo =
        harness::runZoo(scenarios, *catalog, agent, {{"hangs"}, {}}, options, false, &progress);
    INFO(progress.str());
    CHECK(zoo.controlFailures.empty());
    std::map<std::string, std::string> credited;
    for (const auto& [key, id] : zoo.failedBy) {
        CHECK(key.first == "hangs");
        credited.emplace(key.second, id);
    }
    // The same criteria (which scenario names a criterion other than the first may differ: a
    // lane skips a scenario whose criteria another lane has already seen fail).
    std::set<std::string> sameKeys, expectedKeys;
    for (const auto& [criterion, id] : credited) {
        sameKeys.insert(criterion);
    }
    for (const auto& [criterion, id] : expected) {
        expectedKeys.insert(criterion);
    }
    CHECK(sameKeys == expectedKeys);
    CHECK(credited.at(scenario::criteria::kAnswersInTime) == scenarios.front().id);
    CHECK_THAT(
        progress.str(),
        Catch::Contains("fault hangs: " + std::to_string(expected.size()) + " criteria failed"));
}
