#pragma once
// File: suite.hpp
//
// The suite policy between the command line and the runner: which files make the suite (every
// load error collected, not just the first), which scenarios a run takes (selection, shard),
// the catalog a run is judged against, and the expected-failure baseline that turns a known
// failure into expected-fail and a stale entry into a failed run.
//
//   auto suite = prepareSuite({.paths = {"scenarios"}, .selection = sel});
//   if (!suite) { for (auto& e : suite.error()) ...; return 2; }
//   report::RunResult run = runSuite(*suite, options, &std::cout);

#include <wblab/harness/runner.hpp>
#include <wblab/harness/selection.hpp>
#include <wblab/report/run_result.hpp>
#include <wblab/scenario/baseline.hpp>
#include <wblab/scenario/catalog.hpp>
#include <wblab/scenario/model.hpp>
#include <wblab/support/expected.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace wblab::harness {

/// Every scenario under `paths`, or every error met on the way (one per bad file).
struct Loaded {
    std::vector<scenario::Scenario> scenarios;
    std::vector<Error> errors;

    bool ok() const { return errors.empty(); }
};

/// Loads files and directories (see collectScenarioFiles); an empty result is an error too.
Loaded loadScenarioPaths(const std::vector<std::string>& paths);

struct SuiteRequest {
    std::vector<std::string> paths;
    Selection selection;
    std::string baselinePath;  ///< empty: no baseline
};

struct Suite {
    std::vector<scenario::Scenario> all;       ///< every scenario the paths hold
    std::vector<scenario::Scenario> selected;  ///< what the run takes
    std::optional<scenario::Baseline> baseline;
};

/// Loads, selects and reads the baseline. The errors are for the user (exit status 2).
struct Prepared {
    std::optional<Suite> suite;
    std::vector<Error> errors;
};

Prepared prepareSuite(const SuiteRequest& request);

/// Runs the selected scenarios, then attaches the built-in catalog and applies the baseline.
report::RunResult runSuite(const Suite& suite, const RunOptions& options, std::ostream* progress);

/// Runs the suite on each directory flavour in turn (options.directory is ignored) and joins the
/// results into one differential run: cases ordered by scenario, then flavour, so that the
/// reports can compare each scenario's checks across flavours (report::divergencesOf). Stops
/// after the flavour an interrupt stopped.
report::RunResult runSuiteOn(const Suite& suite,
                             const RunOptions& options,
                             const std::vector<DirectoryFlavour>& flavours,
                             std::ostream* progress);

/// Copies the catalog into a run's result, so that reports can group and roll up.
void attachCatalog(const scenario::Catalog& catalog, report::RunResult& run);

/// Turns listed failures into expected failures and listed passes into unexpected passes, and
/// records entries that name none of `knownScenarioIds` in run.baselineProblems.
void applyBaseline(const scenario::Baseline& baseline,
                   const std::vector<std::string>& knownScenarioIds,
                   report::RunResult& run);

}  // namespace wblab::harness
