// What the subcommands share (command.hpp).
#include "command.hpp"

#include <wblab/harness/suite.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/install_layout.hpp>
#include <wblab/support/process.hpp>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <string_view>
#include <thread>

namespace wblab::app {

namespace {

std::mutex interruptMutex;
std::condition_variable interruptSignal;
bool interruptReceived = false;

}  // namespace

std::string& invokedAsStorage() {
    static std::string program = "wblab";
    return program;
}

const std::string& invokedAs() {
    return invokedAsStorage();
}

void setInvokedAs(std::string program) {
    if (!program.empty()) {
        invokedAsStorage() = std::move(program);
    }
}

std::string shellQuote(const std::string& text) {
    const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view("_-./:=@%+,").find(c) != std::string_view::npos;
    });
    if (plain) {
        return text;
    }
    std::string out = "'";
    for (char c : text) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

void printErrors(const std::vector<Error>& errors) {
    for (const auto& e : errors) {
        std::cerr << "wblab: error: " << e.describe() << "\n";
    }
}

std::vector<std::string> withBundledDefault(const std::vector<std::string>& paths) {
    std::error_code ec;
    if (paths != std::vector<std::string>{"scenarios"} ||
        std::filesystem::exists("scenarios", ec)) {
        return paths;
    }
    auto layout = installLayout();
    if (layout && std::filesystem::is_directory(layout->dataDir + "/scenarios", ec)) {
        return {layout->dataDir + "/scenarios"};
    }
    return paths;
}

std::optional<std::vector<scenario::Scenario>> loadOrExplain(
    const std::vector<std::string>& paths) {
    auto loaded = harness::loadScenarioPaths(withBundledDefault(paths));
    if (!loaded.ok()) {
        printErrors(loaded.errors);
        return std::nullopt;
    }
    return std::move(loaded.scenarios);
}

void addSelectionOptions(CLI::App* cmd, SelectionFlags& flags) {
    cmd->add_option("--tags", flags.selection.tags, "Only scenarios with any of these tags")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--exclude-tags",
                    flags.selection.excludeTags,
                    "Leave out scenarios with any of these tags")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--id",
                    flags.ids,
                    "Only the scenario with this exact id (repeatable; matrix rows have ids of "
                    "their own, as `wblab list` shows them)")
        ->allow_extra_args(false);
    cmd->add_option("--filter",
                    flags.selection.filter,
                    "Only scenarios whose id matches this regular expression");
    cmd->add_option("--criteria",
                    flags.selection.criteria,
                    "Only scenarios that cover any of these criteria")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--last-failed",
                    flags.lastFailed,
                    "Only the scenarios that failed in this report.json (and, for run, its seed "
                    "unless --seed or --run-id is given)");
    cmd->add_option("--shard", flags.shard, "Only shard K of N (K/N), for splitting a suite in CI");
}

Expected<harness::Selection> selectionOf(const SelectionFlags& flags,
                                         std::optional<report::RunResult>* lastRun) {
    harness::Selection selection = flags.selection;
    selection.ids = harness::splitIds(flags.ids);
    if (!flags.lastFailed.empty()) {
        WBLAB_TRY_ASSIGN(
            auto text, readFile(flags.lastFailed), "--last-failed " + flags.lastFailed);
        WBLAB_TRY_ASSIGN(auto before, report::fromJson(text), "--last-failed " + flags.lastFailed);
        std::vector<std::string> failed;
        for (const auto& c : before.cases) {
            if (report::isFailure(c.verdict)) {
                failed.push_back(c.id);
            }
        }
        selection.lastFailed = std::move(failed);
        if (lastRun != nullptr) {
            *lastRun = std::move(before);
        }
    }
    if (flags.shard.empty()) {
        return selection;
    }
    return harness::withShard(selection, flags.shard);
}

bool nothingFailedBefore(const SelectionFlags& flags, const harness::Selection& selection) {
    if (!selection.lastFailed || !selection.lastFailed->empty()) {
        return false;
    }
    std::cerr << "wblab: no scenario failed in " << flags.lastFailed << ": nothing to run again\n";
    return true;
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
