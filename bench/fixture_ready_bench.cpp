// How long until a fixture is ready: slapadd of the seed, slapd start, first accepted connection,
// and stop. The baselines, measured in the same run, are the same fixture with no users and the
// cost of starting and reaping one trivial process.
#include <wblab/fixture/directory.hpp>
#include <wblab/support/process.hpp>

#include <benchmark/benchmark.h>

namespace {

wblab::fixture::DirectorySeed seedWith(int users) {
    wblab::fixture::DirectorySeed seed;
    for (int i = 0; i < users; ++i) {
        auto n = std::to_string(i);
        seed.users.push_back({.samAccountName = "user" + n,
                              .upn = "user" + n + "@testlab.example",
                              .displayName = "",
                              .anchor = "",
                              .password = "Seed-Passw0rd-" + n,
                              .locked = false,
                              .mustChange = false});
    }
    return seed;
}

void fixtureReady(benchmark::State& state) {
    const auto seed = seedWith(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto fx = wblab::fixture::SlapdFixture::start(seed, {});
        if (!fx) {
            state.SkipWithError(fx.error().message.c_str());
            return;
        }
        state.PauseTiming();
        (*fx)->stop();
        state.ResumeTiming();
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

BENCHMARK(fixtureReady)->Arg(0)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(processBaseline)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
