// wblab: the harness command line. Argument parsing and exit codes only; the work is in
// wblab::harness.
#include <wblab/harness/baseline.hpp>
#include <wblab/harness/catalog.hpp>
#include <wblab/harness/runner.hpp>
#include <wblab/harness/scenario.hpp>
#include <wblab/harness/selection.hpp>
#include <wblab/harness/zoo.hpp>
#include <wblab/report/run_result.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <random>
#include <sys/ioctl.h>
#include <thread>
#include <unistd.h>

namespace {

constexpr int kExitPass = 0;
constexpr int kExitFailures = 1;
constexpr int kExitUsage = 2;
constexpr int kExitReports = 3;
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

/// Loads every scenario; prints each error (file:line:column) and returns nullopt if any failed.
std::optional<std::vector<wblab::harness::Scenario>> loadAll(
    const std::vector<std::string>& paths) {
    auto files = wblab::harness::collectScenarioFiles(paths);
    if (!files) {
        std::cerr << "wblab: " << files.error().describe() << "\n";
        return std::nullopt;
    }
    if (files->empty()) {
        std::cerr << "wblab: no scenario files (*.yaml) found\n";
        return std::nullopt;
    }
    std::vector<wblab::harness::Scenario> scenarios;
    bool ok = true;
    for (const auto& f : *files) {
        auto s = wblab::harness::loadScenarios(f);
        if (!s) {
            std::cerr << "wblab: error: " << s.error().describe() << "\n";
            ok = false;
            continue;
        }
        for (auto& one : *s) {
            scenarios.push_back(std::move(one));
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return scenarios;
}

/// Writes junit.xml, report.json, summary.md and report.html, each atomically.
bool writeReports(const wblab::report::RunResult& result, const std::string& reportDir) {
    std::error_code ec;
    std::filesystem::create_directories(reportDir, ec);
    const std::pair<const char*, std::string> reports[] = {
        {"junit.xml", wblab::report::toJUnitXml(result)},
        {"report.json", wblab::report::toJson(result)},
        {"summary.md", wblab::report::toMarkdown(result)},
        {"report.html", wblab::report::toHtml(result)},
    };
    for (const auto& [name, content] : reports) {
        if (auto w = wblab::writeFileAtomically(reportDir + "/" + name, content); !w) {
            std::cerr << "wblab: " << w.error().describe() << "\n";
            return false;
        }
    }
    std::cout << "wblab: wrote junit.xml, report.json, summary.md and report.html to " << reportDir
              << "\n";
    return true;
}

/// SIGINT and SIGTERM are taken by a thread of their own (sigwait), which stops every child
/// process group; the run then finishes its reports with the unfinished scenarios unresolved.
std::mutex interruptMutex;
std::condition_variable interruptSignal;
bool interruptReceived = false;

/// Blocks until SIGINT or SIGTERM arrives (for `wblab lab up`).
void waitForInterrupt() {
    std::unique_lock lock(interruptMutex);
    interruptSignal.wait(lock, [] { return interruptReceived; });
}

void handleInterrupts() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread started later
    std::thread([signals] {
        int received = 0;
        if (sigwait(&signals, &received) == 0) {
            std::cerr << "\nwblab: interrupted (" << ::strsignal(received)
                      << "): stopping every agent and slapd\n";
            wblab::stopAllProcesses();
            std::lock_guard lock(interruptMutex);
            interruptReceived = true;
            interruptSignal.notify_all();
        }
    }).detach();
}

}  // namespace

int main(int argc, char** argv) {
    // Before any thread exists, so that every thread inherits the blocked signals.
    handleInterrupts();
    CLI::App app{"wblab: test lab and conformance harness for password writeback"};
    app.set_version_flag("--version", "wblab 0.1.0");
    app.require_subcommand(1);

    auto* run = app.add_subcommand("run", "Run scenarios against a writeback agent");
    std::vector<std::string> runPaths;
    std::string agentSpec = "reference";
    std::string reportDir = "wblab-reports";
    bool keep = false;
    std::uint64_t seed = 0;
    bool seedGiven = false;
    run->add_option("paths", runPaths, "Scenario files or directories")->required();
    run->add_option("--agent",
                    agentSpec,
                    "'reference' or the command line of an agent that speaks protocol v1")
        ->capture_default_str();
    run->add_option("--report-dir", reportDir, "Where junit.xml is written")->capture_default_str();
    run->add_flag("--keep", keep, "Keep each scenario's run directory (slapd log, agent stderr)");
    bool freshAgents = false;
    run->add_flag("--fresh-agents",
                  freshAgents,
                  "Start the agent afresh for every scenario, even one that can take another "
                  "hello (capability rehandshake)");
    run->add_option("--seed", seed, "Seed for the run (printed first; default: time-derived)")
        ->each([&](const std::string&) { seedGiven = true; });
    std::size_t jobs = std::max(1u, std::thread::hardware_concurrency());
    run->add_option("--jobs,-j", jobs, "Scenarios run at once (default: the number of cores)")
        ->check(CLI::Range(1, 64));
    int scenarioTimeoutS = 300;
    run->add_option("--scenario-timeout",
                    scenarioTimeoutS,
                    "How long one scenario may take, in seconds (a scenario's timeout: wins)")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    int stepTimeoutMs = 10000;
    run->add_option("--step-timeout",
                    stepTimeoutMs,
                    "How long the agent may take to answer one request, in milliseconds")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();

    // Selection options, shared by run and list.
    wblab::harness::Selection selection;
    std::string shard;
    auto addSelection = [&](CLI::App* cmd) {
        cmd->add_option("--tags", selection.tags, "Only scenarios with any of these tags")
            ->delimiter(',');
        cmd->add_option("--filter",
                        selection.filter,
                        "Only scenarios whose id matches this regular expression");
        cmd->add_option(
               "--criteria", selection.criteria, "Only scenarios that cover any of these criteria")
            ->delimiter(',');
        cmd->add_option("--shard", shard, "Only shard K of N (K/N), for splitting a suite in CI");
    };
    addSelection(run);
    std::string baselinePath;
    run->add_option("--baseline",
                    baselinePath,
                    "Expected-failure file for this agent (docs/scenario-language.md)");

    auto* validate = app.add_subcommand("validate", "Check scenario files without running them");
    std::vector<std::string> validatePaths;
    validate->add_option("paths", validatePaths, "Scenario files or directories")->required();

    auto* lab = app.add_subcommand("lab", "A scenario's directory, for exploring by hand");
    lab->require_subcommand(1);
    auto* labUp = lab->add_subcommand(
        "up", "Start a scenario's directory and tenant, print how to connect, wait for Ctrl-C");
    std::string labScenario;
    bool labKeep = false;
    labUp->add_option("scenario", labScenario, "A scenario file")->required();
    labUp->add_flag("--keep", labKeep, "Keep the run directory after Ctrl-C");

    auto* reportCmd = app.add_subcommand("report", "Work with reports");
    reportCmd->require_subcommand(1);
    auto* merge = reportCmd->add_subcommand(
        "merge", "Join the report.json files of a sharded run into one set of reports");
    std::vector<std::string> mergeInputs;
    std::string mergeDir = "wblab-reports";
    merge->add_option("reports", mergeInputs, "report.json files of the shards")->required();
    merge->add_option("--report-dir", mergeDir, "Where the merged reports go")
        ->capture_default_str();

    auto* explain =
        app.add_subcommand("explain", "Describe a scenario in plain words, or a criterion");
    std::string explainWhat;
    std::vector<std::string> explainPaths = {"scenarios"};
    explain->add_option("scenario", explainWhat, "A scenario id or file, or a criterion id")
        ->required();
    explain->add_option("--in", explainPaths, "Where to look for the id")->capture_default_str();

    auto* criteriaCmd =
        app.add_subcommand("criteria", "List the criteria catalog and the scenarios covering it");
    bool criteriaMarkdown = false;
    std::vector<std::string> criteriaPaths = {"scenarios"};
    criteriaCmd->add_flag(
        "--markdown", criteriaMarkdown, "Print docs/criteria.md (generated from the catalog)");
    criteriaCmd->add_option("--in", criteriaPaths, "The scenarios that count as coverage")
        ->capture_default_str();

    auto* zooCmd = app.add_subcommand(
        "zoo", "Mutation score: run the scenarios against every fault of the reference agent");
    std::vector<std::string> zooPaths = {"scenarios"};
    std::size_t zooJobs = 2;
    int zooStepTimeoutMs = 1000;
    std::vector<std::string> zooFaults;
    zooCmd->add_option("paths", zooPaths, "Scenario files or directories")->capture_default_str();
    zooCmd->add_option("--jobs,-j", zooJobs, "Faults run at once")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    zooCmd
        ->add_option("--step-timeout",
                     zooStepTimeoutMs,
                     "How long a faulty agent may take to answer, in milliseconds")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
    zooCmd->add_option("--faults", zooFaults, "Only these faults (default: every one listed)")
        ->delimiter(',');
    bool zooQuick = false;
    zooCmd->add_flag("--quick",
                     zooQuick,
                     "Stop looking once the score is decided (exact score, partial matrix)");

    auto* list = app.add_subcommand("list", "List the scenarios a run would take");
    std::vector<std::string> listPaths = {"scenarios"};
    list->add_option("paths", listPaths, "Scenario files or directories")->capture_default_str();
    addSelection(list);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kExitPass : kExitUsage;
    }

