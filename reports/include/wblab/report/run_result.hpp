#pragma once
// File: run_result.hpp
//
// The result model of a finished run, and the report writers. Writers are pure functions of a
// RunResult: they see verdicts and checks, never scenarios or processes. Nothing in a RunResult
// carries a password: checks describe credentials by role ("the new password"), never by value.
//
//   RunResult run = runner.run(...);
//   std::string xml = toJUnitXml(run);
//   printSummary(run, std::cout);

#include <wblab/support/expected.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace wblab::report {

/// lit's result vocabulary; isFailure() decides the exit code.
enum class Verdict { Pass, Fail, XFail, XPass, Timeout, Unresolved, Unsupported };

const char* toString(Verdict verdict);
bool isFailure(Verdict verdict);
/// Every verdict, in report order.
const std::vector<Verdict>& allVerdicts();

struct CheckOutcome {
    std::string name;  ///< e.g. "step 1: outcome", "alice: new password binds"
    bool passed = false;
    std::string expected;
    std::string observed;
};

struct CaseResult {
    std::string id;
    std::string title;
    std::string file;
    std::vector<std::string> criteria;
    Verdict verdict = Verdict::Unresolved;
    std::string message;  ///< one line: why it did not pass
    std::vector<CheckOutcome> checks;
    std::vector<std::string> timeline;  ///< cloud → agent → directory, in order
    std::uint64_t seed = 0;             ///< the scenario's seed, derived from the run's
    double durationMs = 0;
};

/// A criterion of the catalog (criteria/catalog.yaml) as the reports show it.
struct CriterionInfo {
    std::string id;
    std::string title;
    std::string level;  ///< required | recommended
    std::string exitCriterion;
    std::string source;  ///< DOMAIN.md section
};

/// An exit criterion of the Microsoft 365 identity phase; criteria roll up into one of them.
struct ExitCriterionInfo {
    std::string id;
    std::string title;
};

struct RunResult {
    std::string toolVersion;
    std::uint64_t seed = 0;
    std::string agent;
    std::string startedAt;
    double durationMs = 0;
    bool interrupted = false;  ///< stopped by SIGINT/SIGTERM before every scenario had run
    /// Stale expected-failure entries; any of them fails the run.
    std::vector<std::string> baselineProblems;
    std::vector<CaseResult> cases;
    /// The catalog the run was judged against; empty for a run without one (criteria are then
    /// bare ids, in id order).
    std::vector<ExitCriterionInfo> exitCriteria;
    std::vector<CriterionInfo> catalog;

    bool anyFailure() const;
};

/// JUnit XML: one <testsuite> per criterion (a scenario's first), one <testcase> per scenario,
/// its classname "exit-criterion.criterion" so that CI views group by exit criterion too.
std::string toJUnitXml(const RunResult& run);

/// report.json: the whole run as data (schemaVersion 2; docs/reports.md). Keys keep their order,
/// scenarios keep the run's order, so two runs with the same seed differ only in timings.
std::string toJson(const RunResult& run);

/// Reads a report.json back (schemaVersion 1 or 2). Unknown fields are ignored.
Expected<RunResult> fromJson(const std::string& text);

/// Joins the reports of the shards of one run (same seed and agent) into one report; scenarios
/// are ordered by file. Shards from different runs, or a scenario in two shards, are errors.
Expected<RunResult> mergeRuns(const std::vector<RunResult>& shards);

/// report.html: one self-contained page that opens offline (no script, no external resource).
std::string toHtml(const RunResult& run);

/// summary.md: a short Markdown summary for a CI job page (criteria table, failures).
std::string toMarkdown(const RunResult& run);

/// One verdict per criterion: fail when any scenario covering it fails; not-run when no scenario
/// of the run covers it (or every one was unsupported); else pass.
struct CriterionResult {
    CriterionInfo info;
    std::string id;
    std::string verdict;  ///< pass | fail | not-run
    bool failed = false;
    std::vector<std::string> scenarios;
    int passed = 0;
    int failedCount = 0;
};

/// Every catalog criterion in catalog order, then ids that scenarios name but the catalog does
/// not (exit criterion "uncategorised"); without a catalog, the named ids in id order.
std::vector<CriterionResult> criteriaOf(const RunResult& run);

/// An exit criterion rolled up from its criteria: fail when a required criterion fails, warn
/// when only recommended ones fail, not-run when none of its criteria ran, else pass.
struct ExitCriterionResult {
    ExitCriterionInfo info;
    std::string verdict;  ///< pass | warn | fail | not-run
    int passed = 0;
    int notRun = 0;
    std::vector<std::string> failedRequired;
    std::vector<std::string> failedRecommended;
    std::vector<std::string> criteria;
};

std::vector<ExitCriterionResult> exitCriteriaOf(const RunResult& run);

/// A console summary: one line per scenario, then totals.
void printSummary(const RunResult& run, std::ostream& out);

/// Escapes text for XML 1.0 and drops the control characters that XML 1.0 forbids.
std::string xmlEscape(const std::string& text);

}  // namespace wblab::report
