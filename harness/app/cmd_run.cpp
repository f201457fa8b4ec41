// `wblab run`: the scenarios against an agent, with reports.
#include "command.hpp"

#include <wblab/harness/suite.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>

#include <cerrno>
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
    std::string seedText;
    std::string includeRoot;
    std::size_t jobs = std::max(1u, std::thread::hardware_concurrency());
    int scenarioTimeoutS = 300;
    int stepTimeoutMs = 10000;
    std::string baseline;
    std::string directory = "slapd";
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
    run->add_option("--seed",
                    f.seedText,
                    "Seed for the run, 0 to 18446744073709551615 (printed first; default: "
                    "time-derived)");
    addIncludeRootOption(run, f.includeRoot);
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
    addDirectoryOption(run, f.directory);
    addSelectionOptions(run, f.selection);
}

harness::RunOptions optionsOf(const RunFlags& f, const harness::AgentCommand& agent) {
    harness::RunOptions options;
    options.agent = agent;
    options.directory = *harness::directoryFlavourFromString(f.directory);
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

/// The seed as given: a whole number that fits 64 bits, or nothing (time-derived).
Expected<std::uint64_t> seedOf(const std::string& text) {
    if (text.empty()) {
        return static_cast<std::uint64_t>(
            std::chrono::system_clock::now().time_since_epoch().count());
    }
    const bool digits =
        text.size() <= 20 && text.find_first_not_of("0123456789") == std::string::npos;
    errno = 0;
    const unsigned long long value = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE) {
        return makeError(
            ErrorCode::InvalidInput,
            "--seed takes a whole number from 0 to 18446744073709551615, not '" + text + "'");
    }
    return static_cast<std::uint64_t>(value);
}

int runCommand(RunFlags& f) {
    auto seed = seedOf(f.seedText);
    if (!seed) {
        printErrors({seed.error()});
        return kExitUsage;
    }
    f.seed = *seed;
    std::cout << "wblab: seed " << f.seed << "\n" << std::flush;
    auto selection = selectionOf(f.selection);
    if (!selection) {
        printErrors({selection.error()});
        return kExitUsage;
    }
    // Before anything runs: a second run into the same directory is refused at once.
    auto lock = DirectoryLock::acquire(f.reportDir);
    if (!lock) {
        std::cerr << "wblab: the report directory: " << lock.error().describe() << "\n";
        return kExitReports;
    }
    auto prepared = harness::prepareSuite({f.paths, *selection, f.baseline, f.includeRoot});
    if (interrupted()) {
        return kExitInterrupted;
    }
    if (!prepared.suite) {
        printErrors(prepared.errors);
        return kExitUsage;
    }
    auto agent = harness::resolveAgent(f.agent, "/proc/self/exe");
    if (!agent) {
        printErrors({agent.error()});
        return kExitUsage;
    }
    auto result = harness::runSuite(*prepared.suite, optionsOf(f, *agent), &std::cout);
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
