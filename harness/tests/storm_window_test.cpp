// Storms with several requests in flight (issue 18): an agent that declares a window in its ready
// gets up to that many requests of a storm before answering the first, at most one per user;
// its answers, in any order, are matched to their requests by id, and a late answer inside the
// window is reported as in a one-at-a-time run. The agent is the fake agent's windowed mode,
// which holds requests, answers them newest first and records what it held.
#include "e2e_support.hpp"

#include <wblab/scenario/catalog.hpp>

#include <fstream>
#include <regex>
#include <sstream>

using namespace wblab;
using namespace wblab::e2e;
using harness::runScenario;
using report::Verdict;

namespace {

scenario::Scenario storm(const std::string& dir, int count) {
    const std::string path = dir + "/window_storm.yaml";
    std::ofstream(path)
        << "id: window_storm\n"
           "title: A storm through an agent that keeps several requests in flight\n"
           "criteria: [wb-reset-applies]\n"
           "onprem:\n"
           "  generate_users: {count: "
        << count
        << ", sam_prefix: win, password: \"Seed-Passw0rd-{n}\"}\n"
           "steps:\n"
           "  - storm: {operation: sspr_reset, new_password: \"Storm-Reset-{n}!\"}\n"
           "    expect: {outcome: success, events: [31001, 31002], criterion: "
           "wb-reset-applies}\n";
    return load(path);
}

/// What the windowed fake agent recorded: requests taken, the most held at once, overlaps.
struct Flights {
    int requests = 0;
    int mostHeld = 0;
    int overlaps = 0;
    std::vector<std::string> anchors;  ///< in the order the requests came
};

Flights readFlights(const std::string& path) {
    Flights f;
    auto text = readFile(path);
    REQUIRE(text);
    std::istringstream lines(*text);
    for (std::string first, second; lines >> first >> second;) {
        if (first == "overlap") {
            ++f.overlaps;
            continue;
        }
        int held = 0;
        lines >> held;
        ++f.requests;
        f.mostHeld = std::max(f.mostHeld, held);
        f.anchors.push_back(second);
    }
    return f;
}

void requireNoStrayAnswers(const report::CaseResult& result) {
    for (const auto& line : result.timeline) {
        CHECK(line.find("unknown request id") == std::string::npos);
        CHECK(line.find("a second answer") == std::string::npos);
    }
}

}  // namespace

TEST_CASE("A storm keeps up to the agent's window in flight and matches answers out of order",
          "[e2e][slapd][window]") {
    auto dir = RunDirectory::create("window");
    REQUIRE(dir);
    const std::string record = dir->path() + "/flights";
    const int steps = 12;
    auto result = runScenario(storm(dir->path(), steps),
                              optionsFor(fakeAgent({"--window", "4", "--record", record})));
    INFO(result.message);
    for (int step = 1; step <= steps; ++step) {
        const std::string prefix = "step " + std::to_string(step) + ": ";
        INFO(prefix);
        CHECK(checkNamed(result, prefix + "the agent answers within its deadline").passed);
        // Answered newest first, each answer still reaches its own step.
        CHECK(checkNamed(result, prefix + "agent events").passed);
    }
    requireNoStrayAnswers(result);
    const auto flights = readFlights(record);
    CHECK(flights.requests == steps);
    CHECK(flights.mostHeld == 4);  // the window filled, never more
    CHECK(flights.overlaps == 0);
}

TEST_CASE("A storm never has two requests of one user in flight", "[e2e][slapd][window]") {
    auto dir = RunDirectory::create("window-user");
    REQUIRE(dir);
    const std::string record = dir->path() + "/flights";
    auto s = storm(dir->path(), 8);
    // Steps 1, 2 and 4 reset the same user, 5 and 6 another one.
    auto userOf = [&](std::size_t i) -> std::string& {
        return std::get<scenario::SsprReset>(s.steps[i].action).user;
    };
    userOf(1) = userOf(0);
    userOf(3) = userOf(0);
    userOf(5) = userOf(4);
    auto result = runScenario(s, optionsFor(fakeAgent({"--window", "4", "--record", record})));
    INFO(result.message);
    for (int step = 1; step <= 8; ++step) {
        const std::string prefix = "step " + std::to_string(step) + ": ";
        INFO(prefix);
        CHECK(checkNamed(result, prefix + "the agent answers within its deadline").passed);
    }
    requireNoStrayAnswers(result);
    const auto flights = readFlights(record);
    CHECK(flights.requests == 8);
    CHECK(flights.overlaps == 0);
    CHECK(flights.mostHeld >= 2);  // the others still went in flight together
}

TEST_CASE("A late answer inside a window is matched to its request and reported as late",
          "[e2e][slapd][window][late]") {
    auto dir = RunDirectory::create("window-late");
    REQUIRE(dir);
    const int steps = 12;
    // Every fifth request is answered 1.3 s after it came, the others at once (newest first);
    // each request's deadline is 1 s after it was sent.
    auto options = optionsFor(fakeAgent({"--window",
                                         "4",
                                         "--slow-every",
                                         "5",
                                         "--slow-by",
                                         "1300",
                                         "--record",
                                         dir->path() + "/flights"}));
    options.stepTimeout = std::chrono::milliseconds(1000);
    auto result = runScenario(storm(dir->path(), steps), options);
    INFO(result.message);
    CHECK(result.verdict == Verdict::Timeout);
    for (int step = 1; step <= steps; ++step) {
        const std::string prefix = "step " + std::to_string(step) + ": ";
        INFO(prefix);
        const auto inTime = checkNamed(result, prefix + "the agent answers within its deadline");
        CHECK(inTime.criterion == scenario::criteria::kAnswersInTime);
        if (step == 10) {
            // Its answer comes after the storm's last step: no later wait reads it.
            CHECK_FALSE(inTime.passed);
        } else if (step == 5) {
            // Read while a later request of the window was awaited, and matched by its id.
            CHECK_FALSE(inTime.passed);
            CHECK_THAT(inTime.observed,
                       Catch::Matches("answered [0-9]+ ms after its deadline \\(success events "
                                      "\\[31001, 31002\\]\\)"));
        } else {
            CHECK(inTime.passed);
            CHECK(checkNamed(result, prefix + "agent events").passed);
        }
    }
    requireNoStrayAnswers(result);
    std::size_t lateLines = 0;
    for (const auto& line : result.timeline) {
        if (std::regex_search(line, std::regex("^agent: late answer to the request of step 5 "))) {
            ++lateLines;
        }
    }
    CHECK(lateLines == 1);
}
