// What the subcommands share (command.hpp).
#include "command.hpp"

#include <wblab/harness/suite.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>

#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace wblab::app {

namespace {

std::mutex interruptMutex;
std::condition_variable interruptSignal;
bool interruptReceived = false;

}  // namespace

void printErrors(const std::vector<Error>& errors) {
    for (const auto& e : errors) {
        std::cerr << "wblab: error: " << e.describe() << "\n";
    }
}

std::optional<std::vector<scenario::Scenario>> loadOrExplain(
    const std::vector<std::string>& paths) {
    auto loaded = harness::loadScenarioPaths(paths);
    if (!loaded.ok()) {
        printErrors(loaded.errors);
        return std::nullopt;
    }
    return std::move(loaded.scenarios);
}

void addSelectionOptions(CLI::App* cmd, SelectionFlags& flags) {
    cmd->add_option("--tags", flags.selection.tags, "Only scenarios with any of these tags")
        ->delimiter(',');
    cmd->add_option("--filter",
                    flags.selection.filter,
                    "Only scenarios whose id matches this regular expression");
    cmd->add_option("--criteria",
                    flags.selection.criteria,
                    "Only scenarios that cover any of these criteria")
        ->delimiter(',');
    cmd->add_option("--shard", flags.shard, "Only shard K of N (K/N), for splitting a suite in CI");
}

Expected<harness::Selection> selectionOf(const SelectionFlags& flags) {
    if (flags.shard.empty()) {
        return flags.selection;
    }
    return harness::withShard(flags.selection, flags.shard);
}

void addDirectoryOption(CLI::App* cmd, std::string& directory) {
    cmd->add_option("--directory",
                    directory,
                    "The on-premises directory: slapd (made to behave as AD; fast) or samba (a "
                    "Samba AD DC, an executable Active Directory)")
        ->check(CLI::IsMember({"slapd", "samba"}))
        ->capture_default_str();
}

void addDirectoriesOption(CLI::App* cmd, std::vector<std::string>& directories) {
    cmd->add_option("--directory",
                    directories,
                    "The on-premises directory: slapd (made to behave as AD; fast) or samba (a "
                    "Samba AD DC, an executable Active Directory); slapd,samba runs every "
                    "scenario on both and reports where they disagree")
        ->delimiter(',')
        ->allow_extra_args(false)  // one word per --directory: paths stay positional
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->check(CLI::IsMember({"slapd", "samba"}))
        ->default_str("slapd");
    // A flavour named twice would compare a directory with itself.
    cmd->callback([&directories] {
        for (std::size_t i = 0; i < directories.size(); ++i) {
            for (std::size_t j = i + 1; j < directories.size(); ++j) {
                if (directories[i] == directories[j]) {
                    throw CLI::ValidationError("--directory",
                                               "'" + directories[i] + "' is named twice");
                }
            }
        }
    });
}

std::vector<harness::DirectoryFlavour> flavoursOf(const std::vector<std::string>& names) {
    std::vector<harness::DirectoryFlavour> flavours;
    for (const auto& name : names) {
        flavours.push_back(*harness::directoryFlavourFromString(name));
    }
    if (flavours.empty()) {
        flavours.push_back(harness::DirectoryFlavour::Slapd);
    }
    return flavours;
}

bool writeReports(const report::RunResult& result, const std::string& reportDir) {
    std::error_code ec;
    std::filesystem::create_directories(reportDir, ec);
    const std::pair<const char*, std::string> reports[] = {
        {"junit.xml", report::toJUnitXml(result)},
        {"report.json", report::toJson(result)},
        {"summary.md", report::toMarkdown(result)},
        {"report.html", report::toHtml(result)},
    };
    for (const auto& [name, content] : reports) {
        if (auto w = writeFileAtomically(reportDir + "/" + name, content); !w) {
            std::cerr << "wblab: " << w.error().describe() << "\n";
            return false;
        }
    }
    std::cout << "wblab: wrote junit.xml, report.json, summary.md and report.html to " << reportDir
              << "\n";
    return true;
}

void handleInterrupts() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread started later
    std::thread([signals] {
        int received = 0;
        if (sigwait(&signals, &received) == 0) {
            std::cerr << "\nwblab: interrupted (" << ::strsignal(received)
                      << "): stopping every agent and slapd\n";
            stopAllProcesses();
            std::lock_guard lock(interruptMutex);
            interruptReceived = true;
            interruptSignal.notify_all();
        }
    }).detach();
}

void waitForInterrupt() {
    std::unique_lock lock(interruptMutex);
    interruptSignal.wait(lock, [] { return interruptReceived; });
}

}  // namespace wblab::app
