// The suite policy (suite.hpp): loading, selection, catalog and baseline around a run.
#include <wblab/harness/suite.hpp>
#include <wblab/scenario/loader.hpp>

#include <algorithm>

namespace wblab::harness {

Loaded loadScenarioPaths(const std::vector<std::string>& paths) {
    Loaded loaded;
    auto files = scenario::collectScenarioFiles(paths);
    if (!files) {
        loaded.errors.push_back(files.error());
        return loaded;
    }
    if (files->empty()) {
        loaded.errors.push_back(makeError(ErrorCode::NotFound, "no scenario files (*.yaml) found"));
        return loaded;
    }
    for (const auto& f : *files) {
        auto s = scenario::loadScenarios(f);
        if (!s) {
            loaded.errors.push_back(s.error());
            continue;
        }
        for (auto& one : *s) {
            loaded.scenarios.push_back(std::move(one));
        }
    }
    return loaded;
}

Prepared prepareSuite(const SuiteRequest& request) {
    Prepared prepared;
    auto loaded = loadScenarioPaths(request.paths);
    if (!loaded.ok()) {
        prepared.errors = std::move(loaded.errors);
        return prepared;
    }
    Suite suite;
    suite.all = std::move(loaded.scenarios);
    auto chosen = selectScenarios(suite.all, request.selection);
    if (!chosen) {
        prepared.errors.push_back(chosen.error());
        return prepared;
    }
    if (chosen->empty()) {
        prepared.errors.push_back(
            makeError(ErrorCode::InvalidInput, "no scenario matches the selection"));
        return prepared;
    }
    suite.selected = std::move(*chosen);
    if (!request.baselinePath.empty()) {
        auto baseline = scenario::loadBaseline(request.baselinePath);
        if (!baseline) {
            prepared.errors.push_back(baseline.error());
            return prepared;
        }
        suite.baseline = std::move(*baseline);
    }
    prepared.suite = std::move(suite);
    return prepared;
}

report::RunResult runSuite(const Suite& suite, const RunOptions& options, std::ostream* progress) {
    auto run = runScenarios(suite.selected, options, progress);
    if (const auto& catalog = scenario::builtinCatalog()) {
        attachCatalog(*catalog, run);
    }
    if (suite.baseline) {
        std::vector<std::string> known;
        for (const auto& s : suite.all) {
            known.push_back(s.id);
        }
        applyBaseline(*suite.baseline, known, run);
    }
    return run;
}

report::RunResult runSuiteOn(const Suite& suite,
                             const RunOptions& options,
                             const std::vector<DirectoryFlavour>& flavours,
                             std::ostream* progress) {
    std::vector<report::RunResult> runs;
    for (auto flavour : flavours) {
        RunOptions one = options;
        one.directory = flavour;
        if (progress != nullptr && flavours.size() > 1) {
            *progress << "wblab: on " << toString(flavour) << "\n" << std::flush;
        }
        runs.push_back(runSuite(suite, one, progress));
        if (runs.back().interrupted) {
            break;
        }
    }
    report::RunResult joined = runs.front();
    joined.cases.clear();
    joined.directories.clear();
    joined.durationMs = 0;
    for (auto flavour : flavours) {
        joined.directories.emplace_back(toString(flavour));
    }
    for (const auto& run : runs) {
        joined.durationMs += run.durationMs;  // one flavour after the other
        joined.interrupted = joined.interrupted || run.interrupted;
    }
    // Scenario by scenario, each followed by its runs on the other flavours.
    for (std::size_t i = 0; i < runs.front().cases.size(); ++i) {
        for (const auto& run : runs) {
            if (i < run.cases.size()) {
                joined.cases.push_back(run.cases[i]);
            }
        }
    }
    return joined;
}

void attachCatalog(const scenario::Catalog& catalog, report::RunResult& run) {
    run.exitCriteria.clear();
    run.catalog.clear();
    for (const auto& e : catalog.exitCriteria) {
        run.exitCriteria.push_back({e.id, e.title});
    }
    for (const auto& c : catalog.criteria) {
        run.catalog.push_back({c.id, c.title, c.level, c.exitCriterion, c.source});
    }
}

void applyBaseline(const scenario::Baseline& baseline,
                   const std::vector<std::string>& knownScenarioIds,
                   report::RunResult& run) {
    using report::Verdict;
    for (const auto& entry : baseline.entries) {
        if (std::find(knownScenarioIds.begin(), knownScenarioIds.end(), entry.scenario) ==
            knownScenarioIds.end()) {
            run.baselineProblems.push_back(baseline.file + ":" + std::to_string(entry.line) +
                                           ": stale entry: no scenario '" + entry.scenario + "'");
            continue;
        }
        for (auto& c : run.cases) {
            if (c.id != entry.scenario) {
                continue;
            }
            if (c.verdict == Verdict::Fail || c.verdict == Verdict::Timeout) {
                c.verdict = Verdict::XFail;
                c.message = "expected failure (" + entry.reason + "): " + c.message;
            } else if (c.verdict == Verdict::Pass) {
                c.verdict = Verdict::XPass;
                c.message = "listed as an expected failure in " + baseline.file +
                            " but passed: remove the entry";
            }
        }
    }
}

}  // namespace wblab::harness
