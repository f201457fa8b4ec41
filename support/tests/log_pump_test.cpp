// The agent's log read as it is written (log_pump.hpp): kept up to a cap, searched whole,
// cut into parts per scenario.
#include <wblab/support/files.hpp>
#include <wblab/support/log_pump.hpp>
#include <wblab/support/process.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

using namespace wblab;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const SecretScanner> scannerFor(const std::string& secret) {
    return std::make_shared<SecretScanner>(std::vector<Secret>{{secret, "the password"}});
}

Process startWriter(const std::string& script) {
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    spec.pipeStderr = true;
    auto child = Process::start(spec);
    REQUIRE(child);
    return std::move(*child);
}

}  // namespace

TEST_CASE("A flood on stderr is kept up to the cap, searched whole, and noted",
          "[support][logpump]") {
    auto dir = RunDirectory::create("pump");
    REQUIRE(dir);
    const std::string path = dir->path() + "/agent.stderr";
    // 32 MiB of noise, then the password in base64 ("Q2xvdWQtUmVzZXQtMjAyNiE=" is
    // "Cloud-Reset-2026!").
    auto child =
        startWriter("head -c 33554432 /dev/zero >&2; echo 'token=Q2xvdWQtUmVzZXQtMjAyNiE=' >&2");
    LogPump pump(child.takeStderr(), path, 1 << 20, scannerFor("Cloud-Reset-2026!"));
    REQUIRE(child.waitUntil(deadlineIn(30s)));
    const LogPart part = pump.finish(deadlineIn(10s));
    CHECK(part.complete);
    CHECK(part.bytes == 33554432 + 31);
    CHECK(part.kept == 1 << 20);
    CHECK(part.truncated());
    REQUIRE(part.findings.size() == 1);
    CHECK(part.findings[0].form == SecretForm::Base64);
    CHECK(std::filesystem::file_size(path) < (1 << 20) + 200);
    auto text = readFile(path);
    REQUIRE(text);
    CHECK_THAT(*text, Catch::Contains("all of them were searched for passwords"));
}

TEST_CASE("Parts end with what the pipe held and carry their own findings", "[support][logpump]") {
    auto dir = RunDirectory::create("pump");
    REQUIRE(dir);
    auto child = startWriter("echo 'first Seed-Passw0rd-1' >&2; read x; echo 'second part' >&2");
    (void)child;
    // stdin is not piped: read returns at once, so the script prints both lines; what matters
    // is the split: ask for the part boundary only after the first line is there.
    LogPump pump(child.takeStderr(), dir->path() + "/a", 1 << 20, scannerFor("Seed-Passw0rd-1"));
    REQUIRE(child.waitUntil(deadlineIn(10s)));
    const LogPart first = pump.nextPart(dir->path() + "/b", scannerFor("Other-Passw0rd-2"));
    CHECK(first.findings.size() == 1);
    CHECK_THAT(first.tail, Catch::Contains("second part"));
    const LogPart second = pump.finish(deadlineIn(5s));
    CHECK(second.bytes == 0);
    CHECK(second.findings.empty());
}