    if (labUp->parsed()) {
        auto scenario = wblab::harness::loadScenario(labScenario);
        if (!scenario) {
            std::cerr << "wblab: error: " << scenario.error().describe() << "\n";
            return kExitUsage;
        }
        auto up = wblab::harness::labUp(*scenario, labKeep, std::cout, waitForInterrupt);
        if (!up) {
            std::cerr << "wblab: " << up.error().describe() << "\n";
            return kExitFailures;
        }
        return kExitPass;
    }

    if (merge->parsed()) {
        std::vector<wblab::report::RunResult> shards;
        for (const auto& path : mergeInputs) {
            auto text = wblab::readFile(path);
            auto part = text ? wblab::report::fromJson(*text)
                             : wblab::Expected<wblab::report::RunResult>(text.error());
            if (!part) {
                std::cerr << "wblab: " << path << ": " << part.error().message << "\n";
                return kExitUsage;
            }
            shards.push_back(std::move(*part));
        }
        auto merged = wblab::report::mergeRuns(shards);
        if (!merged) {
            std::cerr << "wblab: " << merged.error().message << "\n";
            return kExitUsage;
        }
        if (!writeReports(*merged, mergeDir)) {
            return kExitReports;
        }
        wblab::report::printSummary(*merged, std::cout);
        return merged->anyFailure() ? kExitFailures : kExitPass;
    }

