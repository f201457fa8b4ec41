// `wblab run`: the scenarios against an agent, with reports.
#include "command.hpp"

#include <wblab/harness/suite.hpp>
#include <wblab/support/process.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sys/ioctl.h>
#include <thread>
#include <unistd.h>

namespace wblab::app {

namespace {

struct RunFlags {
    std::vector<std::string> paths;
    std::string agent = "reference";
    std::string reportDir = "wblab-reports";
    bool keep = false;
    bool freshAgents = false;
    std::uint64_t seed = 0;
    bool seedGiven = false;
    std::size_t jobs = std::max(1u, std::thread::hardware_concurrency());
    int scenarioTimeoutS = 300;
    int stepTimeoutMs = 10000;
    std::string baseline;
    std::vector<std::string> directories;
    SelectionFlags selection;
};

void addOptions(CLI::App* run, RunFlags& f) {
    run->add_option("paths", f.paths, "Scenario files or directories")->required();
    run->add_option("--agent",
                    f.agent,
                    "'reference' or the command line of an agent that speaks protocol v1")
        ->capture_default_str();
    run->add_option("--report-dir", f.reportDir, "Where the reports are written")
        ->capture_default_str();
    run->add_flag("--keep", f.keep, "Keep each scenario's run directory (slapd log, agent stderr)");
    run->add_flag("--fresh-agents",
                  f.freshAgents,
                  "Start the agent afresh for every scenario, even one that can take another "
                  "hello (capability rehandshake)");
    run->add_option("--seed", f.seed, "Seed for the run (printed first; default: time-derived)")
        ->each([&f](const std::string&) { f.seedGiven = true; });
    run->add_option("--jobs,-j", f.jobs, "Scenarios run at once (default: the number of cores)")
        ->check(CLI::Range(1, 64));
    run->add_option("--scenario-timeout",
                    f.scenarioTimeoutS,
                    "How long one scenario may take, in seconds (a scenario's timeout: wins)")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    run->add_option("--step-timeout",
                    f.stepTimeoutMs,
                    "How long the agent may take to answer one request, in milliseconds")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
    run->add_option("--baseline",
                    f.baseline,
                    "Expected-failure file for this agent (docs/scenario-language.md)");
    addDirectoriesOption(run, f.directories);
    addSelectionOptions(run, f.selection);
}

harness::RunOptions optionsOf(const RunFlags& f, const harness::AgentCommand& agent) {
    harness::RunOptions options;
    options.agent = agent;
    options.directory = flavoursOf(f.directories).front();
    options.seed = f.seed;
    options.keepRunDirectories = f.keep;
    options.stepTimeout = std::chrono::milliseconds(f.stepTimeoutMs);
    options.scenarioTimeout = std::chrono::seconds(f.scenarioTimeoutS);
    options.jobs = f.jobs;
    options.reuseAgents = !f.freshAgents;
    options.progressStyle = harness::progressStyleFor(
        ::isatty(STDOUT_FILENO) == 1, std::getenv("CI"), std::getenv("TERM"));
    if (winsize size{}; ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        options.progressWidth = size.ws_col;
    }
    return options;
}

int runCommand(RunFlags& f) {
    if (!f.seedGiven) {
        f.seed =
            static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    }
    std::cout << "wblab: seed " << f.seed << "\n" << std::flush;
    auto selection = selectionOf(f.selection);
    if (!selection) {
        printErrors({selection.error()});
        return kExitUsage;
    }
    auto prepared = harness::prepareSuite({f.paths, *selection, f.baseline});
    if (!prepared.suite) {
        printErrors(prepared.errors);
        return kExitUsage;
    }
    auto agent = harness::resolveAgent(f.agent, "/proc/self/exe");
    if (!agent) {
        printErrors({agent.error()});
        return kExitUsage;
    }
    std::error_code ec;
    std::filesystem::create_directories(f.reportDir, ec);
    if (ec) {
        std::cerr << "wblab: cannot create the report directory " << f.reportDir << ": "
                  << ec.message() << "\n";
        return kExitReports;
    }
    const auto flavours = flavoursOf(f.directories);
    auto result =
        flavours.size() == 1
            ? harness::runSuite(*prepared.suite, optionsOf(f, *agent), &std::cout)
            : harness::runSuiteOn(*prepared.suite, optionsOf(f, *agent), flavours, &std::cout);
    std::cout << "\n";
    report::printSummary(result, std::cout);
    if (!writeReports(result, f.reportDir)) {
        return kExitReports;
    }
    if (result.interrupted) {
        return kExitInterrupted;
    }
    return result.anyFailure() ? kExitFailures : kExitPass;
}

}  // namespace

Command addRunCommand(CLI::App& app) {
    auto* cli = app.add_subcommand("run", "Run scenarios against a writeback agent");
    auto flags = std::make_shared<RunFlags>();
    addOptions(cli, *flags);
    return {cli, [flags] { return runCommand(*flags); }};
}

}  // namespace wblab::app
