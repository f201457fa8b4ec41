// What the subcommands share (command.hpp).
#include "command.hpp"

#include <wblab/harness/suite.hpp>
#include <wblab/sim/vocabulary.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/install_layout.hpp>
#include <wblab/support/process.hpp>
#include <wblab/support/secrets.hpp>

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

/// A stream buffer that hands its text to another one a line at a time, redacted: a secret is
/// never split by a flush in the middle of a line ('\r' ends a progress line too).
class RedactingBuffer : public std::streambuf {
public:
    explicit RedactingBuffer(std::streambuf* target) : target_(target) {}

protected:
    int overflow(int ch) override {
        if (ch == traits_type::eof()) {
            return sync() == 0 ? 0 : traits_type::eof();
        }
        std::lock_guard lock(mutex_);
        pending_ += static_cast<char>(ch);
        if (ch == '\n' || ch == '\r' || pending_.size() > 65536) {
            emit();
        }
        return ch;
    }

    std::streamsize xsputn(const char* s, std::streamsize n) override {
        for (std::streamsize i = 0; i < n; ++i) {
            overflow(static_cast<unsigned char>(s[i]));
        }
        return n;
    }

    int sync() override {
        std::lock_guard lock(mutex_);
        emit();
        return target_->pubsync();
    }

private:
    void emit() {
        if (!pending_.empty()) {
            const std::string safe = redact(pending_);
            target_->sputn(safe.data(), static_cast<std::streamsize>(safe.size()));
            pending_.clear();
        }
    }

    std::streambuf* target_;
    std::string pending_;
    std::mutex mutex_;
};

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

void redactConsole() {
    // Never destroyed: the standard streams flush through them at exit, after every static
    // object of ours is gone (as statics, the AddressSanitizer build crashed in that flush).
    static auto* out = new RedactingBuffer(std::cout.rdbuf());
    static auto* err = new RedactingBuffer(std::cerr.rdbuf());
    std::cout.rdbuf(out);
    std::cerr.rdbuf(err);
    std::cerr << std::unitbuf;
}

bool interrupted() {
    return processesStopped();
}

void addIncludeRootOption(CLI::App* cmd, std::string& includeRoot) {
    cmd->add_option("--include-root",
                    includeRoot,
                    "Let include: name files anywhere under this directory (default: only under "
                    "the scenario directory given, or the scenario file's own directory)");
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

std::optional<std::vector<scenario::Scenario>> loadOrExplain(const std::vector<std::string>& paths,
                                                             const std::string& includeRoot) {
    auto loaded = harness::loadScenarioPaths(withBundledDefault(paths), includeRoot);
    if (interrupted()) {
        return std::nullopt;
    }
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
    cmd->add_option("--event",
                    flags.selection.events,
                    "Only scenarios in which a step expects any of these agent event ids "
                    "(events or events_include), e.g. 33004")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--outcome",
                    flags.outcomes,
                    "Only scenarios in which a step expects any of these outcomes, e.g. SSPR_0029")
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
    for (const auto& name : flags.outcomes) {
        auto outcome = sim::outcomeFromString(name);
        if (!outcome) {
            std::string known;
            for (const auto& n : sim::outcomeNames()) {
                known += (known.empty() ? "" : ", ") + n;
            }
            return makeError(
                ErrorCode::InvalidInput,
                "--outcome: unknown outcome '" + name + "' (expected one of: " + known + ")");
        }
        selection.outcomes.push_back(*outcome);
    }
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

bool writeReports(report::RunResult result, const std::string& reportDir) {
    std::error_code ec;
    std::filesystem::create_directories(reportDir, ec);
    // Whatever the results hold, no secret the process knows reaches a report.
    report::redactRun(result);
    const std::vector<std::pair<std::string, std::string>> reports = {
        {reportDir + "/junit.xml", report::toJUnitXml(result)},
        {reportDir + "/report.json", report::toJson(result)},
        {reportDir + "/summary.md", report::toMarkdown(result)},
        {reportDir + "/report.html", report::toHtml(result)},
    };
    // All four or none: a full disk leaves the previous set as it was.
    if (auto w = writeFilesAtomically(reports); !w) {
        std::cerr << "wblab: the reports were not written: " << w.error().describe() << "\n";
        return false;
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
            {
                std::lock_guard lock(interruptMutex);
                interruptReceived = true;
                interruptSignal.notify_all();
            }
            // Every phase notices the interrupt within milliseconds; should one not, the
            // promise of an end within 2 s still holds (the children are gone already).
            std::this_thread::sleep_for(std::chrono::milliseconds(1800));
            std::cerr << "wblab: still busy 1.8 s after the interrupt: exiting now\n" << std::flush;
            endContainment();
            std::_Exit(kExitInterrupted);
        }
    }).detach();
}

void waitForInterrupt() {
    std::unique_lock lock(interruptMutex);
    interruptSignal.wait(lock, [] { return interruptReceived; });
}

}  // namespace wblab::app