    const auto& catalog = wblab::harness::builtinCatalog();
    if (!catalog) {
        std::cerr << "wblab: error: " << catalog.error().describe() << "\n";
        return kExitUsage;
    }

    if (criteriaCmd->parsed()) {
        auto all = loadAll(criteriaPaths);
        if (!all) {
            return kExitUsage;
        }
        if (criteriaMarkdown) {
            std::cout << wblab::harness::criteriaMarkdown(*catalog, *all);
        } else {
            wblab::harness::listCriteria(*catalog, *all, std::cout);
        }
        return kExitPass;
    }

    if (explain->parsed() && catalog->find(explainWhat) != nullptr) {
        auto all = loadAll(explainPaths);
        if (!all) {
            return kExitUsage;
        }
        wblab::harness::explainCriterion(*catalog->find(explainWhat), *catalog, *all, std::cout);
        return kExitPass;
    }

    if (zooCmd->parsed()) {
        auto all = loadAll(zooPaths);
        if (!all) {
            return kExitUsage;
        }
        auto reference = wblab::harness::resolveAgent("reference", "/proc/self/exe");
        if (!reference) {
            std::cerr << "wblab: " << reference.error().describe() << "\n";
            return kExitUsage;
        }
        auto faults = wblab::harness::listFaults(*reference);
        if (!faults) {
            std::cerr << "wblab: " << faults.error().describe() << "\n";
            return kExitUsage;
        }
        for (const auto& f : zooFaults) {
            if (std::find(faults->begin(), faults->end(), f) == faults->end()) {
                std::cerr << "wblab: the reference agent has no fault '" << f
                          << "' (wblab-agent --list-bugs)\n";
                return kExitUsage;
            }
        }
        wblab::harness::RunOptions options;
        options.stepTimeout = std::chrono::milliseconds(zooStepTimeoutMs);
        options.jobs = zooJobs;
        auto zoo = wblab::harness::runZoo(*all,
                                          *catalog,
                                          *reference,
                                          zooFaults.empty() ? *faults : zooFaults,
                                          options,
                                          zooQuick,
                                          &std::cout);
        wblab::harness::printZoo(zoo, std::cout);
        return zoo.complete() ? kExitPass : kExitFailures;
    }

