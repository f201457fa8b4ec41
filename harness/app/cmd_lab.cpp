// `wblab lab up`: a scenario's directory to explore by hand, until Ctrl-C.
#include "command.hpp"

#include <wblab/harness/runner.hpp>
#include <wblab/scenario/loader.hpp>

#include <iostream>
#include <memory>

namespace wblab::app {

namespace {

struct LabFlags {
    std::string scenario;
    bool keep = false;
    std::string directory = "slapd";
    std::string includeRoot;
};

int labUpCommand(const LabFlags& f) {
    scenario::LoadOptions options;
    options.includeRoot = f.includeRoot;
    auto scenario = scenario::loadScenario(f.scenario, options);
    if (interrupted()) {
        return kExitInterrupted;
    }
    if (!scenario) {
        printErrors({scenario.error()});
        return kExitUsage;
    }
    auto up = harness::labUp(*scenario,
                             *harness::directoryFlavourFromString(f.directory),
                             f.keep,
                             std::cout,
                             waitForInterrupt);
    if (!up) {
        std::cerr << "wblab: " << up.error().describe() << "\n";
        return interrupted() ? kExitInterrupted : kExitFailures;
    }
    // Ctrl-C is how a lab that is up ends: that is a success, not an interruption.
    return kExitPass;
}

}  // namespace

Command addLabCommand(CLI::App& app) {
    auto* lab = app.add_subcommand("lab", "A scenario's directory, for exploring by hand");
    lab->require_subcommand(1);
    auto* up = lab->add_subcommand(
        "up", "Start a scenario's directory and tenant, print how to connect, wait for Ctrl-C");
    auto flags = std::make_shared<LabFlags>();
    up->add_option("scenario", flags->scenario, "A scenario file")->required();
    up->add_flag("--keep", flags->keep, "Keep the run directory after Ctrl-C");
    addDirectoryOption(up, flags->directory);
    addIncludeRootOption(up, flags->includeRoot);
    return {lab, [flags] { return labUpCommand(*flags); }};
}

}  // namespace wblab::app
