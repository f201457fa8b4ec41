#pragma once
// File: baseline.hpp
//
// Expected-failure baselines (docs/scenario-language.md): a file per agent that lists the
// scenarios it is known to fail. The harness applies it to a run's verdicts.
//
//   auto baseline = loadBaseline("baselines/bash-agent.yaml");

#include <wblab/support/expected.hpp>

#include <string>
#include <vector>

namespace wblab::scenario {

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

}  // namespace wblab::scenario