    if (explain->parsed()) {
        std::vector<std::string> where = explainPaths;
        if (std::filesystem::is_regular_file(explainWhat)) {
            where = {explainWhat};
        }
        auto all = loadAll(where);
        if (!all) {
            return kExitUsage;
        }
        for (const auto& s : *all) {
            if (s.id == explainWhat || s.file == explainWhat) {
                wblab::harness::explainScenario(s, std::cout);
                return kExitPass;
            }
        }
        std::cerr << "wblab: no scenario or criterion '" << explainWhat
                  << "' (see wblab list, wblab criteria)\n";
        return kExitUsage;
    }

    if (validate->parsed()) {
        auto scenarios = loadAll(validatePaths);
        if (!scenarios) {
            return kExitUsage;
        }
        for (const auto& s : *scenarios) {
            // A matrix file gives one line per expansion.
            const bool expanded = s.id.find('[') != std::string::npos;
            std::cout << "ok " << s.file << (expanded ? " " + s.id : std::string()) << "\n";
        }
        return kExitPass;
    }

    if (!shard.empty()) {
        auto sharded = wblab::harness::withShard(selection, shard);
        if (!sharded) {
            std::cerr << "wblab: " << sharded.error().describe() << "\n";
            return kExitUsage;
        }
        selection = *sharded;
    }

    if (list->parsed()) {
        auto all = loadAll(listPaths);
        if (!all) {
            return kExitUsage;
        }
        auto chosen = wblab::harness::selectScenarios(*all, selection);
        if (!chosen) {
            std::cerr << "wblab: " << chosen.error().describe() << "\n";
            return kExitUsage;
        }
        for (const auto& s : *chosen) {
            std::string criteria;
            for (const auto& c : s.criteria) {
                criteria += (criteria.empty() ? "" : ",") + c;
            }
            std::string tags;
            for (const auto& t : s.tags) {
                tags += (tags.empty() ? "" : ",") + t;
            }
            std::cout << s.id << "\t" << criteria << "\t" << tags << "\t" << s.title << "\n";
        }
        return kExitPass;
    }

    if (!seedGiven) {
        seed =
            static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    }
    std::cout << "wblab: seed " << seed << "\n" << std::flush;
    auto loaded = loadAll(runPaths);
    if (!loaded) {
        return kExitUsage;
    }
    auto scenarios = wblab::harness::selectScenarios(*loaded, selection);
    if (!scenarios) {
        std::cerr << "wblab: " << scenarios.error().describe() << "\n";
        return kExitUsage;
    }
    if (scenarios->empty()) {
        std::cerr << "wblab: no scenario matches the selection\n";
        return kExitUsage;
    }
    std::optional<wblab::harness::Baseline> baseline;
    if (!baselinePath.empty()) {
        auto loadedBaseline = wblab::harness::loadBaseline(baselinePath);
        if (!loadedBaseline) {
            std::cerr << "wblab: error: " << loadedBaseline.error().describe() << "\n";
            return kExitUsage;
        }
        baseline = std::move(*loadedBaseline);
    }
    auto agent = wblab::harness::resolveAgent(agentSpec, "/proc/self/exe");
    if (!agent) {
        std::cerr << "wblab: " << agent.error().describe() << "\n";
        return kExitUsage;
    }
    std::error_code ec;
    std::filesystem::create_directories(reportDir, ec);
    if (ec) {
        std::cerr << "wblab: cannot create the report directory " << reportDir << ": "
                  << ec.message() << "\n";
        return kExitReports;
    }
    wblab::harness::RunOptions options;
    options.agent = *agent;
    options.seed = seed;
    options.keepRunDirectories = keep;
    options.stepTimeout = std::chrono::milliseconds(stepTimeoutMs);
    options.scenarioTimeout = std::chrono::seconds(scenarioTimeoutS);
    options.jobs = jobs;
    options.progressStyle = wblab::harness::progressStyleFor(
        ::isatty(STDOUT_FILENO) == 1, std::getenv("CI"), std::getenv("TERM"));
    if (winsize size{}; ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        options.progressWidth = size.ws_col;
    }
    options.reuseAgents = !freshAgents;
    auto result = wblab::harness::runScenarios(*scenarios, options, &std::cout);
    wblab::harness::attachCatalog(*catalog, result);
    if (baseline) {
        std::vector<std::string> known;
        for (const auto& s : *loaded) {
            known.push_back(s.id);
        }
        wblab::harness::applyBaseline(*baseline, known, result);
    }
    std::cout << "\n";
    wblab::report::printSummary(result, std::cout);
    if (!writeReports(result, reportDir)) {
        return kExitReports;
    }
    if (result.interrupted) {
        return kExitInterrupted;
    }
    return result.anyFailure() ? kExitFailures : kExitPass;
}
