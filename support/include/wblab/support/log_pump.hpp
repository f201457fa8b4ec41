#pragma once
// File: log_pump.hpp
//
// A child's log (the agent's stderr) read as it is written, by a thread of its own: every byte is
// searched for secrets (SecretStream), and at most `cap` bytes of each part are kept on disk, so
// that a child that writes a gigabyte costs neither memory nor disk. A log is cut into parts (one
// per scenario an agent serves): nextPart() ends the current part, with everything the pipe
// held at that moment, and starts the next.
//
//   LogPump pump(child.takeStderr(), dir + "/agent.stderr", 4 << 20, scanner);
//   ...                                     // the scenario runs
//   LogPart part = pump.nextPart(next, nextScanner);  // part.findings: secrets it held
//   LogPart last = pump.finish(deadlineIn(500ms));    // after the child's exit

#include <wblab/support/process.hpp>
#include <wblab/support/secrets.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wblab {

/// One part of a log, once it has ended.
struct LogPart {
    std::string path;         ///< where its first `kept` bytes are
    std::uint64_t bytes = 0;  ///< written by the child in this part
    std::uint64_t kept = 0;   ///< of them on disk (the rest counted and searched, not kept)
    std::vector<SecretFinding> findings;           ///< secrets found in it, offsets within the part
    std::shared_ptr<const SecretScanner> scanner;  ///< what the findings' indices refer to
    std::string tail;       ///< its last bytes (at most 4 KiB), for reports (redact it)
    bool complete = false;  ///< the child had closed the log when the part ended

    bool truncated() const { return kept < bytes; }
};

class LogPump {
public:
    /// Takes ownership of `fd` (a pipe's read end). Parts are written to `path` (truncated).
    LogPump(int fd,
            std::string path,
            std::uint64_t capPerPart,
            std::shared_ptr<const SecretScanner> scanner);
    LogPump(const LogPump&) = delete;
    LogPump& operator=(const LogPump&) = delete;
    ~LogPump();

    /// Ends the current part after reading everything the pipe holds now, and starts the next
    /// one, written to `path` and searched with `scanner`.
    LogPart nextPart(std::string path, std::shared_ptr<const SecretScanner> scanner);

    /// Waits until every writer has closed the log (the child and whatever inherited its stderr
    /// have exited) or the deadline passes, then ends the current part.
    LogPart finish(Deadline deadline);

    /// The current part so far (not ended).
    LogPart peek() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace wblab
