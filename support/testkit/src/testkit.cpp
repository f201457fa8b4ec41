#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>
#include <wblab/testkit/testkit.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <thread>

namespace wblab::testkit {

bool waitFor(const std::function<bool()>& done,
             std::chrono::milliseconds timeout,
             std::chrono::milliseconds poll) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(poll);
    }
    return true;
}

std::string approvalDifference(const std::string& approved, const std::string& actual) {
    if (approved == actual) {
        return std::string();
    }
    std::istringstream a(approved);
    std::istringstream b(actual);
    std::string la;
    std::string lb;
    for (int line = 1;; ++line) {
        const bool moreA = static_cast<bool>(std::getline(a, la));
        const bool moreB = static_cast<bool>(std::getline(b, lb));
        if (!moreA && !moreB) {
            return "the texts differ only in the final newline";
        }
        if (!moreA || !moreB || la != lb) {
            return "first difference at line " + std::to_string(line) +
                   "\n  approved: " + (moreA ? la : "<end of file>") +
                   "\n  actual:   " + (moreB ? lb : "<end of file>");
        }
    }
}

std::string compareWithApproved(const std::string& dir,
                                const std::string& name,
                                const std::string& actual,
                                const std::string& actualDir) {
    const std::string approvedPath = dir + "/" + name;
    auto wants = [](const char* variable) {
        const char* value = std::getenv(variable);
        return value != nullptr && std::string(value) == "1";
    };
    if (wants("WBLAB_UPDATE_APPROVED") || wants("WBLAB_UPDATE_GOLDEN")) {
        (void)writeFileAtomically(approvedPath, actual);
        return std::string();
    }
    auto approved = readFile(approvedPath);
    if (!approved) {
        return approvedPath + " is missing; create it with WBLAB_UPDATE_APPROVED=1";
    }
    auto difference = approvalDifference(*approved, actual);
    if (difference.empty()) {
        return difference;
    }
    const std::string unapproved = actualDir + "/" + name + ".unapproved";
    (void)writeFileAtomically(unapproved, actual);
    return name + " differs from the approved file; " + difference + "\n  see: diff -u " +
           approvedPath + " " + unapproved +
           "\n  if the change is intended, run the test with WBLAB_UPDATE_APPROVED=1, then review "
           "and commit the approved file";
}

std::string normalised(std::string text,
                       const std::vector<std::pair<std::string, std::string>>& rules) {
    for (const auto& [pattern, replacement] : rules) {
        text = std::regex_replace(text, std::regex(pattern), replacement);
    }
    return text;
}

Expected<CliRun> runCommand(const std::string& program,
                            const std::vector<std::string>& args,
                            const std::string& dir,
                            std::chrono::milliseconds deadline) {
    ProcessSpec spec;
    spec.argv = {program};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = {{"PATH", "/usr/bin:/bin"}, {"WBLAB_TMPDIR", dir}, {"TMPDIR", dir}};
    // The Samba flavour's template cache is found from HOME (or WBLAB_CACHE_DIR): pass them on,
    // so that a command shares the cache of the tests that run it.
    for (const char* name : {"HOME", "WBLAB_CACHE_DIR", "XDG_CACHE_HOME"}) {
        if (const char* value = std::getenv(name); value != nullptr) {
            spec.env.emplace_back(name, value);
        }
    }
    spec.stdoutPath = dir + "/cli.out";
    spec.stderrPath = dir + "/cli.err";
    auto status = runProcess(spec, deadline);
    if (!status) {
        return status.error();
    }
    if (!status->exited) {
        return makeError(ErrorCode::Internal,
                         program + " ended by a signal: " + status->describe());
    }
    CliRun run;
    run.exitCode = status->code;
    run.out = readFile(spec.stdoutPath).value();
    run.err = readFile(spec.stderrPath).value();
    return run;
}

std::vector<std::string> processesMentioning(const std::string& needle) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream in(entry.path() / "cmdline");
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (char& c : cmdline) {
            c = c == '\0' ? ' ' : c;
        }
        if (cmdline.find(needle) != std::string::npos) {
            found.push_back(name + " " + cmdline);
        }
    }
    return found;
}

std::vector<std::string> entriesStartingWith(const std::string& dir, const std::string& prefix) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const auto name = e.path().filename().string();
        if (name.rfind(prefix, 0) == 0) {
            out.push_back(name);
        }
    }
    return out;
}

}  // namespace wblab::testkit
