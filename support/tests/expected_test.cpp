// Expected<T>: values, errors, context, and misuse that fails loudly instead of going on undefined.
#include <wblab/support/expected.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <functional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace wblab;

namespace {

struct Death {
    bool aborted = false;
    std::string stderrText;
};

/// Runs `body` in a child process and reports whether it aborted and what it printed.
Death runInChild(const std::function<void()>& body) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(fds[1], STDERR_FILENO);
        ::close(fds[0]);
        body();
        ::_exit(0);
    }
    ::close(fds[1]);
    Death death;
    char buffer[512];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
        death.stderrText.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    death.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    return death;
}

Expected<int> parsePositive(int n) {
    if (n <= 0) {
        return makeError(ErrorCode::InvalidInput, "not positive");
    }
    return n;
}

Expected<int> doubled(int n) {
    WBLAB_TRY_ASSIGN(int value, parsePositive(n), "doubling " + std::to_string(n));
    return 2 * value;
}

Expected<void> checked(int n) {
    WBLAB_TRY(parsePositive(n), "");
    return {};
}

}  // namespace

TEST_CASE("WBLAB_TRY returns the error with its context, or goes on with the value",
          "[support][expected]") {
    auto fine = doubled(4);
    REQUIRE(fine);
    CHECK(*fine == 8);
    auto bad = doubled(-1);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "doubling -1: not positive");
    CHECK(bad.error().code == ErrorCode::InvalidInput);
    CHECK(checked(3));
    REQUIRE_FALSE(checked(0));
    CHECK(checked(0).error().message == "not positive");  // an empty context adds nothing
}

TEST_CASE("Asking an Expected for what it does not hold aborts with a message",
          "[support][expected]") {
    auto errorOfValue = runInChild([] { (void)Expected<int>(7).error(); });
    CHECK(errorOfValue.aborted);
    CHECK_THAT(errorOfValue.stderrText,
               Catch::Contains("internal error: error() on an Expected holding a value"));
    auto valueOfError = runInChild([] { (void)parsePositive(0).value(); });
    CHECK(valueOfError.aborted);
    CHECK_THAT(valueOfError.stderrText,
               Catch::Contains("value() on an Expected holding an error: not positive"));
    auto errorOfSuccess = runInChild([] { (void)Expected<void>().error(); });
    CHECK(errorOfSuccess.aborted);
    CHECK_THAT(errorOfSuccess.stderrText,
               Catch::Contains("error() on a successful Expected<void>"));
    auto fine = runInChild([] { (void)Expected<int>(7).value(); });
    CHECK_FALSE(fine.aborted);
}
