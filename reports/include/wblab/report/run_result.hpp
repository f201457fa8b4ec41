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
    double durationMs = 0;
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

    bool anyFailure() const;
};

/// JUnit XML: one <testsuite> per criterion (a scenario's first), one <testcase> per scenario.
std::string toJUnitXml(const RunResult& run);

/// report.json: the whole run as data (schemaVersion 1; docs/reports.md). Keys keep their order,
/// scenarios keep the run's order, so two runs with the same seed differ only in timings.
std::string toJson(const RunResult& run);

/// Reads a report.json back (schemaVersion 1). Unknown fields are ignored.
Expected<RunResult> fromJson(const std::string& text);

/// Joins the reports of the shards of one run (same seed and agent) into one report; scenarios
/// are ordered by file. Shards from different runs, or a scenario in two shards, are errors.
Expected<RunResult> mergeRuns(const std::vector<RunResult>& shards);

/// report.html: one self-contained page that opens offline (no script, no external resource).
std::string toHtml(const RunResult& run);

/// summary.md: a short Markdown summary for a CI job page (criteria table, failures).
std::string toMarkdown(const RunResult& run);

/// One verdict per criterion: fail when any scenario covering it fails, else pass.
struct CriterionResult {
    std::string id;
    bool failed = false;
    std::vector<std::string> scenarios;
    int passed = 0;
    int failedCount = 0;
};

std::vector<CriterionResult> criteriaOf(const RunResult& run);

/// A console summary: one line per scenario, then totals.
void printSummary(const RunResult& run, std::ostream& out);

/// Escapes text for XML 1.0 and drops the control characters that XML 1.0 forbids.
std::string xmlEscape(const std::string& text);

}  // namespace wblab::report
