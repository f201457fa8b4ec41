// Fixture benchmarks (DESIGN.md §8): how long until a fixture is ready (slapadd of the seed,
// slapd start, first accepted connection), how long a clock advance takes (a store into the file
// slapd's preloaded clock reads; a restart before), what slapd's preloaded clock costs an
// operation (binds and password changes, against the same slapd started without it), the ways of
// giving a used fixture its seed back (reseed over LDAP, an mdb environment swapped, slapadd
// again) against starting afresh, and seeding 100,000 users. Baselines measured in the same run:
// the same fixture with no users, slapd without the clock, and starting one trivial process.
#include "seed_users.hpp"

#include <wblab/fixture/directory.hpp>
#include <wblab/support/process.hpp>

#include <benchmark/benchmark.h>
#include <ldap.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

namespace {

wblab::fixture::DirectorySeed seedWith(int users) {
    return wblab::bench::seedWithUsers(users);
}

std::unique_ptr<wblab::fixture::SlapdFixture> startOrSkip(
    benchmark::State& state, const wblab::fixture::DirectorySeed& seed) {
    auto fx = wblab::fixture::SlapdFixture::start(seed, {});
    if (!fx) {
        state.SkipWithError(fx.error().message.c_str());
        return nullptr;
    }
    return std::move(*fx);
}

/// Fresh fixture per scenario: seed, start, (stop excluded from the timing).
void fixtureReady(benchmark::State& state) {
    const auto seed = seedWith(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto fx = startOrSkip(state, seed);
        if (!fx) {
            return;
        }
        state.PauseTiming();
        fx->stop();
        state.ResumeTiming();
    }
}

/// Stopping a fixture at the end of a scenario: slapd stopped and the run directory removed.
void fixtureStop(benchmark::State& state) {
    const auto seed = seedWith(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        state.PauseTiming();
        auto fx = startOrSkip(state, seed);
        if (!fx) {
            return;
        }
        state.ResumeTiming();
        fx->stop();
    }
}

/// Reusing one fixture: put the seeded state back (slapd restart on a reloaded database).
void fixtureRestore(benchmark::State& state) {
    const auto seed = seedWith(static_cast<int>(state.range(0)));
    auto fx = startOrSkip(state, seed);
    if (!fx) {
        return;
    }
    for (auto _ : state) {
        if (auto r = fx->restoreSeed(); !r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
    }
}

/// Reusing one fixture the way a worker does: the tree replaced over LDAP as the root DN, no
/// process started (SlapdFixture::reseed, what `wblab run` does between scenarios).
void fixtureReseed(benchmark::State& state) {
    const auto seed = seedWith(static_cast<int>(state.range(0)));
    auto fx = startOrSkip(state, seed);
    if (!fx) {
        return;
    }
    for (auto _ : state) {
        if (auto r = fx->reseed(seed, {}); !r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
    }
}

/// Reusing one fixture by swapping the mdb environment: slapd stopped, the seeded data.mdb
/// copied back over the used one, slapd started (one process start instead of two).
void fixtureMdbSwap(benchmark::State& state) {
    namespace fs = std::filesystem;
    auto fx = startOrSkip(state, seedWith(static_cast<int>(state.range(0))));
    if (!fx) {
        return;
    }
    const fs::path data = fs::path(fx->runDirectory()) / "db" / "data.mdb";
    const fs::path pristine = fs::path(fx->runDirectory()) / "seeded.mdb";
    fx->stopServer();
    fs::copy_file(data, pristine);
    for (auto _ : state) {
        fx->stopServer();
        fs::copy_file(pristine, data, fs::copy_options::overwrite_existing);
        if (auto r = fx->startServer(); !r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
    }
}

/// Moving the lab clock: the later lead stored into the clock file slapd reads (no restart).
void clockAdvance(benchmark::State& state) {
    auto fx = startOrSkip(state, seedWith(100));
    if (!fx) {
        return;
    }
    for (auto _ : state) {
        if (auto r = fx->advanceClock(86400); !r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
    }
}

/// One LDAP session as `dn` on `url`, or null.
LDAP* boundSession(const std::string& url, const std::string& dn, const std::string& password) {
    LDAP* ld = nullptr;
    if (ldap_initialize(&ld, url.c_str()) != LDAP_SUCCESS) {
        return nullptr;
    }
    int version = LDAP_VERSION3;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    berval cred{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
    if (ldap_sasl_bind_s(ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr) !=
        LDAP_SUCCESS) {
        ldap_unbind_ext_s(ld, nullptr, nullptr);
        return nullptr;
    }
    return ld;
}

/// The fixture's slapd.conf and database served by a slapd started here, without the preloaded
/// clock: the baseline of slapdOperations. Null (and the state skipped) if it does not answer.
std::optional<wblab::Process> slapdWithoutClock(benchmark::State& state,
                                                wblab::fixture::SlapdFixture& fx) {
    fx.stopServer();
    wblab::ProcessSpec spec;
    // As the fixture starts it (slapd_fixture.cpp), less the preload.
    spec.argv = {
        "/usr/sbin/slapd", "-d", "stats", "-f", fx.runDirectory() + "/slapd.conf", "-h", fx.url()};
    spec.stdoutPath = fx.runDirectory() + "/slapd-without-clock.log";
    spec.stderrPath = spec.stdoutPath;
    spec.env = {{"PATH", "/usr/sbin:/usr/bin:/bin"}};
    spec.maxOpenFiles = 1024;  // slapd_fixture.cpp's kSlapdMaxOpenFiles
    auto child = wblab::Process::start(spec);
    if (!child) {
        state.SkipWithError(child.error().message.c_str());
        return std::nullopt;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (LDAP* ld = boundSession(fx.url(), fx.adminDn(), fx.adminPassword())) {
            ldap_unbind_ext_s(ld, nullptr, nullptr);
            return std::move(*child);
        }
        child->waitUntil(std::chrono::steady_clock::now() + std::chrono::milliseconds(5));
    }
    state.SkipWithError("slapd without the clock did not answer");
    return std::nullopt;
}

/// CPU seconds (user + system) the slapd serving `runDirectory` has used: its pid from the pid
/// file slapd.conf names, its times from /proc. Negative when either cannot be read.
double slapdCpuSeconds(const std::string& runDirectory) {
    int pid = 0;
    std::ifstream(runDirectory + "/slapd.pid") >> pid;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (pid <= 0 || !std::getline(stat, line) || line.rfind(')') == std::string::npos) {
        return -1;
    }
    // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) {
        fields >> skip;
    }
    double utime = 0;
    double stime = 0;
    fields >> utime >> stime;
    return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// What slapd's preloaded clock costs an operation: per iteration one bind and one password
/// change (Password Modify with the old password) by a user, on one session. Arg 1: slapd as the
/// fixture runs it, with the clock; arg 0: the same slapd.conf and database without it.
void slapdOperations(benchmark::State& state) {
    auto fx = startOrSkip(state, seedWith(1));
    if (!fx) {
        return;
    }
    std::optional<wblab::Process> bare;
    if (state.range(0) == 0 && !(bare = slapdWithoutClock(state, *fx))) {
        return;
    }
    std::string user = fx->userDn("user0");
    std::string passwords[2] = {"Seed-Passw0rd-0", "Other-Passw0rd-1"};
    LDAP* ld = boundSession(fx->url(), user, passwords[0]);
    if (ld == nullptr) {
        state.SkipWithError("the user did not bind");
        return;
    }
    int current = 0;
    const double cpuBefore = slapdCpuSeconds(fx->runDirectory());
    for (auto _ : state) {
        berval dn{static_cast<ber_len_t>(user.size()), user.data()};
        berval oldPw{static_cast<ber_len_t>(passwords[current].size()), passwords[current].data()};
        berval newPw{static_cast<ber_len_t>(passwords[1 - current].size()),
                     passwords[1 - current].data()};
        berval generated{0, nullptr};
        if (ldap_sasl_bind_s(
                ld, user.c_str(), LDAP_SASL_SIMPLE, &oldPw, nullptr, nullptr, nullptr) !=
                LDAP_SUCCESS ||
            ldap_passwd_s(ld, &dn, &oldPw, &newPw, &generated, nullptr, nullptr) != LDAP_SUCCESS) {
            state.SkipWithError("a bind or a password change failed");
            break;
        }
        ber_memfree(generated.bv_val);
        current = 1 - current;
    }
    const double cpuAfter = slapdCpuSeconds(fx->runDirectory());
    if (cpuBefore >= 0 && cpuAfter >= 0) {
        // slapd's own CPU per iteration, in microseconds: steadier than wall time on a shared
        // machine (clock ticks of 10 ms: run a second or more).
        state.counters["slapd_cpu_us"] = benchmark::Counter(
            (cpuAfter - cpuBefore) * 1e6 / static_cast<double>(state.iterations()));
    }
    ldap_unbind_ext_s(ld, nullptr, nullptr);
    if (bare) {
        bare->stop(std::chrono::milliseconds(0));
    }
}

/// 100,000 users: seed and start once; reports the peak RSS of wblab and of its children.
void seedLargeDirectory(benchmark::State& state) {
    fixtureReady(state);
    rusage self{};
    rusage children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    state.counters["peak_rss_self_MiB"] = static_cast<double>(self.ru_maxrss) / 1024.0;
    state.counters["peak_rss_child_MiB"] = static_cast<double>(children.ru_maxrss) / 1024.0;
}

void processBaseline(benchmark::State& state) {
    wblab::ProcessSpec spec;
    spec.argv = {"/bin/true"};
    for (auto _ : state) {
        auto status = wblab::runProcess(spec, std::chrono::milliseconds(5000));
        benchmark::DoNotOptimize(status);
    }
}

}  // namespace

BENCHMARK(fixtureReady)->Arg(0)->Arg(3)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(fixtureStop)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(fixtureRestore)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(fixtureReseed)->Arg(3)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(fixtureMdbSwap)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(clockAdvance)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(slapdOperations)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(processBaseline)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(seedLargeDirectory)
    ->Arg(100000)
    ->Iterations(1)
    ->Repetitions(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_MAIN();
