#pragma once
// File: loader.hpp
//
// Reading scenario files: one scenario, or one per row of its `matrix:` (ids like
// `0042_x[min_length=8]`), with `include:` files merged in first and storms expanded. The loader
// is strict: unknown keys, wrong types, bad references and expectations that name no criterion
// are errors with file:line:column and the key path.
//
//   auto scenario = loadScenario("scenarios/conformance/0001_sspr_reset_synced_user.yaml");
//   if (!scenario) { std::cerr << scenario.error().describe() << "\n"; return 2; }

#include <wblab/scenario/model.hpp>
#include <wblab/support/expected.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace wblab::scenario {

/// A file's scenarios (one per matrix row), or every error found in it: each bad step, section,
/// key or row, and for a YAML syntax error its likely causes (a tab in the indentation, a line
/// indented to no block, a missing colon), each at its own file:line:column. At most 20 errors
/// are kept; a last one says how many more there were.
struct FileLoad {
    std::vector<Scenario> scenarios;
    std::vector<Error> errors;
};

FileLoad loadScenarioFile(const std::string& path);

/// Loads and validates one scenario file (every row of its matrix); the first error only.
Expected<std::vector<Scenario>> loadScenarios(const std::string& path);

/// Loads a file that holds exactly one scenario (no matrix, or a matrix of one row).
Expected<Scenario> loadScenario(const std::string& path);

/// Expands files and directories (recursively, *.yaml and *.yml, sorted) into scenario paths.
/// Inside directories, files whose name starts with '_' are shared setup, not scenarios.
Expected<std::vector<std::string>> collectScenarioFiles(const std::vector<std::string>& paths);

/// Writes the scenario in plain words (setup, steps, expectations and the criterion each is
/// evidence for); passwords are never shown.
void explainScenario(const Scenario& scenario, std::ostream& out);

}  // namespace wblab::scenario
