// The only translation unit that includes Boost.Process (it is slow to compile).
#include "containment.hpp"

#include <wblab/support/process.hpp>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

namespace bp = boost::process;

namespace wblab {

namespace {

/// Rounded up: a poll that times out must not end before the deadline (truncated, it ended up
/// to 1 ms early, and a scenario whose deadline fell inside a step's wait started the next step).
int millisUntil(Deadline deadline) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::clamp<long long>(left.count(), 0, 60 * 60 * 1000));
}

void closeFd(int& fd) {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

int openForChild(const std::string& path, int flags) {
    return ::open(path.empty() ? "/dev/null" : path.c_str(), flags | O_CLOEXEC, 0600);
}

ExitStatus decodeStatus(int status) {
    ExitStatus s;
    if (WIFEXITED(status)) {
        s.exited = true;
        s.code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        s.signal = WTERMSIG(status);
    }
    return s;
}

/// Runs in the child between fork and exec: give the program the default signal state. The
/// harness blocks SIGINT/SIGTERM in its threads and ignores SIGPIPE, and both would otherwise be
/// inherited across exec (a slapd that never sees SIGTERM).
struct DefaultSignals : boost::process::extend::handler {
    int maxOpenFiles = 0;  ///< ProcessSpec::maxOpenFiles

    template <typename Executor>
    void on_exec_setup(Executor&) const {
        if (maxOpenFiles > 0) {
            rlimit limit{};
            if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
                limit.rlim_cur > static_cast<rlim_t>(maxOpenFiles)) {
                limit.rlim_cur = static_cast<rlim_t>(maxOpenFiles);
                ::setrlimit(RLIMIT_NOFILE, &limit);
            }
        }
        // If the harness itself is killed (SIGKILL, a crash), its children must not outlive it:
        // an orphaned slapd or agent would hold its run directory forever. Each child is started
        // and stopped by the same thread, so the thread's lifetime is the right one.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
    }
};

}  // namespace

std::string ExitStatus::describe() const {
    std::ostringstream out;
    if (exited) {
        out << "exit code " << code;
    } else {
        out << "killed by signal " << signal << " (" << ::strsignal(signal) << ")";
    }
    return out.str();
}

struct Process::Impl {
    int pid = -1;
    int pidfd = -1;
    int stdinFd = -1;
    int stdoutFd = -1;
    int stderrFd = -1;  ///< the read end of a piped stderr, until taken
    std::string marker;
    std::string buffer;  // bytes read from stdout but not yet returned as a line
    bool stdoutBroken = false;
    std::optional<ExitStatus> status;

    ~Impl() {
        if (pid > 0 && !status) {
            detail::killTree(pid, marker);
            int raw = 0;
            ::waitpid(pid, &raw, 0);
            status = decodeStatus(raw);
        }
        if (pid > 0) {
            // Stragglers the child left behind, in its group or out of it.
            detail::killTree(pid, marker);
            detail::unregisterChild(pid);
        }
        closeFd(stdinFd);
        closeFd(stdoutFd);
        closeFd(stderrFd);
        closeFd(pidfd);
    }

    std::optional<ExitStatus> reap(bool block) {
        if (status) {
            return status;
        }
        int raw = 0;
        pid_t r = ::waitpid(pid, &raw, block ? 0 : WNOHANG);
        if (r == pid) {
            status = decodeStatus(raw);
        }
        return status;
    }
};

