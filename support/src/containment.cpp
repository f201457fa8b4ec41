// Keeping every process the lab starts under control (containment.hpp, process.hpp).
#include "containment.hpp"

#include <wblab/support/process.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace wblab {

namespace detail {

namespace {

struct Registry {
    std::mutex mutex;
    std::map<int, std::string> children;  ///< pid (= pgid) -> marker
    bool stopped = false;
};

Registry& registry() {
    static Registry r;
    return r;
}

std::atomic<bool> contained{false};
std::atomic<pid_t> containedPid{-1};  ///< the process containDescendants() was called in
std::atomic<int> guardPid{-1};
std::atomic<int> guardFd{-1};

/// A /proc file's contents, read with read(2): stream reads throw when the process vanishes
/// while it is read (libstdc++'s filebuf turns ESRCH into an exception).
std::string readProcFile(const std::string& path) {
    std::string out;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return out;
    }
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

struct ProcInfo {
    int pid = 0;
    int ppid = 0;
    char state = '?';
};

/// One process's state and parent from /proc/PID/stat (comm may hold spaces and parentheses:
/// parse after the last ')'); nullopt when it is gone.
std::optional<ProcInfo> procInfoOf(int pid) {
    const std::string stat = readProcFile("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream rest(stat.substr(close + 1));
    ProcInfo info;
    info.pid = pid;
    rest >> info.state >> info.ppid;
    return info;
}

/// Every process in /proc with its parent.
std::vector<ProcInfo> allProcesses() {
    std::vector<ProcInfo> out;
    DIR* dir = ::opendir("/proc");
    if (dir == nullptr) {
        return out;
    }
    while (const dirent* entry = ::readdir(dir)) {
        const int pid = std::atoi(entry->d_name);
        if (pid <= 0) {
            continue;
        }
        if (auto info = procInfoOf(pid)) {
            out.push_back(*info);
        }
    }
    ::closedir(dir);
    return out;
}

/// The children of `pid` from /proc/PID/task/*/children, every thread's (an orphan is
/// re-parented to whichever thread of the subreaper is alive): a few small reads instead of one
/// per process on the machine. Empty when it has none or is gone; nullopt when this kernel has
/// no such files (then the whole of /proc is read instead).
std::optional<std::vector<int>> childrenOf(int pid) {
    static const bool supported = [] {
        return ::access(("/proc/self/task/" + std::to_string(::getpid()) + "/children").c_str(),
                        R_OK) == 0;
    }();
    if (!supported) {
        return std::nullopt;
    }
    std::vector<int> out;
    const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    DIR* dir = ::opendir(tasks.c_str());
    if (dir == nullptr) {
        return out;
    }
    while (const dirent* entry = ::readdir(dir)) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        std::istringstream pids(readProcFile(tasks + "/" + entry->d_name + "/children"));
        for (int child = 0; pids >> child;) {
            out.push_back(child);
        }
    }
    ::closedir(dir);
    return out;
}

/// Every descendant of `root`, from the children files; nullopt as childrenOf().
std::optional<std::vector<int>> descendantsOf(int root) {
    std::vector<int> out;
    std::vector<int> todo{root};
    while (!todo.empty()) {
        const int parent = todo.back();
        todo.pop_back();
        auto children = childrenOf(parent);
        if (!children) {
            return std::nullopt;
        }
        out.insert(out.end(), children->begin(), children->end());
        todo.insert(todo.end(), children->begin(), children->end());
    }
    return out;
}

/// This process's children with their state, from the children files when there are some.
std::vector<ProcInfo> ownChildren() {
    const int self = ::getpid();
    std::vector<ProcInfo> out;
    if (auto children = childrenOf(self)) {
        for (int pid : *children) {
            if (auto info = procInfoOf(pid)) {
                out.push_back(*info);
            }
        }
        return out;
    }
    for (const auto& p : allProcesses()) {
        if (p.ppid == self) {
            out.push_back(p);
        }
    }
    return out;
}

std::vector<int> descendantsIn(const std::vector<ProcInfo>& all, int root) {
    std::multimap<int, int> byParent;
    for (const auto& p : all) {
        byParent.emplace(p.ppid, p.pid);
    }
    std::vector<int> out;
    std::vector<int> todo{root};
    while (!todo.empty()) {
        const int parent = todo.back();
        todo.pop_back();
        auto [begin, end] = byParent.equal_range(parent);
        for (auto it = begin; it != end; ++it) {
            out.push_back(it->second);
            todo.push_back(it->second);
        }
    }
    return out;
}

/// The marker in a process's environment, or empty (unreadable, or none).
std::string markerOf(int pid) {
    std::istringstream in(readProcFile("/proc/" + std::to_string(pid) + "/environ"));
    const std::string prefix = std::string(kMarkerVariable) + "=";
    for (std::string entry; std::getline(in, entry, '\0');) {
        if (entry.rfind(prefix, 0) == 0) {
            return entry.substr(prefix.size());
        }
    }
    return std::string();
}

void tellGuard(char op, int pgid) {
    const int fd = guardFd.load();
    if (fd >= 0) {
        const std::string line = std::string(1, op) + std::to_string(pgid) + "\n";
        (void)!::write(fd, line.data(), line.size());
    }
}

/// The guard: waits until wblab is gone (its end of the pipe closes, however it ended), then
/// kills every process group wblab still had and every process carrying one of its markers.
[[noreturn]] void runGuard(int readFd, pid_t wblab) {
    ::setpgid(0, 0);  // out of the terminal's reach: Ctrl-C is wblab's to handle
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) {
        ::signal(sig, SIG_IGN);
    }
    ::prctl(PR_SET_NAME, "wblab-guard");
    // Hold nothing of wblab's: a reader of its output must see the end when wblab ends.
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3; ++fd) {
        ::dup2(null, fd);
    }
    for (int fd = 3; fd < 1024; ++fd) {
        if (fd != readFd) {
            ::close(fd);
        }
    }
    std::set<int> groups;
    std::string pending;
    char buf[512];
    for (ssize_t n; (n = ::read(readFd, buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        pending.append(buf, static_cast<std::size_t>(n));
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
            const int pgid = std::atoi(pending.c_str() + 1);
            if (pending[0] == '+') {
                groups.insert(pgid);
            } else {
                groups.erase(pgid);
            }
            pending.erase(0, nl + 1);
        }
    }
    for (int pgid : groups) {
        ::killpg(pgid, SIGKILL);
    }
    const std::string prefix = std::to_string(wblab) + ".";
    for (int round = 0; round < 3; ++round) {
        for (const auto& p : allProcesses()) {
            if (p.pid != ::getpid() && markerOf(p.pid).rfind(prefix, 0) == 0) {
                ::kill(p.pid, SIGKILL);
            }
        }
    }
    std::_Exit(0);
}

}  // namespace

