// Answers that come after their deadline: matched to their own request by id, reported by name
// under wb-answers-in-time with how late they were, never taken for a later request's answer.
// The agent is the reference agent behind the fake agent's relay, which holds back every fifth
// answer: real writes, real answers, some of them late.
#include "e2e_support.hpp"

#include <wblab/scenario/catalog.hpp>

#include <fstream>
#include <regex>

using namespace wblab;
using namespace wblab::e2e;
using harness::runScenario;
using harness::runScenarios;
using report::Verdict;

namespace {

/// A storm of `count` self-service resets, one user each.
scenario::Scenario storm(const std::string& dir, int count) {
    const std::string path = dir + "/late_storm.yaml";
    std::ofstream(path)
        << "id: late_storm\n"
           "title: A storm through an agent that answers every fifth request late\n"
           "criteria: [wb-reset-applies]\n"
           "onprem:\n"
           "  generate_users: {count: "
        << count
        << ", sam_prefix: late, password: \"Seed-Passw0rd-{n}\"}\n"
           "steps:\n"
           "  - storm: {operation: sspr_reset, new_password: \"Storm-Reset-{n}!\"}\n"
           "    expect: {outcome: success, events: [31001, 31002], criterion: "
           "wb-reset-applies}\n";
    return load(path);
}

/// The reference agent, every fifth answer held back `lateBy` ms.
std::vector<std::string> lateEveryFifth(std::chrono::milliseconds lateBy) {
    return fakeAgent(
        {"--late-every", "5", "--late-by", std::to_string(lateBy.count()), "--", WBLAB_AGENT_PATH});
}

bool isLateStep(int step) {
    return step % 5 == 0;
}

}  // namespace

TEST_CASE("Late answers are matched to their requests, and every later step reads its own answer",
          "[e2e][slapd][late]") {
    auto dir = RunDirectory::create("late");
    REQUIRE(dir);
    const int steps = 12;
    // Each late answer comes 300 ms after its deadline; the request after it is sent when that
    // deadline passes and answered right after the late answer, well within its own second.
    auto options = optionsFor(lateEveryFifth(std::chrono::milliseconds(1300)));
    options.stepTimeout = std::chrono::milliseconds(1000);
    auto result = runScenario(storm(dir->path(), steps), options);
    INFO(result.message);
    CHECK(result.verdict == Verdict::Timeout);  // the agent did miss deadlines
    for (int step = 1; step <= steps; ++step) {
        const std::string prefix = "step " + std::to_string(step) + ": ";
        INFO(prefix);
        const auto inTime = checkNamed(result, prefix + "the agent answers within its deadline");
        CHECK(inTime.criterion == scenario::criteria::kAnswersInTime);
        const auto outcome = checkNamed(result, prefix + "outcome");
        const auto events = checkNamed(result, prefix + "agent events");
        if (isLateStep(step)) {
            // Reported by name, with how late, and the cloud gave up on it (SSPR_0030).
            CHECK_FALSE(inTime.passed);
            CHECK_THAT(inTime.observed,
                       Catch::Matches("answered [0-9]+ ms after its deadline \\(success events "
                                      "\\[31001, 31002\\]\\)"));
            CHECK(outcome.observed == "SSPR_0030");
            // The write landed after the cloud gave up: the directory and the cloud disagree.
            CHECK_FALSE(
                checkNamed(result, prefix + "the directory agrees with the outcome").passed);
        } else {
            // Every other request is paired with its own answer, before and after a late one.
            CHECK(inTime.passed);
            CHECK(outcome.passed);
            CHECK(events.passed);
        }
    }
    std::size_t lateLines = 0;
    for (const auto& line : result.timeline) {
        CHECK(line.find("unknown request id") == std::string::npos);
        CHECK(line.find("a second answer") == std::string::npos);
        if (std::regex_search(line,
                              std::regex("^agent: late answer to the request of step (5|10) "
                                         "\\(correlation [0-9a-f-]{36}\\), [0-9]+ ms after its "
                                         "deadline: success events \\[31001, 31002\\]$"))) {
            ++lateLines;
        }
    }
    CHECK(lateLines == 2);
}

TEST_CASE("An agent that caught up with its late answers serves the worker's next scenario",
          "[e2e][slapd][late][rehandshake]") {
    auto dir = RunDirectory::create("late-reuse");
    REQUIRE(dir);
    const std::string starts = dir->path() + "/starts";
    std::vector<std::string> agent = lateEveryFifth(std::chrono::milliseconds(1300));
    agent.insert(agent.begin() + 1, {"--count", starts, "--", WBLAB_FAKE_AGENT_PATH});
    auto options = optionsFor(agent);
    options.stepTimeout = std::chrono::milliseconds(1000);
    // One worker: the second scenario runs on the first one's agent if it is handed on.
    auto run = runScenarios({storm(dir->path(), 6), load(kReset)}, options, nullptr);
    REQUIRE(run.cases.size() == 2);
    CHECK(run.cases[0].verdict == Verdict::Timeout);
    INFO(run.cases[1].message);
    CHECK(run.cases[1].verdict == Verdict::Pass);
    auto text = readFile(starts);
    REQUIRE(text);
    CHECK(std::count(text->begin(), text->end(), '\n') == 1);
}
