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

/// Prints each error as "wblab: error: file:line:column: message".
void printErrors(const std::vector<Error>& errors);

/// Loads every scenario under `paths`, printing every error; nullopt if there was any.
std::optional<std::vector<scenario::Scenario>> loadOrExplain(const std::vector<std::string>& paths);

/// The selection options that run and list share (--tags, --filter, --criteria, --shard).
struct SelectionFlags {
    harness::Selection selection;
    std::string shard;
};

void addSelectionOptions(CLI::App* cmd, SelectionFlags& flags);

/// The selection with the shard applied; errors are usage errors.
Expected<harness::Selection> selectionOf(const SelectionFlags& flags);

/// --directory slapd|samba (checked by the parser).
void addDirectoryOption(CLI::App* cmd, std::string& directory);

/// `--directory slapd,samba` for `run`: one flavour, or several for a differential run.
void addDirectoriesOption(CLI::App* cmd, std::vector<std::string>& directories);

/// The flavours named (validated by the option's check).
std::vector<harness::DirectoryFlavour> flavoursOf(const std::vector<std::string>& names);

/// Writes junit.xml, report.json, summary.md and report.html, each atomically.
bool writeReports(const report::RunResult& result, const std::string& reportDir);

/// SIGINT and SIGTERM go to a thread of their own, which stops every child process group.
/// Call before any other thread starts.
void handleInterrupts();

/// Blocks until SIGINT or SIGTERM arrives (for `wblab lab up`).
void waitForInterrupt();

}  // namespace wblab::app
