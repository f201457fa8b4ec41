// Containment (process.hpp, containDescendants): nothing an agent starts outlives it, whatever
// group or session it moves to, an interrupt wakes every wait at once, and if wblab itself is
// killed its guard kills what is left. The tests that kill or interrupt run in a forked copy of
// the test process, since an interrupt is for the whole process and for good.
#include <wblab/support/process.hpp>
#include <wblab/testkit/testkit.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <functional>
#include <sys/wait.h>
#include <thread>
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

/// A sleep duration that no other process on the machine has in its command line: "60.<pid>0<n>"
/// (sleep refuses words, so the marker is a number it accepts).
std::string uniqueDuration() {
    static int n = 0;
    return "60." + std::to_string(::getpid()) + "0" + std::to_string(++n);
}

bool gone(const std::string& marker, std::chrono::milliseconds within = 5s) {
    return testkit::waitFor([&] { return testkit::processesMentioning(marker).empty(); }, within);
}

bool present(const std::string& marker) {
    return testkit::waitFor([&] { return !testkit::processesMentioning(marker).empty(); }, 5s);
}

/// Runs `body` in a forked copy of this process and returns its exit code.
int inChild(const std::function<int()>& body) {
    const pid_t child = ::fork();
    if (child == 0) {
        std::_Exit(body());
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("A descendant that leaves the group with setsid is stopped with its child",
          "[support][process][containment]") {
    containDescendants();
    const std::string marker = uniqueDuration();
    const std::string other = uniqueDuration();
    auto child = Process::start(shell("setsid sleep " + marker + " & exec sleep " + other));
    REQUIRE(child);
    REQUIRE(present("sleep " + marker));
    REQUIRE(present("sleep " + other));
    child->stop(100ms);
    CHECK(gone(marker));
    CHECK(gone(other));
}

TEST_CASE("An orphan whose parent already died is re-parented here and stopped with the child",
          "[support][process][containment]") {
    containDescendants();
    const std::string marker = uniqueDuration();
    // The subshell starts a new session and exits at once: the sleep's parent is gone.
    auto child = Process::start(shell("(setsid sleep " + marker + " &); exec sleep 61"));
    REQUIRE(child);
    REQUIRE(present("sleep " + marker));
    child->stop(100ms);
    CHECK(gone(marker));
}

TEST_CASE("An interrupt wakes a read at once although a descendant holds the child's stdout",
          "[support][process][containment]") {
    const std::string marker = uniqueDuration();
    const int code = inChild([&] {
        containDescendants();
        auto spec = shell("setsid sleep " + marker + " & exec sleep 61");
        spec.pipeStdout = true;
        auto child = Process::start(spec);
        if (!child) {
            return 10;
        }
        std::thread stopper([] {
            std::this_thread::sleep_for(200ms);  // the reader is waiting by then
            stopAllProcesses();
        });
        std::string line;
        const auto before = Clock::now();
        const auto status = child->readLine(line, deadlineIn(30s), 1024);
        stopper.join();
        const bool quick = Clock::now() - before < 2s;
        return status == Process::LineStatus::Timeout ? 11 : quick ? 0 : 12;
    });
    CHECK(code == 0);
    CHECK(gone(marker));
}

TEST_CASE("If the process that started them is killed, its guard kills every descendant",
          "[support][process][containment]") {
    const std::string marker = uniqueDuration();
    const std::string other = uniqueDuration();
    const pid_t lab = ::fork();
    if (lab == 0) {
        containDescendants();
        // One in the child's group, one that left it; neither dies with its parent by itself.
        auto child = Process::start(shell("setsid sleep " + marker + " & exec sleep " + other));
        if (!child) {
            std::_Exit(3);
        }
        ::pause();
        std::_Exit(0);
    }
    const bool started = testkit::waitFor(
        [&] {
            return !testkit::processesMentioning("sleep " + marker).empty() &&
                   !testkit::processesMentioning("sleep " + other).empty();
        },
        5s);
    ::kill(lab, SIGKILL);
    int status = 0;
    ::waitpid(lab, &status, 0);
    INFO("lab ended with " << status);
    CHECK(started);
    CHECK(gone(marker));
    CHECK(gone(other));
}
