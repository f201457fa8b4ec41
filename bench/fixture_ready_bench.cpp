// Fixture benchmarks (DESIGN.md §8): how long until a fixture is ready (slapadd of the seed,
// slapd start, first accepted connection), how long a clock advance takes (slapd restarted under
// libfaketime), the ways of giving a used fixture its seed back (reseed over LDAP, an mdb
// environment swapped, slapadd again) against starting afresh, and seeding 100,000 users.
// Baselines measured in the same run: the same fixture with no users, and starting one trivial
// process.
#include "seed_users.hpp"

#include <wblab/fixture/directory.hpp>
#include <wblab/support/process.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <sys/resource.h>

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

/// Moving the lab clock: slapd restarted under libfaketime with a later offset.
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
BENCHMARK(processBaseline)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(seedLargeDirectory)
    ->Arg(100000)
    ->Iterations(1)
    ->Repetitions(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_MAIN();
