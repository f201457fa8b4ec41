#pragma once
// What the end-to-end tests share: where things are, loading bundled scenarios, run options for
// an agent, and finding a check in a result.

#include <wblab/harness/runner.hpp>
#include <wblab/scenario/loader.hpp>
#include <wblab/support/files.hpp>
#include <wblab/testkit/testkit.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

namespace wblab::e2e {

inline const std::string kScenarios = std::string(WBLAB_SOURCE_DIR) + "/scenarios";
inline const std::string kConformance = kScenarios + "/conformance";
inline const std::string kReset = kConformance + "/0001_sspr_reset_synced_user.yaml";
inline const std::string kPolicy = kConformance + "/0002_sspr_reset_violates_min_length.yaml";

inline scenario::Scenario load(const std::string& path) {
    auto s = scenario::loadScenario(path);
    INFO(path);
    REQUIRE(s);
    return *s;
}

/// Every bundled scenario, matrix files expanded (one per row).
inline std::vector<scenario::Scenario> bundledScenarios() {
    auto files = scenario::collectScenarioFiles({kScenarios});
    REQUIRE(files);
    std::vector<scenario::Scenario> out;
    for (const auto& file : *files) {
        auto some = scenario::loadScenarios(file);
        REQUIRE(some);
        out.insert(out.end(), some->begin(), some->end());
    }
    return out;
}

inline harness::RunOptions optionsFor(std::vector<std::string> agentArgv) {
    harness::RunOptions options;
    options.agent.argv = std::move(agentArgv);
    options.agent.label = "test";
    return options;
}

inline std::vector<std::string> referenceAgent(const std::string& bug = "") {
    if (bug.empty()) {
        return {WBLAB_AGENT_PATH};
    }
    return {WBLAB_AGENT_PATH, "--bug", bug};
}

inline std::vector<std::string> fakeAgent(std::vector<std::string> args) {
    args.insert(args.begin(), WBLAB_FAKE_AGENT_PATH);
    return args;
}

/// The check of this name, or a failed placeholder that says it is missing.
inline report::CheckOutcome checkNamed(const report::CaseResult& result, const std::string& what) {
    for (const auto& c : result.checks) {
        if (c.what == what) {
            return c;
        }
    }
    return report::CheckOutcome{"", what, "", "(no such check)", false};
}

/// The criteria whose checks failed in these results.
inline std::set<std::string> failedCriteria(const std::vector<report::CaseResult>& results) {
    std::set<std::string> out;
    for (const auto& r : results) {
        for (const auto& c : r.checks) {
            if (!c.passed) {
                out.insert(c.criterion);
            }
        }
    }
    return out;
}

/// Runs the wblab command line with its temporary files in `dir`.
inline testkit::CliRun runCli(const std::vector<std::string>& args,
                              const std::string& dir,
                              std::chrono::milliseconds deadline = std::chrono::minutes(5),
                              const testkit::CommandSetting& setting = {}) {
    auto run = testkit::runCommand(WBLAB_CLI_PATH, args, dir, deadline, setting);
    INFO((run ? "" : run.error().describe()));
    REQUIRE(run);
    return *run;
}

}  // namespace wblab::e2e