Process::Process(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Process::Process(Process&& other) noexcept = default;

Process& Process::operator=(Process&& other) noexcept = default;

Process::~Process() = default;

int Process::pid() const {
    return impl_->pid;
}

namespace {

/// The child's standard streams: pipes and files opened for it, and the parent's ends of the
/// pipes. Whatever is still held when it goes out of scope is closed.
struct ChildStreams {
    int inPipe[2] = {-1, -1};
    int outPipe[2] = {-1, -1};
    int errPipe[2] = {-1, -1};
    int childIn = -1;
    int childOut = -1;
    int childErr = -1;

    ChildStreams() = default;
    ChildStreams(const ChildStreams&) = delete;
    ChildStreams& operator=(const ChildStreams&) = delete;

    ~ChildStreams() {
        for (int* fd : {&inPipe[0],
                        &inPipe[1],
                        &outPipe[0],
                        &outPipe[1],
                        &errPipe[0],
                        &errPipe[1],
                        &childIn,
                        &childOut,
                        &childErr}) {
            closeFd(*fd);
        }
    }

    Expected<void> open(const ProcessSpec& spec) {
        if (spec.pipeStdin && ::pipe2(inPipe, O_CLOEXEC) != 0) {
            return makeError(ErrorCode::Io, std::string("pipe: ") + std::strerror(errno));
        }
        if (!spec.pipeStdin) {
            childIn = openForChild("", O_RDONLY);
        }
        if (spec.pipeStdout && ::pipe2(outPipe, O_CLOEXEC) != 0) {
            return makeError(ErrorCode::Io, std::string("pipe: ") + std::strerror(errno));
        }
        if (!spec.pipeStdout) {
            childOut = openForChild(spec.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC);
        }
        if (spec.pipeStderr && ::pipe2(errPipe, O_CLOEXEC) != 0) {
            return makeError(ErrorCode::Io, std::string("pipe: ") + std::strerror(errno));
        }
        childErr = spec.pipeStderr ? std::exchange(errPipe[1], -1)
                                   : openForChild(spec.stderrPath, O_WRONLY | O_CREAT | O_TRUNC);
        if (childErr < 0 || (!spec.pipeStdout && childOut < 0)) {
            return makeError(ErrorCode::Io, "cannot open the output file of " + spec.argv[0]);
        }
        return {};
    }

    int stdinForChild() const { return inPipe[0] >= 0 ? inPipe[0] : childIn; }

    int stdoutForChild() const { return outPipe[1] >= 0 ? outPipe[1] : childOut; }
};

/// A path to the program: argv[0] as given when it has a slash, else looked up in PATH.
Expected<boost::filesystem::path> programPath(const std::string& program) {
    if (program.find('/') != std::string::npos) {
        return boost::filesystem::path(program);
    }
    auto found = bp::search_path(program);
    if (found.empty()) {
        return makeError(ErrorCode::NotFound, "program not found in PATH: " + program);
    }
    return found;
}

/// Starts the child in a process group of its own, with the streams bound; returns its pid.
Expected<int> spawnInGroup(const ProcessSpec& spec,
                           const boost::filesystem::path& exe,
                           const ChildStreams& streams,
                           const std::string& marker) {
    std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
    bp::environment env;
    for (const auto& [key, value] : spec.env) {
        env[key] = value;
    }
    // Inherited by the child's descendants: how the guard finds them if wblab is killed.
    env[detail::kMarkerVariable] = marker;
    try {
        bp::group group;
        std::string workDir = spec.workDir.empty() ? std::string(".") : spec.workDir;
        bp::child child(bp::exe = exe,
                        bp::args = args,
                        env,
                        bp::start_dir = workDir,
                        bp::posix::fd.bind(0, streams.stdinForChild()),
                        bp::posix::fd.bind(1, streams.stdoutForChild()),
                        bp::posix::fd.bind(2, streams.childErr),
                        DefaultSignals{{}, spec.maxOpenFiles},
                        group);
        const int pid = child.id();
        child.detach();  // lifecycle is ours: reaped through waitpid
        group.detach();
        return pid;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Unavailable, "cannot start " + spec.argv[0] + ": " + e.what());
    }
}

void makeNonBlocking(int fd) {
    if (fd >= 0) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
}

}  // namespace

Expected<Process> Process::start(const ProcessSpec& spec) {
    static std::once_flag ignoreSigpipe;
    // A dead agent must surface as a write error, not kill the harness.
    std::call_once(ignoreSigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });
    if (spec.argv.empty()) {
        return makeError(ErrorCode::InvalidInput, "no program to start");
    }
    if (processesStopped()) {
        return makeError(ErrorCode::Unavailable, "the run was interrupted");
    }
    detail::sweepOrphans();
    ChildStreams streams;
    WBLAB_TRY(streams.open(spec), "");
    WBLAB_TRY_ASSIGN(const auto exe, programPath(spec.argv[0]), "");
    const std::string marker = detail::nextMarker();
    int pid = -1;
    {
        // A sweep for orphans must not take a child that is being started for one.
        std::lock_guard spawning(detail::spawnMutex());
        WBLAB_TRY_ASSIGN(pid, spawnInGroup(spec, exe, streams, marker), "");
        detail::registerChild(pid, marker);
    }
    auto impl = std::make_unique<Impl>();
    impl->pid = pid;
    impl->marker = marker;
    impl->stderrFd = std::exchange(streams.errPipe[0], -1);
    // The parent keeps its ends of the pipes; the child's ends and files are closed with streams.
    impl->stdinFd = std::exchange(streams.inPipe[1], -1);
    impl->stdoutFd = std::exchange(streams.outPipe[0], -1);
    impl->pidfd = static_cast<int>(::syscall(SYS_pidfd_open, impl->pid, 0));
    makeNonBlocking(impl->stdoutFd);
    makeNonBlocking(impl->stdinFd);
    return Process(std::move(impl));
}

