// `wblab lab up`: the interactive lab (harness/lab.hpp, docs/lab.md): a scenario's setup and
// first steps, then a Graph-compatible HTTP API of its tenant on 127.0.0.1, until Ctrl-C.
#include "command.hpp"

#include <wblab/harness/lab.hpp>
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
    std::string agent = "reference";
    std::size_t until = 0;
    int port = 0;
    std::string record;
    std::string caller;
    std::string tokenFile;
};

int labUpCommand(const LabFlags& f) {
    scenario::LoadOptions loadOptions;
    loadOptions.includeRoot = f.includeRoot;
    auto scenario = scenario::loadScenario(f.scenario, loadOptions);
    if (interrupted()) {
        return kExitInterrupted;
    }
    if (!scenario) {
        printErrors({scenario.error()});
        return kExitUsage;
    }
    if (f.until > scenario->steps.size()) {
        std::cerr << "wblab: error: --until " << f.until << ": " << scenario->id << " has "
                  << scenario->steps.size() << " steps\n";
        return kExitUsage;
    }
    if (!f.caller.empty() && scenario->userSigningInAs(f.caller) == nullptr &&
        scenario->cloudOnlyUser(f.caller) == nullptr) {
        std::cerr << "wblab: error: --as " << f.caller << ": no such user in " << scenario->id
                  << "'s tenant (tenant.cloud_users or onprem.users)\n";
        return kExitUsage;
    }
    auto agent = harness::resolveAgent(f.agent, "/proc/self/exe");
    if (!agent) {
        printErrors({agent.error()});
        return kExitUsage;
    }
    harness::LabOptions options;
    options.agent = *agent;
    options.directory = *harness::directoryFlavourFromString(f.directory);
    options.until = f.until;
    options.port = f.port;
    options.recordPath = f.record;
    options.caller = f.caller;
    options.tokenFile = f.tokenFile;
    options.keep = f.keep;
    auto up = harness::labUp(*scenario, options, std::cout, waitForInterrupt);
    if (!up) {
        std::cerr << "wblab: " << up.error().describe() << "\n";
        return interrupted() ? kExitInterrupted : kExitFailures;
    }
    if (!f.record.empty()) {
        std::cout << "wblab lab: the session is recorded in " << f.record << "\n";
    }
    // Ctrl-C is how a lab that is up ends: that is a success, not an interruption.
    return kExitPass;
}

}  // namespace

Command addLabCommand(CLI::App& app) {
    auto* lab =
        app.add_subcommand("lab", "A scenario's tenant and directory, for exploring by hand");
    lab->require_subcommand(1);
    auto* up = lab->add_subcommand(
        "up",
        "Set up a scenario (directory, tenant, agent), play its first steps, serve a "
        "Graph-compatible HTTP API of the tenant on 127.0.0.1 until Ctrl-C (docs/lab.md)");
    auto flags = std::make_shared<LabFlags>();
    up->add_option("scenario", flags->scenario, "A scenario file")->required();
    up->add_option(
          "--until", flags->until, "Play the scenario's steps 1 to STEP first (default: none)")
        ->type_name("STEP");
    up->add_option("--agent",
                   flags->agent,
                   "'reference' (wblab-agent, with its options: 'reference --bug NAME') or the "
                   "command line of an agent that speaks the agent protocol");
    up->add_option("--port", flags->port, "The API's port on 127.0.0.1 (default 0: a free one)")
        ->check(CLI::Range(0, 65535));
    up->add_option("--record",
                   flags->record,
                   "Write the session (setup, steps played, each API request as a step with "
                   "what it observed) as a scenario file; passwords become placeholders")
        ->type_name("FILE");
    up->add_option("--as",
                   flags->caller,
                   "The tenant admin (sign-in name) the API's token acts as (default: the lab's "
                   "own Global Administrator, lab-admin@testlab.onmicrosoft.com)")
        ->type_name("UPN");
    up->add_option("--token-file",
                   flags->tokenFile,
                   "Write the API's bearer token to FILE (0600, removed at the end; default: "
                   "graph.token in the run directory)")
        ->type_name("FILE");
    up->add_flag("--keep", flags->keep, "Keep the run directory after Ctrl-C");
    addDirectoryOption(up, flags->directory);
    addIncludeRootOption(up, flags->includeRoot);
    return {lab, [flags] { return labUpCommand(*flags); }};
}

}  // namespace wblab::app
