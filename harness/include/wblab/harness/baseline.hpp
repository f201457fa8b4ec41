#pragma once
// File: baseline.hpp
//
// Expected-failure baselines: a file per agent that lists the scenarios it is known to fail. A
// listed scenario that fails is an expected failure; one that passes is an unexpected pass; an
// entry that names no bundled scenario is stale. Unexpected passes and stale entries fail the
// run, so a baseline can only shrink.
//
//   auto baseline = loadBaseline("baselines/bash-agent.yaml");
//   applyBaseline(*baseline, allScenarioIds, run);

#include <wblab/report/run_result.hpp>
#include <wblab/support/expected.hpp>

#include <string>
#include <vector>

namespace wblab::harness {

struct BaselineEntry {
    std::string scenario;
    std::string reason;
    int line = 0;
};

struct Baseline {
    std::string file;
    std::vector<BaselineEntry> entries;
};

/// Reads a baseline file; unknown keys and missing fields are errors with file:line:column.
Expected<Baseline> loadBaseline(const std::string& path);

/// Turns listed failures into expected failures and listed passes into unexpected passes, and
/// records entries that name none of `knownScenarioIds` in run.baselineProblems.
void applyBaseline(const Baseline& baseline,
                   const std::vector<std::string>& knownScenarioIds,
                   report::RunResult& run);

}  // namespace wblab::harness