std::mutex& spawnMutex() {
    static std::mutex m;
    return m;
}

std::string nextMarker() {
    static std::atomic<unsigned> counter{0};
    return std::to_string(::getpid()) + "." + std::to_string(++counter);
}

void registerChild(int pid, const std::string& marker) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (r.stopped) {
        ::killpg(pid, SIGKILL);
    }
    r.children[pid] = marker;
    tellGuard('+', pid);
}

void unregisterChild(int pid) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.children.erase(pid);
    tellGuard('-', pid);
}

std::vector<int> registeredGroups() {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    std::vector<int> out;
    for (const auto& [pid, marker] : r.children) {
        out.push_back(pid);
    }
    return out;
}

void killTree(int pid, const std::string& marker) {
    // A few rounds: a descendant may fork while the others are being killed.
    for (int round = 0; round < 4; ++round) {
        // The tree first, while it is intact: a killed parent's children move to the subreaper.
        auto tree = descendantsOf(pid);
        std::vector<int> victims = tree ? std::move(*tree) : descendantsIn(allProcesses(), pid);
        for (const auto& p : ownChildren()) {
            // Orphans the subreaper took in from this child's tree.
            if (p.pid != pid && p.pid != guardPid.load() && !marker.empty() &&
                markerOf(p.pid) == marker) {
                victims.push_back(p.pid);
            }
        }
        ::killpg(pid, SIGKILL);
        for (int v : victims) {
            ::kill(v, SIGKILL);
        }
        if (victims.empty()) {
            break;
        }
    }
    sweepOrphans();
}

