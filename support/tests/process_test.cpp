#include <wblab/support/process.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace wblab;
using namespace std::chrono_literals;

namespace {

ProcessSpec shell(const std::string& script) {
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    return spec;
}

bool alive(int pid) {
    return ::kill(pid, 0) == 0;
}

}  // namespace

TEST_CASE("Process reports the exit code of a finished child", "[support][process]") {
    auto status = runProcess(shell("exit 7"), 5000ms);
    REQUIRE(status);
    CHECK(status->exited);
    CHECK(status->code == 7);
    CHECK_FALSE(status->success());
}

TEST_CASE("Process exchanges lines with a child over its stdin and stdout", "[support][process]") {
    auto spec = shell("read line; echo \"got:$line\"; read again; echo \"second:$again\"");
    spec.pipeStdin = true;
    spec.pipeStdout = true;
    auto child = Process::start(spec);
    REQUIRE(child);
    REQUIRE(child->write("hello\nworld\n", deadlineIn(2000ms)));
    std::string line;
    REQUIRE(child->readLine(line, deadlineIn(5000ms), 1024) == Process::LineStatus::Line);
    CHECK(line == "got:hello");
    REQUIRE(child->readLine(line, deadlineIn(5000ms), 1024) == Process::LineStatus::Line);
    CHECK(line == "second:world");
    CHECK(child->readLine(line, deadlineIn(5000ms), 1024) == Process::LineStatus::Eof);
}

TEST_CASE("Process gives up on a silent child at the deadline", "[support][process]") {
    auto spec = shell("exec sleep 30");
    spec.pipeStdout = true;
    auto child = Process::start(spec);
    REQUIRE(child);
    std::string line;
    auto before = Clock::now();
    CHECK(child->readLine(line, deadlineIn(100ms), 1024) == Process::LineStatus::Timeout);
    CHECK(Clock::now() - before < 5s);
    // Never before the deadline, whatever fraction of a millisecond it falls on: a caller that
    // checks its own deadline after a timeout must find it passed.
    for (auto fraction : {1us, 250us, 500us, 999us}) {
        const Deadline deadline = Clock::now() + 3ms + fraction;
        CHECK(child->readLine(line, deadline, 1024) == Process::LineStatus::Timeout);
        CHECK(Clock::now() >= deadline);
    }
    auto status = child->stop(200ms);
    CHECK_FALSE(status.exited);
    CHECK(status.signal == SIGTERM);
}

TEST_CASE("Process reports a line longer than the limit as TooLong", "[support][process]") {
    auto spec = shell("head -c 5000 /dev/zero | tr '\\0' x; echo");
    spec.pipeStdout = true;
    auto child = Process::start(spec);
    REQUIRE(child);
    std::string line;
    CHECK(child->readLine(line, deadlineIn(5000ms), 1000) == Process::LineStatus::TooLong);
}

TEST_CASE("Stopping a process also stops what it spawned", "[support][process]") {
    char dir[] = "/tmp/wblab-test-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string pidFile = std::string(dir) + "/grandchild.pid";
    // The grandchild ignores SIGTERM, so only the group-wide SIGKILL can end it.
    auto spec = shell("(trap '' TERM; exec sleep 30) & echo $! > " + pidFile + "; wait");
    auto child = Process::start(spec);
    REQUIRE(child);
    int grandchild = 0;
    auto deadline = deadlineIn(5000ms);
    while (grandchild == 0 && Clock::now() < deadline) {
        std::ifstream in(pidFile);
        in >> grandchild;
        if (grandchild == 0) {
            child->waitUntil(deadlineIn(5ms));
        }
    }
    REQUIRE(grandchild > 0);
    REQUIRE(alive(grandchild));
    child->stop(200ms);
    // The grandchild was re-parented and may linger as a zombie briefly: poll with a deadline.
    deadline = deadlineIn(5000ms);
    auto reaped = [&] {
        std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
        std::string pid, comm, state;
        stat >> pid >> comm >> state;
        return !stat || state == "Z";
    };
    while (!reaped() && Clock::now() < deadline) {
        ::usleep(2000);
    }
    CHECK(reaped());
    std::remove(pidFile.c_str());
    ::rmdir(dir);
}

TEST_CASE("Process refuses a program that does not exist", "[support][process]") {
    ProcessSpec spec;
    spec.argv = {"wblab-no-such-program-anywhere"};
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    auto child = Process::start(spec);
    REQUIRE_FALSE(child);
    CHECK(child.error().code == ErrorCode::NotFound);
}

TEST_CASE("runProcess kills a child that outlives its timeout", "[support][process]") {
    auto status = runProcess(shell("exec sleep 30"), 100ms);
    REQUIRE_FALSE(status);
    CHECK(status.error().code == ErrorCode::Timeout);
}

TEST_CASE("A child starts with no blocked and no ignored signals, whatever the parent did",
          "[support][process]") {
    // wblab blocks SIGINT/SIGTERM in its threads and ignores SIGPIPE; a child that inherited that
    // would shrug off the SIGTERM that stops it.
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &blocked, &previous);
    char dir[] = "/tmp/wblab-test-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    auto spec = shell("grep -E '^Sig(Blk|Ign):' /proc/self/status");
    spec.stdoutPath = std::string(dir) + "/status";
    auto status = runProcess(spec, 5000ms);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    REQUIRE(status);
    std::ifstream in(spec.stdoutPath);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_THAT(text, Catch::Contains("SigBlk:\t0000000000000000"));
    CHECK_THAT(text, Catch::Contains("SigIgn:\t0000000000000000"));
    std::remove(spec.stdoutPath.c_str());
    ::rmdir(dir);
}
