// `wblab run`: the scenarios against an agent, with reports.
#include "command.hpp"

#include <wblab/harness/preflight.hpp>
#include <wblab/harness/seeding.hpp>
#include <wblab/harness/suite.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>

#include <cerrno>
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
    bool freshFixtures = false;
    std::uint64_t seed = 0;
    std::string seedText;
    std::string includeRoot;
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
    run->add_flag("--fresh-fixtures",
                  f.freshFixtures,
                  "Start a fresh directory for every scenario instead of reseeding the "
                  "worker's");
    run->add_flag("--fresh-agents",
                  f.freshAgents,
                  "Start the agent afresh for every scenario, even one that can take another "
                  "hello (capability rehandshake), and give it no WBLAB_AGENT_STATE to keep its "
                  "key pair in");
    run->add_option("--seed",
                    f.seedText,
                    "Seed for the run, 0 to 18446744073709551615 (printed first; default: from "
                    "--run-id or the CI's run id, else the clock)");
    run->add_option("--run-id",
                    f.runId,
                    "Derive the seed from this id, the same in every shard of one run "
                    "(default: the CI's own, e.g. GITHUB_RUN_ID or CI_PIPELINE_ID; docs/ci.md)");
    run->add_option("--max-failures",
                    f.maxFailures,
                    "Stop taking scenarios after N have failed (the running ones finish)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    run->add_flag("-x", f.exitFirst, "Stop after the first failure (--max-failures 1)");
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
    options.reuseFixtures = !f.freshFixtures;
    options.maxFailures = f.exitFirst ? 1 : f.maxFailures;
    options.progressStyle = harness::progressStyleFor(
        ::isatty(STDOUT_FILENO) == 1, std::getenv("CI"), std::getenv("TERM"));
    if (winsize size{}; ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        options.progressWidth = size.ws_col;
    }
    return options;
}

/// The seed as given: a whole number that fits 64 bits, or nothing (chosen by seedFor).
Expected<std::optional<std::uint64_t>> seedGiven(const std::string& text) {
    if (text.empty()) {
        return std::optional<std::uint64_t>();
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
    return std::optional<std::uint64_t>(static_cast<std::uint64_t>(value));
}

/// The seed, and what it came from, printed before anything else (a failure to rerun needs it).
harness::SeedChoice seedFor(const RunFlags& f,
                            std::optional<std::uint64_t> given,
                            const std::optional<report::RunResult>& lastRun) {
    const auto now =
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
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
    auto given = seedGiven(f.seedText);
    if (!given) {
        printErrors({given.error()});
        return kExitUsage;
    }
    std::optional<report::RunResult> lastRun;
    auto selection = selectionOf(f.selection, &lastRun);
    if (!selection) {
        printErrors({selection.error()});
        return kExitUsage;
    }
    if (nothingFailedBefore(f.selection, *selection)) {
        return kExitPass;
    }
    const auto seed = seedFor(f, *given, lastRun);
    f.seed = seed.seed;
    std::cout << "wblab: seed " << f.seed;
    if (seed.source != "--seed") {
        std::cout << " (from " << seed.source << (seed.runId.empty() ? "" : " " + seed.runId)
                  << "; again with --seed " << f.seed << ")";
    }
    std::cout << "\n" << std::flush;
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
