// `wblab diagnose`: which documented cause or agent fault reproduces what a scenario observed.
#include "command.hpp"

#include <wblab/harness/diagnose.hpp>
#include <wblab/harness/zoo.hpp>
#include <wblab/scenario/loader.hpp>

#include <iostream>
#include <memory>

namespace wblab::app {

namespace {

struct DiagnoseFlags {
    std::string scenario;
    std::string agent = "reference";
    std::size_t jobs = 2;
    int stepTimeoutMs = 1000;
    std::size_t shown = 5;
    std::string directory = "slapd";
};

int diagnoseCommand(const DiagnoseFlags& f) {
    auto scenario = scenario::loadScenario(f.scenario);
    if (!scenario) {
        printErrors({scenario.error()});
        return kExitUsage;
    }
    auto agent = harness::resolveAgent(f.agent, "/proc/self/exe");
    auto faults =
        agent ? harness::listFaults(*agent) : Expected<std::vector<std::string>>(agent.error());
    if (!faults) {
        printErrors({faults.error()});
        return kExitUsage;
    }
    harness::RunOptions options;
    options.jobs = f.jobs;
    options.stepTimeout = std::chrono::milliseconds(f.stepTimeoutMs);
    options.directory = *harness::directoryFlavourFromString(f.directory);
    auto d = harness::diagnose(*scenario, *agent, *faults, options, &std::cerr);
    harness::printDiagnosis(d, std::cout, f.shown);
    if (d.interrupted) {
        return kExitInterrupted;
    }
    return d.ranked.empty() && !d.reproducedAsWritten ? kExitFailures : kExitPass;
}

}  // namespace

Command addDiagnoseCommand(CLI::App& app) {
    auto* cli = app.add_subcommand(
        "diagnose",
        "Rank the documented causes and agent faults by how much of a scenario's observed "
        "evidence each reproduces");
    auto flags = std::make_shared<DiagnoseFlags>();
    cli->add_option("scenario", flags->scenario, "A scenario file (e.g. from wblab import)")
        ->required();
    cli->add_option(
           "--agent", flags->agent, "The correct agent, whose --list-bugs faults are tried too")
        ->capture_default_str();
    cli->add_option("--jobs,-j", flags->jobs, "Runs at once")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cli->add_option("--step-timeout",
                    flags->stepTimeoutMs,
                    "How long an agent may take to answer, in milliseconds")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
    cli->add_option("--show", flags->shown, "How many candidates to describe")
        ->capture_default_str();
    addDirectoryOption(cli, flags->directory);
    return {cli, [flags] { return diagnoseCommand(*flags); }};
}

}  // namespace wblab::app
