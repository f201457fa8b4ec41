// wblab: the harness command line. Each subcommand lives in its own file (command.hpp); this file
// only assembles the parser and runs what was asked.
#include "command.hpp"

#include <wblab/support/process.hpp>
#include <wblab/support/version.hpp>

namespace {

using namespace wblab::app;

}  // namespace

int main(int argc, char** argv) {
    // Before any thread exists: the guard process is forked from a single-threaded process, and
    // every thread inherits the blocked signals.
    wblab::containDescendants();
    redactConsole();
    handleInterrupts();
    setInvokedAs(argc > 0 ? argv[0] : "");
    CLI::App app{"wblab: test lab and conformance harness for password writeback"};
    app.set_version_flag("--version", std::string("wblab ") + wblab::kVersion);
    app.require_subcommand(1);
    const std::vector<Command> commands = {addRunCommand(app),
                                           addValidateCommand(app),
                                           addListCommand(app),
                                           addExplainCommand(app),
                                           addCriteriaCommand(app),
                                           addZooCommand(app),
                                           addLabCommand(app),
                                           addReportCommand(app),
                                           addImportCommand(app),
                                           addDiagnoseCommand(app)};
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitPass : kExitUsage;
    }
    for (const auto& command : commands) {
        if (command.cli->parsed()) {
            return command.run();
        }
    }
    return kExitUsage;
}
