// `wblab run`: the scenarios against an agent, with reports.
#include "command.hpp"

#include <wblab/harness/preflight.hpp>
#include <wblab/harness/seeding.hpp>
#include <wblab/harness/suite.hpp>
#include <wblab/support/process.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
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
    std::string runId;
    std::size_t maxFailures = 0;
    bool exitFirst = false;
    std::size_t jobs = std::max(1u, std::thread::hardware_concurrency());
    int scenarioTimeoutS = 300;
    int stepTimeoutMs = 10000;
    std::string baseline;
    std::vector<std::string> directories;
    SelectionFlags selection;
};

void addOptions(CLI::App* run, RunFlags& f) {
    run->add_option("paths", f.paths, "Scenario files or directories")->required();
    run->add_option(
           "--agent",
           f.agent,
           "'reference' (wblab-agent, with its options: 'reference --bug NAME') or the command "
           "line of an agent that speaks the agent protocol")
        ->capture_default_str();
    run->add_option("--report-dir", f.reportDir, "Where the reports are written")
        ->capture_default_str();
    run->add_flag("--keep", f.keep, "Keep each scenario's run directory (slapd log, agent stderr)");
    run->add_flag("--fresh-agents",
                  f.freshAgents,
                  "Start the agent afresh for every scenario, even one that can take another "
                  "hello (capability rehandshake)");
    run->add_option("--seed",
                    f.seed,
                    "Seed for the run (printed first; default: from --run-id or the CI's run "
                    "id, else the clock)")
        ->each([&f](const std::string&) { f.seedGiven = true; });
    run->add_option("--run-id",
                    f.runId,
                    "Derive the seed from this id, the same in every shard of one run "
                    "(default: the CI's own, e.g. GITHUB_RUN_ID or CI_PIPELINE_ID; docs/ci.md)");
    run->add_option("--max-failures",
                    f.maxFailures,
                    "Stop taking scenarios after N have failed (the running ones finish)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    run->add_flag("-x", f.exitFirst, "Stop after the first failure (--max-failures 1)");
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
    options.maxFailures = f.exitFirst ? 1 : f.maxFailures;
    options.progressStyle = harness::progressStyleFor(
        ::isatty(STDOUT_FILENO) == 1, std::getenv("CI"), std::getenv("TERM"));
    if (winsize size{}; ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        options.progressWidth = size.ws_col;
    }
    return options;
}

/// The seed, and what it came from, printed before anything else (a failure to rerun needs it).
harness::SeedChoice seedFor(const RunFlags& f, const std::optional<report::RunResult>& lastRun) {
    const auto now =
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    std::optional<std::uint64_t> given;
    if (f.seedGiven) {
        given = f.seed;
    }
    if (!given && f.runId.empty() && lastRun) {
        // Failures are rerun as they ran: with the seed of the report they come from.
        return {lastRun->seed, lastRun->runId, "--last-failed"};
    }
    return harness::chooseSeed(
        given, f.runId, [](const char* n) { return std::getenv(n); }, now);
}

/// The options a case's rerun command needs besides its directory, id and file: everything that
/// changes how it runs (the seed whatever it came from, the agent, non-default timeouts).
std::string rerunPrefix(const RunFlags& f, std::uint64_t seed) {
    std::string out = shellQuote(invokedAs()) + " run --seed " + std::to_string(seed) +
                      " --agent " + shellQuote(f.agent);
    if (f.stepTimeoutMs != 10000) {
        out += " --step-timeout " + std::to_string(f.stepTimeoutMs);
    }
    if (f.scenarioTimeoutS != 300) {
        out += " --scenario-timeout " + std::to_string(f.scenarioTimeoutS);
    }
    if (f.freshAgents) {
        out += " --fresh-agents";
    }
    return out;
}

int runCommand(RunFlags& f) {
    std::optional<report::RunResult> lastRun;
    auto selection = selectionOf(f.selection, &lastRun);
    if (!selection) {
        printErrors({selection.error()});
        return kExitUsage;
    }
    if (nothingFailedBefore(f.selection, *selection)) {
        return kExitPass;
    }
    const auto seed = seedFor(f, lastRun);
    f.seed = seed.seed;
    std::cout << "wblab: seed " << f.seed;
    if (seed.source != "--seed") {
        std::cout << " (from " << seed.source << (seed.runId.empty() ? "" : " " + seed.runId)
                  << "; again with --seed " << f.seed << ")";
    }
    std::cout << "\n" << std::flush;
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
    const auto options = optionsOf(f, *agent);
    const auto flavours = flavoursOf(f.directories);
    // A setup that cannot work is one clear error, not every scenario failed; an interrupt
    // during the checks is a run interrupted before its first scenario (its report says so).
    for (auto flavour : flavours) {
        auto checked = options;
        checked.directory = flavour;
        if (auto ready = harness::preflight(checked); !ready && !processesStopped()) {
            std::cerr << "wblab: cannot run: " << ready.error().describe() << "\n";
            return kExitUsage;
        }
    }
    auto result = flavours.size() == 1
                      ? harness::runSuite(*prepared.suite, options, &std::cout)
                      : harness::runSuiteOn(*prepared.suite, options, flavours, &std::cout);
    result.runId = seed.runId;
    result.shard = f.selection.shard;
    const std::string prefix = rerunPrefix(f, f.seed);
    for (auto& c : result.cases) {
        c.rerun = prefix +
                  (c.directory.empty() || c.directory == "slapd"
                       ? std::string()
                       : " --directory " + shellQuote(c.directory)) +
                  " --id " + shellQuote(c.id) + " " + shellQuote(c.file);
    }
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
