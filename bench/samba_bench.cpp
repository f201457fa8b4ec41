// Samba AD DC flavour benchmarks (issue 13's budgets): per scenario, with the template cached,
// copy + start + seed + stop of a DC, and the DC's memory; the same seed on the slapd flavour
// and starting `/bin/true` are the baselines measured in the same run. Provisioning the template
// (once per Samba version and recipe, then cached) is measured once, into a scratch cache.
#include "seed_users.hpp"

#include <wblab/fixture/samba.hpp>
#include <wblab/support/files.hpp>
#include <wblab/support/process.hpp>

#include <benchmark/benchmark.h>

#include <cstdlib>

namespace {

using wblab::fixture::DirectorySeed;

/// A typical scenario's directory: `users` users, the second locked out (by bad binds on
/// Samba), the third with must-change set, under a lockout policy.
DirectorySeed scenarioSeed(int users) {
    DirectorySeed seed = wblab::bench::seedWithUsers(users);
    seed.policy.lockoutThreshold = 3;
    if (users > 1) {
        seed.users[1].locked = true;
    }
    if (users > 2) {
        seed.users[2].mustChange = true;
    }
    return seed;
}

/// A value of /proc/<pid>/status in MiB ("VmRSS", "VmHWM"), 0 if unreadable.
double statusMiB(int pid, const std::string& key) {
    auto status = wblab::readFile("/proc/" + std::to_string(pid) + "/status");
    if (!status) {
        return 0;
    }
    auto at = status->find(key + ":");
    return at == std::string::npos ? 0 : std::atof(status->c_str() + at + key.size() + 1) / 1024;
}

/// Copy + start + seed + stop of a Samba DC, the template cached.
void sambaScenario(benchmark::State& state) {
    const auto seed = scenarioSeed(static_cast<int>(state.range(0)));
    if (auto ready = wblab::fixture::SambaFixture::prepareTemplate(seed.baseDn, {}); !ready) {
        state.SkipWithError(ready.error().message.c_str());
        return;
    }
    double rss = 0;
    double peak = 0;
    for (auto _ : state) {
        auto dc = wblab::fixture::SambaFixture::start(seed, {});
        if (!dc) {
            state.SkipWithError(dc.error().message.c_str());
            return;
        }
        rss += statusMiB((*dc)->pid(), "VmRSS");
        peak += statusMiB((*dc)->pid(), "VmHWM");
        (*dc)->stop();
    }
    const auto n = static_cast<double>(state.iterations());
    state.counters["dc_rss_MiB"] = rss / n;
    state.counters["dc_peak_rss_MiB"] = peak / n;
}

/// The same scenario on the slapd flavour (slapadd + slapd start + stop).
void slapdScenario(benchmark::State& state) {
    const auto seed = scenarioSeed(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto fx = wblab::fixture::SlapdFixture::start(seed, {});
        if (!fx) {
            state.SkipWithError(fx.error().message.c_str());
            return;
        }
        (*fx)->stop();
    }
}

/// Moving the lab clock on Samba: the libfaketime offset file is rewritten, no restart.
void sambaClockAdvance(benchmark::State& state) {
    auto dc = wblab::fixture::SambaFixture::start(scenarioSeed(1), {});
    if (!dc) {
        state.SkipWithError(dc.error().message.c_str());
        return;
    }
    for (auto _ : state) {
        if (auto r = (*dc)->advanceClock(60); !r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
    }
}

/// Provisioning the template into an empty cache: what the first Samba run on a machine pays.
void sambaProvision(benchmark::State& state) {
    for (auto _ : state) {
        auto cache = wblab::RunDirectory::create("samba-bench-cache");
        if (!cache) {
            state.SkipWithError(cache.error().message.c_str());
            return;
        }
        wblab::fixture::FixtureOptions options;
        options.cacheDir = cache->path();
        if (auto made =
                wblab::fixture::SambaFixture::prepareTemplate("dc=testlab,dc=example", options);
            !made) {
            state.SkipWithError(made.error().message.c_str());
            return;
        }
    }
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

BENCHMARK(sambaScenario)->Arg(0)->Arg(3)->Arg(10)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(slapdScenario)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(sambaClockAdvance)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(processBaseline)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(sambaProvision)
    ->Iterations(1)
    ->Repetitions(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_MAIN();
