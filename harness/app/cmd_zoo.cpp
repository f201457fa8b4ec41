// `wblab zoo`: the mutation score over an agent's faults and the cloud model's mutations.
#include "command.hpp"

#include <wblab/harness/zoo.hpp>
#include <wblab/sim/lab_mutation.hpp>
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
    std::vector<std::string> mutations;
    bool noLab = false;
    bool quick = false;
    bool freshFixtures = false;
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
    const auto known = harness::labMutationNames();
    for (const auto& name : f.mutations) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::cerr << "wblab: no lab mutation '" << name << "' (wblab zoo --help lists them)\n";
            return kExitUsage;
        }
    }
    harness::RunOptions options;
    options.stepTimeout = std::chrono::milliseconds(f.stepTimeoutMs);
    options.jobs = f.jobs;
    options.reuseFixtures = !f.freshFixtures;
    options.directory = *harness::directoryFlavourFromString(f.directory);
    harness::ZooFaults chosen;
    chosen.agent = f.faults.empty() ? *faults : f.faults;
    if (!f.noLab) {
        chosen.lab = f.mutations.empty() ? known : f.mutations;
    }
    auto zoo = harness::runZoo(*all, *catalog, *agent, chosen, options, f.quick, &std::cout);
    harness::printZoo(zoo, std::cout);
    if (zoo.interrupted) {
        return kExitInterrupted;
    }
    return zoo.complete() ? kExitPass : kExitFailures;
}

}  // namespace

Command addZooCommand(CLI::App& app) {
    auto* cli = app.add_subcommand(
        "zoo",
        "Mutation scores: the scenarios against every fault an agent lists (scored on the agent "
        "criteria) and every deliberate error of the cloud model (scored on the cloud criteria)");
    auto flags = std::make_shared<ZooFlags>();
    cli->add_option("paths", flags->paths, "Scenario files or directories")->capture_default_str();
    cli->add_option("--agent",
                    flags->agent,
                    "'reference' or an agent that lists its faults with --list-bugs and takes "
                    "--bug NAME (docs/agent-protocol.md)")
        ->capture_default_str();
    cli->add_option("--jobs,-j",
                    flags->jobs,
                    "Faults run at once (one under which the agent stops answering in time moves "
                    "to 8 lanes of its own)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cli->add_option("--step-timeout",
                    flags->stepTimeoutMs,
                    "How long a faulty agent may take to answer, in milliseconds")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
    cli->add_option("--faults", flags->faults, "Only these faults (default: every one listed)")
        ->delimiter(',')
        ->allow_extra_args(false);
    std::string mutationList;
    for (const auto& m : sim::labMutations()) {
        mutationList += std::string("\n  ") + m.name + " (" + m.criterion + "): " + m.description;
    }
    cli->add_option(
           "--mutations",
           flags->mutations,
           "Only these lab mutations of the cloud model (default: every one):" + mutationList)
        ->delimiter(',')
        ->allow_extra_args(false);
    cli->add_flag(
        "--no-lab", flags->noLab, "Score the agent's faults only, not the cloud model's mutations");
    cli->add_flag("--quick",
                  flags->quick,
                  "Stop looking once the score is decided (exact score, partial matrix)");
    cli->add_flag("--fresh-fixtures",
                  flags->freshFixtures,
                  "Start a fresh directory for every scenario instead of reseeding the worker's");
    addDirectoryOption(cli, flags->directory);
    addIncludeRootOption(cli, flags->includeRoot);
    return {cli, [flags] { return zooCommand(*flags); }};
}

}  // namespace wblab::app
