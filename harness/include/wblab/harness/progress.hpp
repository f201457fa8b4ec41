#pragma once
// File: progress.hpp
//
// Progress of a run on the console. On a terminal, one status line is rewritten in place
// (finished/total, failures so far, what is running), and only failures leave a line behind. In
// CI logs and pipes, one plain line per finished scenario: no carriage returns or escape
// sequences to garble a log.
//
//   Progress progress(std::cout, total, progressStyleFor(isatty(1), getenv("CI"), getenv("TERM")));
//   progress.started("0001_x"); progress.finished("0001_x", "pass", false); progress.done();

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace wblab::harness {

enum class ProgressStyle {
    Lines,  ///< one plain line per finished scenario
    Live,   ///< a status line rewritten in place; failures printed above it
};

/// Live only on a terminal that is not dumb and outside CI (CI set to anything but "", "0" or
/// "false": GitHub Actions, GitLab CI and most others set CI=true).
ProgressStyle progressStyleFor(bool isTerminal, const char* ciVariable, const char* termVariable);

/// Not thread-safe: the caller serialises calls.
class Progress {
public:
    Progress(std::ostream& out, std::size_t total, ProgressStyle style, std::size_t width = 100);

    void started(const std::string& id);
    void finished(const std::string& id, const std::string& verdict, bool failure);
    /// Clears the status line (Live); call once at the end.
    void done();

private:
    void redraw();

    std::ostream& out_;
    std::size_t total_;
    ProgressStyle style_;
    std::size_t width_;
    std::size_t finished_ = 0;
    std::size_t failures_ = 0;
    std::vector<std::string> running_;
    bool drawn_ = false;
};

}  // namespace wblab::harness
