// `wblab validate`: check scenario files without running them.
#include "command.hpp"

#include <iostream>
#include <memory>

namespace wblab::app {

Command addValidateCommand(CLI::App& app) {
    auto* cli = app.add_subcommand("validate", "Check scenario files without running them");
    auto paths = std::make_shared<std::vector<std::string>>();
    auto includeRoot = std::make_shared<std::string>();
    cli->add_option("paths", *paths, "Scenario files or directories")->required();
    addIncludeRootOption(cli, *includeRoot);
    return {cli, [paths, includeRoot] {
                auto scenarios = loadOrExplain(*paths, *includeRoot);
                if (interrupted()) {
                    return kExitInterrupted;
                }
                if (!scenarios) {
                    return kExitUsage;
                }
                for (const auto& s : *scenarios) {
                    // A matrix file gives one line per expansion.
                    const bool expanded = s.id.find('[') != std::string::npos;
                    std::cout << "ok " << s.file << (expanded ? " " + s.id : std::string()) << "\n";
                }
                return kExitPass;
            }};
}

}  // namespace wblab::app
