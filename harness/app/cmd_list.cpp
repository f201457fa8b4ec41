// `wblab list`: the scenarios a run would take.
#include "command.hpp"

#include <wblab/harness/selection.hpp>

#include <iostream>
#include <memory>

namespace wblab::app {

namespace {

struct ListFlags {
    std::vector<std::string> paths = {"scenarios"};
    SelectionFlags selection;
    std::string includeRoot;
};

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ",") + item;
    }
    return out;
}

int listCommand(const ListFlags& f) {
    auto selection = selectionOf(f.selection);
    if (!selection) {
        printErrors({selection.error()});
        return kExitUsage;
    }
    if (nothingFailedBefore(f.selection, *selection)) {
        return kExitPass;
    }
    auto all = loadOrExplain(f.paths, f.includeRoot);
    if (interrupted()) {
        return kExitInterrupted;
    }
    if (!all) {
        return kExitUsage;
    }
    auto chosen = harness::selectScenarios(*all, *selection);
    if (!chosen) {
        printErrors({chosen.error()});
        return kExitUsage;
    }
    for (const auto& s : *chosen) {
        std::cout << s.id << "\t" << joined(s.criteria) << "\t" << joined(s.tags) << "\t" << s.title
                  << "\n";
    }
    return kExitPass;
}

}  // namespace

Command addListCommand(CLI::App& app) {
    auto* cli = app.add_subcommand("list", "List the scenarios a run would take");
    auto flags = std::make_shared<ListFlags>();
    cli->add_option("paths", flags->paths, "Scenario files or directories")->capture_default_str();
    addSelectionOptions(cli, flags->selection);
    addIncludeRootOption(cli, flags->includeRoot);
    return {cli, [flags] { return listCommand(*flags); }};
}

}  // namespace wblab::app