Expected<void> Process::write(std::string_view data, Deadline deadline) {
    if (impl_->stdinFd < 0) {
        return makeError(ErrorCode::Io, "stdin is closed");
    }
    while (!data.empty()) {
        ssize_t n = ::write(impl_->stdinFd, data.data(), data.size());
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return makeError(ErrorCode::Io, std::string("write to child: ") + std::strerror(errno));
        }
        pollfd pfds[] = {{impl_->stdinFd, POLLOUT, 0}, {detail::interruptFd(), POLLIN, 0}};
        int timeoutMs = millisUntil(deadline);
        if (timeoutMs == 0 || ::poll(pfds, 2, timeoutMs) == 0) {
            return makeError(ErrorCode::Timeout, "the child did not read its stdin in time");
        }
        if (pfds[1].revents != 0) {
            return makeError(ErrorCode::Unavailable, "the run was interrupted");
        }
    }
    return {};
}

void Process::closeStdin() {
    closeFd(impl_->stdinFd);
}

Process::LineStatus Process::readLine(std::string& line, Deadline deadline, std::size_t maxBytes) {
    auto& buf = impl_->buffer;
    while (true) {
        auto nl = buf.find('\n');
        if (nl != std::string::npos && nl <= maxBytes) {
            line.assign(buf, 0, nl);
            buf.erase(0, nl + 1);
            return LineStatus::Line;
        }
        if (impl_->stdoutBroken || buf.size() > maxBytes) {
            impl_->stdoutBroken = true;
            return LineStatus::TooLong;
        }
        if (impl_->stdoutFd < 0) {
            return LineStatus::Eof;
        }
        char chunk[65536];
        ssize_t n = ::read(impl_->stdoutFd, chunk, sizeof chunk);
        if (n > 0) {
            buf.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) {
            closeFd(impl_->stdoutFd);
            return LineStatus::Eof;  // a partial last line without '\n' is dropped
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN) {
            closeFd(impl_->stdoutFd);
            return LineStatus::Eof;
        }
        // The interrupt wakes the wait at once, whoever still holds the child's stdout.
        pollfd pfds[] = {{impl_->stdoutFd, POLLIN, 0}, {detail::interruptFd(), POLLIN, 0}};
        int timeoutMs = millisUntil(deadline);
        if (timeoutMs == 0 || ::poll(pfds, 2, timeoutMs) == 0) {
            return LineStatus::Timeout;
        }
        if (pfds[1].revents != 0 && pfds[0].revents == 0) {
            return LineStatus::Interrupted;
        }
    }
}

std::optional<ExitStatus> Process::waitUntil(Deadline deadline) {
    while (true) {
        if (auto s = impl_->reap(false)) {
            return s;
        }
        int timeoutMs = millisUntil(deadline);
        if (timeoutMs == 0) {
            return std::nullopt;
        }
        if (impl_->pidfd >= 0) {
            pollfd pfds[] = {{impl_->pidfd, POLLIN, 0}, {detail::interruptFd(), POLLIN, 0}};
            ::poll(pfds, 2, timeoutMs);
            if (pfds[1].revents != 0 && pfds[0].revents == 0) {
                return impl_->reap(false);  // interrupted: whatever is known now
            }
        } else {
            // Kernels without pidfd_open: fall back to short polls until the deadline.
            pollfd none{-1, 0, 0};
            ::poll(&none, 0, std::min(timeoutMs, 5));
        }
    }
}

ExitStatus Process::stop(std::chrono::milliseconds grace) {
    if (impl_->status) {
        detail::killTree(impl_->pid, impl_->marker);
        return *impl_->status;
    }
    closeStdin();
    ::killpg(impl_->pid, SIGTERM);
    auto status = waitUntil(deadlineIn(grace));
    // The child, anything it left in its group, and whatever left the group (setsid).
    detail::killTree(impl_->pid, impl_->marker);
    if (!status) {
        status = impl_->reap(true);
    }
    return *status;
}

int Process::takeStderr() {
    return std::exchange(impl_->stderrFd, -1);
}

void Process::signalGroup(int signal) {
    ::killpg(impl_->pid, signal);
}

Expected<ExitStatus> runProcess(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
    auto child = Process::start(spec);
    if (!child) {
        return child.error();
    }
    if (auto status = child->waitUntil(deadlineIn(timeout))) {
        return *status;
    }
    child->stop(std::chrono::milliseconds(200));
    return makeError(
        ErrorCode::Timeout,
        spec.argv[0] + " did not finish within " + std::to_string(timeout.count()) + " ms");
}

}  // namespace wblab
