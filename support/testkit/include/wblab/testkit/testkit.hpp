#pragma once
// File: testkit.hpp
//
// Test-only helpers (target wblab::testkit, never linked into a shipped binary): polling with a
// deadline instead of sleeping, approval files, running the wblab command line, and finding the
// processes a run left behind.
//
//   CHECK(waitFor([&] { return processesMentioning(dir).empty(); }, 5s));
//   CHECK(approvalDifference(approved, actual).empty());

#include <wblab/support/expected.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace wblab::testkit {

/// Polls `done` until it holds or `timeout` passes (the poll itself waits on a condition, never
/// on the test's wall clock alone); true when it held.
bool waitFor(const std::function<bool()>& done,
             std::chrono::milliseconds timeout,
             std::chrono::milliseconds poll = std::chrono::milliseconds(5));

/// Empty when the texts are equal; else the 1-based first differing line with both versions.
std::string approvalDifference(const std::string& approved, const std::string& actual);

/// Compares `actual` with the approved file `dir/name`; on a difference writes
/// `actualDir/name.unapproved` and returns what differs and how to approve it. With
/// WBLAB_UPDATE_APPROVED=1 (or WBLAB_UPDATE_GOLDEN=1) it rewrites the approved file instead.
std::string compareWithApproved(const std::string& dir,
                                const std::string& name,
                                const std::string& actual,
                                const std::string& actualDir);

/// `text` with every match of each (regex, replacement) pair replaced, in order: timings,
/// dates and paths out of an output so that it can be approved.
std::string normalised(std::string text,
                       const std::vector<std::pair<std::string, std::string>>& rules);

struct CliRun {
    int exitCode = -1;
    std::string out;  ///< stdout
    std::string err;  ///< stderr

    std::string output() const { return out + err; }
};

/// How runCommand runs a program beyond its arguments.
struct CommandSetting {
    /// Added to (or replacing in) the hermetic environment: PATH, WBLAB_TMPDIR, TMPDIR.
    std::vector<std::pair<std::string, std::string>> env;
    std::string workDir;  ///< empty: the caller's
};

/// Runs `program args` to completion with a hermetic environment whose temporary directories
/// are `dir` (fixtures of this run live there); a hung program fails after `deadline`.
Expected<CliRun> runCommand(const std::string& program,
                            const std::vector<std::string>& args,
                            const std::string& dir,
                            std::chrono::milliseconds deadline = std::chrono::minutes(5),
                            const CommandSetting& setting = {});

/// The processes (pid and command line, NULs as spaces) whose command line contains `needle`.
std::vector<std::string> processesMentioning(const std::string& needle);

/// Entries directly inside `dir` whose name starts with `prefix`.
std::vector<std::string> entriesStartingWith(const std::string& dir, const std::string& prefix);

}  // namespace wblab::testkit
