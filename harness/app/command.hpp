#pragma once
// The `wblab` command line: one file per subcommand (run, validate, list, explain, criteria,
// zoo, lab, report), each adding its options and its action to the parser; what they share
// (exit codes, loading with every error printed, writing reports, interrupts) is here.

#include <wblab/harness/runner.hpp>
#include <wblab/harness/selection.hpp>
#include <wblab/report/run_result.hpp>
#include <wblab/scenario/model.hpp>
#include <wblab/support/expected.hpp>

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wblab::app {

inline constexpr int kExitPass = 0;
inline constexpr int kExitFailures = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitReports = 3;
inline constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

/// A subcommand: its parser, and what it does once parsed (returns the exit status).
struct Command {
    CLI::App* cli = nullptr;
    std::function<int()> run;
};

Command addRunCommand(CLI::App& app);
Command addValidateCommand(CLI::App& app);
Command addListCommand(CLI::App& app);
Command addExplainCommand(CLI::App& app);
Command addCriteriaCommand(CLI::App& app);
Command addZooCommand(CLI::App& app);
Command addLabCommand(CLI::App& app);
Command addReportCommand(CLI::App& app);
Command addImportCommand(CLI::App& app);
Command addDiagnoseCommand(CLI::App& app);

/// The program as the user started it (argv[0]): rerun commands start with it.
const std::string& invokedAs();
void setInvokedAs(std::string program);

/// `text` as one shell word: unchanged when it is plainly safe, else in single quotes.
std::string shellQuote(const std::string& text);

/// Prints each error as "wblab: error: file:line:column: message".
void printErrors(const std::vector<Error>& errors);

/// `paths`, or, when they are the default ("scenarios") and there is no such folder here, the
/// scenarios bundled with wblab (share/wblab/scenarios beside the program).
std::vector<std::string> withBundledDefault(const std::vector<std::string>& paths);

/// Loads every scenario under `paths` (withBundledDefault), printing every error; nullopt if
/// there was any (or the run was interrupted: see interrupted()). Includes stay inside each
/// path's tree, or inside `includeRoot` when given.
std::optional<std::vector<scenario::Scenario>> loadOrExplain(const std::vector<std::string>& paths,
                                                             const std::string& includeRoot = "");

/// --include-root DIR: where included files may come from besides each path's own tree.
void addIncludeRootOption(CLI::App* cmd, std::string& includeRoot);

/// True once SIGINT or SIGTERM arrived: the command stops and exits 130, claiming no result.
bool interrupted();

/// The selection options that run and list share (--tags, --exclude-tags, --id, --filter,
/// --criteria, --last-failed, --shard). List-valued options take one value each time (repeat
/// them, or separate values with commas), so that they never swallow the scenario paths.
struct SelectionFlags {
    harness::Selection selection;
    std::vector<std::string> ids;       ///< --id as given (splitIds)
    std::vector<std::string> outcomes;  ///< --outcome as given (checked by selectionOf)
    std::string shard;
    std::string lastFailed;  ///< --last-failed REPORT.json
};

void addSelectionOptions(CLI::App* cmd, SelectionFlags& flags);

/// The selection with the ids, the failures of --last-failed's report and the shard applied;
/// errors are usage errors. `lastRun` receives --last-failed's report when one was given.
Expected<harness::Selection> selectionOf(const SelectionFlags& flags,
                                         std::optional<report::RunResult>* lastRun = nullptr);

/// True (after saying so) when --last-failed's report has no failure: nothing to run again.
bool nothingFailedBefore(const SelectionFlags& flags, const harness::Selection& selection);

/// --directory slapd|samba (checked by the parser).
void addDirectoryOption(CLI::App* cmd, std::string& directory);

/// `--directory slapd,samba` for `run`: one flavour, or several for a differential run.
void addDirectoriesOption(CLI::App* cmd, std::vector<std::string>& directories);

/// The flavours named (validated by the option's check).
std::vector<harness::DirectoryFlavour> flavoursOf(const std::vector<std::string>& names);

/// Writes junit.xml, report.json, summary.md and report.html as a set: all four are replaced or
/// none is. Every string is redacted first (report::redactRun).
bool writeReports(report::RunResult result, const std::string& reportDir);

/// SIGINT and SIGTERM go to a thread of their own, which stops every child process (and all
/// they started) and wakes every wait; if the command has not ended 1.8 s later, the thread
/// ends the process with 130. Call before any other thread starts.
void handleInterrupts();

/// Everything written to std::cout and std::cerr passes through the process redactor
/// (secrets.hpp), a line at a time.
void redactConsole();

/// Blocks until SIGINT or SIGTERM arrives (for `wblab lab up`).
void waitForInterrupt();

}  // namespace wblab::app
