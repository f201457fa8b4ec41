#pragma once
// File: process.hpp
//
// Child processes for the lab: slapd, slapadd and the agent under test. Every child runs in its
// own process group so that stopping it also stops whatever it spawned. Deadlines are enforced
// here (poll on pipes and on a pidfd), never by Boost.Process' wait_for, which is unreliable in
// Boost 1.81. Boost.Process itself is confined to process_boost.cpp.
//
//   ProcessSpec spec{.argv = {"/usr/sbin/slapd", "-f", conf}, .stderrPath = log};
//   auto child = Process::start(spec);
//   ...
//   child->stop(std::chrono::milliseconds(500));  // SIGTERM the group, then SIGKILL

#include <wblab/support/expected.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wblab {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline Deadline deadlineIn(std::chrono::milliseconds ms) {
    return Clock::now() + ms;
}

struct ProcessSpec {
    /// argv[0] is the program: a path, or a name looked up in PATH.
    std::vector<std::string> argv;
    /// The child's whole environment: the child never inherits the caller's (hermetic runs).
    std::vector<std::pair<std::string, std::string>> env;
    std::string workDir;
    /// Where stdout and stderr go when they are not piped; empty means /dev/null.
    std::string stdoutPath;
    std::string stderrPath;
    bool pipeStdin = false;
    bool pipeStdout = false;
    /// stderr to a pipe whose read end the caller takes (Process::takeStderr(), LogPump).
    bool pipeStderr = false;
    /// The child's soft limit of open files, when lower than the caller's (0: the caller's).
    /// slapd sizes its connection table by it at every start and stop.
    int maxOpenFiles = 0;
};

struct ExitStatus {
    bool exited = false;  ///< true: ended by exit(code); false: killed by signal
    int code = 0;
    int signal = 0;

    bool success() const { return exited && code == 0; }

    std::string describe() const;
};

class Process {
public:
    /// Starts the child in a new process group. Fails if the program cannot be executed.
    static Expected<Process> start(const ProcessSpec& spec);

    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    /// Kills the whole group (SIGKILL) if it is still running and reaps the child.
    ~Process();

    int pid() const;

    /// Writes all of data to the child's stdin before the deadline.
    Expected<void> write(std::string_view data, Deadline deadline);
    void closeStdin();

    enum class LineStatus { Line, Eof, Timeout, TooLong, Interrupted };

    /// Reads one '\n'-terminated line (without the '\n') from the child's stdout. A line longer
    /// than maxBytes is reported as TooLong and the stream is unusable afterwards. Interrupted:
    /// the run was stopped (stopAllProcesses) while waiting.
    LineStatus readLine(std::string& line, Deadline deadline, std::size_t maxBytes);

    /// The exit status if the child has ended by the deadline, else nullopt.
    std::optional<ExitStatus> waitUntil(Deadline deadline);

    /// SIGTERM to the group, up to `grace` for the child to end, then SIGKILL to the group and
    /// to every descendant, wherever it went (containDescendants()).
    ExitStatus stop(std::chrono::milliseconds grace);

    /// The read end of the stderr pipe (ProcessSpec::pipeStderr), handed over once; -1 after.
    int takeStderr();

    /// Sends a signal to every process of the group.
    void signalGroup(int signal);

private:
    struct Impl;
    explicit Process(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Containment of everything the lab starts, for the whole process (docs/safety.md,
/// "Processes"). Makes this process the child subreaper (PR_SET_CHILD_SUBREAPER): a descendant
/// that leaves its child's process group or session (setsid) and loses its parent comes back
/// to wblab instead of init, and is killed with the child it came from (every child carries a
/// marker in its environment, WBLAB_PROCESS, that its descendants inherit). Starts a guard
/// process that, if wblab itself dies (SIGKILL included), kills every process group wblab still
/// had and every process carrying one of its markers. Call first in main, while the process has
/// one thread.
void containDescendants();

/// Lets the guard go: it sweeps what is left and ends, and this waits (at most 1 s) until it
/// has. Runs at exit by itself; call it before std::_Exit.
void endContainment();

/// Runs a program to completion; kills its group and reports Timeout after `timeout`.
Expected<ExitStatus> runProcess(const ProcessSpec& spec, std::chrono::milliseconds timeout);

/// The process-group ids of every live process group started by Process.
std::vector<int> liveProcessGroups();

/// Kills every live process group started by Process (SIGKILL), with every descendant, and
/// refuses to start new ones: an interrupted run. Every wait in Process (readLine, write,
/// waitUntil) returns at once. Thread-safe, but not async-signal-safe: call it from a thread
/// that waits for the signal (sigwait), not from a signal handler.
void stopAllProcesses();

/// True once stopAllProcesses() was called.
bool processesStopped();

}  // namespace wblab
