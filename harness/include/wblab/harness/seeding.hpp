#pragma once
// File: seeding.hpp
//
// Where a run's seed comes from. `--seed N` says it outright. Without it, the shards of one CI
// run must still agree on it, or their reports cannot be merged: the seed is then derived from a
// run id, given with `--run-id` or read from the CI system's own variable for the pipeline run
// (GitHub Actions' GITHUB_RUN_ID, GitLab's CI_PIPELINE_ID, ...: ciRunIdVariables()). Outside CI,
// with neither, the seed comes from the clock.
//
//   auto chosen = chooseSeed(std::nullopt, "", [](const char* n) { return std::getenv(n); });
//   std::cout << "wblab: seed " << chosen.seed << " (" << chosen.source << ")\n";

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wblab::harness {

/// The CI variables that name one pipeline run (the same in every job and shard of it), in the
/// order they are looked for.
const std::vector<std::string>& ciRunIdVariables();

/// The seed of a run id: the same id gives the same seed on every machine (`--run-id 42` and
/// GITHUB_RUN_ID=42 too).
std::uint64_t seedOfRunId(const std::string& runId);

struct SeedChoice {
    std::uint64_t seed = 0;
    std::string runId;   ///< the run id the seed derives from ("" for --seed and the clock)
    std::string source;  ///< for the console: "--seed", "--run-id", "GITHUB_RUN_ID", "clock"
};

/// --seed, else --run-id, else the first CI variable set in `env`, else the clock (`now`).
SeedChoice chooseSeed(std::optional<std::uint64_t> seed,
                      const std::string& runId,
                      const std::function<const char*(const char*)>& env,
                      std::uint64_t now);

}  // namespace wblab::harness