void sweepOrphans() {
    if (!contained.load()) {
        return;
    }
    std::lock_guard spawning(spawnMutex());
    std::set<int> mine;
    for (int pid : registeredGroups()) {
        mine.insert(pid);
    }
    const int self = ::getpid();
    for (const auto& p : ownChildren()) {
        if (mine.count(p.pid) != 0 || p.pid == guardPid.load()) {
            continue;
        }
        const std::string marker = markerOf(p.pid);
        if (p.state == 'Z' || marker.rfind(std::to_string(self) + ".", 0) == 0) {
            ::kill(p.pid, SIGKILL);
            ::waitpid(p.pid, nullptr, 0);
        }
    }
}

int interruptFd() {
    // One per process: a forked copy must not share its parent's interrupt.
    static std::mutex mutex;
    static int fd = -1;
    static pid_t owner = -1;
    std::lock_guard lock(mutex);
    if (owner != ::getpid()) {
        fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        owner = ::getpid();
    }
    return fd;
}

void signalInterrupt() {
    const std::uint64_t one = 1;
    (void)!::write(interruptFd(), &one, sizeof one);
}

}  // namespace detail

void containDescendants() {
    // Once per process; a forked copy gets its own guard (and lets go of its parent's).
    if (detail::contained.load() && detail::containedPid.load() == ::getpid()) {
        return;
    }
    if (detail::guardFd.load() >= 0 && detail::containedPid.load() != ::getpid()) {
        ::close(detail::guardFd.exchange(-1));
        detail::guardPid = -1;
    }
    detail::contained = true;
    detail::containedPid = ::getpid();
    // Orphans of our children's children come to us, not to init: nothing escapes by setsid.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    (void)detail::interruptFd();
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return;
    }
    const pid_t wblab = ::getpid();
    const pid_t guard = ::fork();
    if (guard == 0) {
        ::close(fds[1]);
        detail::runGuard(fds[0], wblab);
    }
    ::close(fds[0]);
    if (guard < 0) {
        ::close(fds[1]);
        return;
    }
    detail::guardPid = guard;
    detail::guardFd = fds[1];
    std::atexit(endContainment);
}

void endContainment() {
    if (detail::containedPid.load() != ::getpid()) {
        return;  // a forked copy: the guard is its parent's
    }
    const int fd = detail::guardFd.exchange(-1);
    const pid_t guard = detail::guardPid.exchange(-1);
    if (fd < 0 || guard <= 0) {
        return;
    }
    ::close(fd);  // the guard sweeps what is left and ends
    // The guard is a copy of wblab (same command line): wait for it, so nothing that looks like
    // wblab outlives it. Bounded: a guard stuck in a sweep is not worth a hang.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (::waitpid(guard, nullptr, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(guard, SIGKILL);
            ::waitpid(guard, nullptr, 0);
            return;
        }
        ::usleep(2000);
    }
}

std::vector<int> liveProcessGroups() {
    return detail::registeredGroups();
}

void stopAllProcesses() {
    std::map<int, std::string> children;
    {
        auto& r = detail::registry();
        std::lock_guard lock(r.mutex);
        r.stopped = true;
        children = r.children;
    }
    detail::signalInterrupt();
    for (const auto& [pid, marker] : children) {
        detail::killTree(pid, marker);
    }
}

bool processesStopped() {
    auto& r = detail::registry();
    std::lock_guard lock(r.mutex);
    return r.stopped;
}

}  // namespace wblab
