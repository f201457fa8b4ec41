// `wblab zoo`: the mutation score over an agent's faults.
#include "command.hpp"

#include <wblab/harness/zoo.hpp>
#include <wblab/support/process.hpp>

#include <algorithm>
#include <iostream>
#include <memory>

namespace wblab::app {

namespace {

struct ZooFlags {
    std::vector<std::string> paths = {"scenarios"};
    std::string agent = "reference";
    std::size_t jobs = 2;
    int stepTimeoutMs = 1000;
    std::vector<std::string> faults;
    bool quick = false;
    std::string directory = "slapd";
    std::string includeRoot;
};

int zooCommand(const ZooFlags& f) {
    const auto& catalog = scenario::builtinCatalog();
    if (!catalog) {
        printErrors({catalog.error()});
        return kExitUsage;
    }
    auto all = loadOrExplain(f.paths, f.includeRoot);
    if (interrupted()) {
        return kExitInterrupted;
    }
    if (!all) {
        return kExitUsage;
    }
    auto agent = harness::resolveAgent(f.agent, "/proc/self/exe");
    auto faults =
        agent ? harness::listFaults(*agent) : Expected<std::vector<std::string>>(agent.error());
    if (!faults) {
        printErrors({faults.error()});
        return kExitUsage;
    }
    for (const auto& name : f.faults) {
        if (std::find(faults->begin(), faults->end(), name) == faults->end()) {
            std::cerr << "wblab: the agent has no fault '" << name << "' (see its --list-bugs)\n";
            return kExitUsage;
        }
    }
    harness::RunOptions options;
    options.stepTimeout = std::chrono::milliseconds(f.stepTimeoutMs);
    options.jobs = f.jobs;
    options.directory = *harness::directoryFlavourFromString(f.directory);
    auto zoo = harness::runZoo(*all,
                               *catalog,
                               *agent,
                               f.faults.empty() ? *faults : f.faults,
                               options,
                               f.quick,
                               &std::cout);
    harness::printZoo(zoo, std::cout);
    if (zoo.interrupted) {
        return kExitInterrupted;
    }
    return zoo.complete() ? kExitPass : kExitFailures;
}

}  // namespace

Command addZooCommand(CLI::App& app) {
    auto* cli = app.add_subcommand(
        "zoo", "Mutation score: run the scenarios against every fault an agent lists");
    auto flags = std::make_shared<ZooFlags>();
    cli->add_option("paths", flags->paths, "Scenario files or directories")->capture_default_str();
    cli->add_option("--agent",
                    flags->agent,
                    "'reference' or an agent that lists its faults with --list-bugs and takes "
                    "--bug NAME (docs/agent-protocol.md)")
        ->capture_default_str();
    cli->add_option("--jobs,-j", flags->jobs, "Faults run at once")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cli->add_option("--step-timeout",
                    flags->stepTimeoutMs,
                    "How long a faulty agent may take to answer, in milliseconds")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
    cli->add_option("--faults", flags->faults, "Only these faults (default: every one listed)")
        ->delimiter(',');
    cli->add_flag("--quick",
                  flags->quick,
                  "Stop looking once the score is decided (exact score, partial matrix)");
    addDirectoryOption(cli, flags->directory);
    addIncludeRootOption(cli, flags->includeRoot);
    return {cli, [flags] { return zooCommand(*flags); }};
}

}  // namespace wblab::app
