// `wblab criteria`: the catalog and the scenarios that cover each criterion.
#include "command.hpp"

#include <wblab/scenario/catalog.hpp>

#include <iostream>
#include <memory>

namespace wblab::app {

namespace {

struct CriteriaFlags {
    bool markdown = false;
    std::vector<std::string> paths = {"scenarios"};
};

int criteriaCommand(const CriteriaFlags& f) {
    const auto& catalog = scenario::builtinCatalog();
    if (!catalog) {
        printErrors({catalog.error()});
        return kExitUsage;
    }
    auto all = loadOrExplain(f.paths);
    if (!all) {
        return kExitUsage;
    }
    if (f.markdown) {
        std::cout << scenario::criteriaMarkdown(*catalog, *all);
    } else {
        scenario::listCriteria(*catalog, *all, std::cout);
    }
    return kExitPass;
}

}  // namespace

Command addCriteriaCommand(CLI::App& app) {
    auto* cli =
        app.add_subcommand("criteria", "List the criteria catalog and the scenarios covering it");
    auto flags = std::make_shared<CriteriaFlags>();
    cli->add_flag(
        "--markdown", flags->markdown, "Print docs/criteria.md (generated from the catalog)");
    cli->add_option("--in", flags->paths, "The scenarios that count as coverage (repeatable)")
        ->allow_extra_args(false)
        ->capture_default_str();
    return {cli, [flags] { return criteriaCommand(*flags); }};
}

}  // namespace wblab::app
