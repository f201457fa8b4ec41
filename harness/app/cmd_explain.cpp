// `wblab explain`: a scenario in plain words, or a criterion.
#include "command.hpp"

#include <wblab/harness/lab_choices.hpp>
#include <wblab/scenario/catalog.hpp>
#include <wblab/scenario/loader.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace wblab::app {

namespace {

struct ExplainFlags {
    std::string what;
    std::vector<std::string> paths = {"scenarios"};
    std::string includeRoot;
};

int explainCommand(const ExplainFlags& f) {
    const auto& catalog = scenario::builtinCatalog();
    if (!catalog) {
        printErrors({catalog.error()});
        return kExitUsage;
    }
    const bool isFile = std::filesystem::is_regular_file(f.what);
    auto all = loadOrExplain(isFile ? std::vector<std::string>{f.what} : f.paths, f.includeRoot);
    if (interrupted()) {
        return kExitInterrupted;
    }
    if (!all) {
        return kExitUsage;
    }
    if (const auto* criterion = catalog->find(f.what)) {
        scenario::explainCriterion(*criterion, *catalog, *all, std::cout);
        return kExitPass;
    }
    for (const auto& s : *all) {
        if (s.id == f.what || s.file == f.what) {
            scenario::explainScenario(s, std::cout);
            harness::explainLabChoices(s, std::cout);
            return kExitPass;
        }
    }
    std::cerr << "wblab: no scenario or criterion '" << f.what
              << "' (see wblab list, wblab criteria)\n";
    return kExitUsage;
}

}  // namespace

Command addExplainCommand(CLI::App& app) {
    auto* cli = app.add_subcommand("explain", "Describe a scenario in plain words, or a criterion");
    auto flags = std::make_shared<ExplainFlags>();
    cli->add_option("scenario", flags->what, "A scenario id or file, or a criterion id")
        ->required();
    cli->add_option("--in", flags->paths, "Where to look for the id (repeatable)")
        ->allow_extra_args(false)
        ->capture_default_str();
    addIncludeRootOption(cli, flags->includeRoot);
    return {cli, [flags] { return explainCommand(*flags); }};
}

}  // namespace wblab::app
