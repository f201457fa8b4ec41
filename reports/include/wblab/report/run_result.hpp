#pragma once
// File: run_result.hpp
//
// The result model of a finished run, and the report writers. Writers are pure functions of a
// RunResult: they see verdicts and checks, never scenarios or processes. Every check names the
// catalog criterion it is evidence for, and a criterion's verdict is computed from its own checks
// only (earned verdicts); a scenario passes or fails as a whole. Nothing in a RunResult carries a
// password: checks describe credentials by role ("the new password"), never by value.
//
//   RunResult run = runner.run(...);
//   std::string xml = toJUnitXml(run);
//   printSummary(run, std::cout);

#include <wblab/support/expected.hpp>

#include <cstddef>
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

/// One check: what was compared, for which criterion, and whether it held.
struct CheckOutcome {
    std::string criterion;  ///< the catalog criterion this check is evidence for
    std::string what;       ///< e.g. "step 1: outcome", "alice: the seeded password binds"
    std::string expected;
    std::string observed;
    bool passed = false;
    /// False when the check could not be made: the agent never answered the request whose
    /// answer it compares (a hang or a crash). Such a check fails.
    bool made = true;
};

struct CaseResult {
    std::string id;
    std::string title;
    std::string file;
    /// What a support engineer sees (the scenario's `symptom:`); empty when it states none.
    std::string symptom;
    /// The criteria the scenario covers (declared, and named by its expectations); its checks
    /// may also be evidence for the criteria the harness checks everywhere.
    std::vector<std::string> criteria;
    Verdict verdict = Verdict::Unresolved;
    std::string message;  ///< one line: why it did not pass
    std::vector<CheckOutcome> checks;
    std::vector<std::string> timeline;  ///< cloud → agent → directory, in order
    /// Things a reader should know that are no check's verdict (an unknown capability the agent
    /// declared, say).
    std::vector<std::string> warnings;
    std::uint64_t seed = 0;  ///< the scenario's seed, derived from the run's
    double durationMs = 0;
    /// Of durationMs, the time its steps took; the rest is its overhead (the directory and the
    /// agent made ready, the tenant built, the end checks, the teardown).
    double stepsMs = 0;
    std::string startedAt;  ///< UTC, ISO 8601 with milliseconds (JUnit timestamps); may be empty
    /// Position in the run's selection before sharding: merged shards are put back in this
    /// order. -1 when unknown (reports from before it was recorded).
    std::int64_t position = -1;
    /// The last lines the agent wrote on stderr during the scenario, secrets redacted.
    std::string agentStderr;
    /// The scenario's run directory when --keep kept it (named after the scenario), else empty.
    std::string keptDirectory;
    /// A command line that runs this scenario again as it ran here (same seed, agent, directory).
    std::string rerun;
    /// The directory flavour it ran on ("slapd", "samba"); a differential run has a case per
    /// scenario and flavour.
    std::string directory;
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
    /// What the seed was derived from when no --seed was given: --run-id or a CI variable
    /// (docs/ci.md); shards of one run share it. Empty when the seed was given or time-derived.
    std::string runId;
    std::string shard;  ///< "K/N" for one shard of a run, empty for a whole run
    /// --max-failures: the run stopped taking scenarios after this many failed (0: no limit).
    std::size_t maxFailures = 0;
    /// Selected scenarios that did not run because --max-failures was reached, in order.
    std::vector<std::string> notRun;
    /// Stale expected-failure entries; any of them fails the run.
    std::vector<std::string> baselineProblems;
    std::vector<CaseResult> cases;
    /// The directory flavours the run used, in the order given; two or more make a differential
    /// run, whose cases are ordered by scenario, then flavour.
    std::vector<std::string> directories;
    /// The catalog the run was judged against; empty for a run without one (criteria are then
    /// bare ids, in id order).
    std::vector<ExitCriterionInfo> exitCriteria;
    std::vector<CriterionInfo> catalog;

    bool anyFailure() const;

    /// More than one directory flavour: reports name each case's flavour.
    bool differential() const { return directories.size() > 1; }
};

/// How reports name a case: its id, and in a differential run its flavour ("0001_x on samba").
std::string caseLabel(const RunResult& run, const CaseResult& c);

/// One flavour's side of a divergence.
struct DivergenceSide {
    std::string directory;
    std::string verdict;   ///< the scenario's verdict there
    std::string check;     ///< "passed", "failed", "not made", "absent" (no such check)
    std::string observed;  ///< the check's observed value, or the scenario's message
};

/// Where the directory flavours of a differential run disagree about one scenario: a check that
/// held on one and not on another (or was made on one only), or the scenario's verdict when no
/// check explains it. Declared when a flavour could not run the scenario at all (unsupported:
/// a documented difference from AD, or an agent that does not write to that flavour).
struct Divergence {
    std::string scenario;
    std::string criterion;  ///< the check's criterion; empty for a verdict-only divergence
    std::string what;       ///< the check, or "verdict"
    std::vector<DivergenceSide> sides;
    bool declared = false;
    std::string reason;  ///< for a declared divergence: why the flavour did not run it
};

/// Every divergence of a differential run, in scenario order; empty for a run on one flavour.
std::vector<Divergence> divergencesOf(const RunResult& run);

/// True when some divergence is not declared: the run then fails.
bool anyUndeclaredDivergence(const std::vector<Divergence>& divergences);

/// JUnit XML: one <testsuite> per criterion, one <testcase> per scenario with checks of that
/// criterion (classname "exit-criterion.criterion", so that CI views group by exit criterion
/// too); a failed testcase lists that criterion's failed checks, so JUnit and report.json agree.
std::string toJUnitXml(const RunResult& run);

/// report.json: the whole run as data (schemaVersion 3; docs/reports.md). Keys keep their order,
/// scenarios keep the run's order, so two runs with the same seed differ only in timings.
std::string toJson(const RunResult& run);

/// Reads a report.json back (schemaVersion 3; 1 and 2, whose checks carry no criterion, are
/// refused). Unknown fields are ignored.
Expected<RunResult> fromJson(const std::string& text);

/// Joins the reports of the shards of one run into one report, the scenarios in the order of the
/// whole run (CaseResult::position). Shards from different runs are an error that names every
/// field that differs (seed, run id, agent, version, shard count) and the reports (`names`,
/// else "report N") that disagree; so is a scenario in two shards.
Expected<RunResult> mergeRuns(const std::vector<RunResult>& shards,
                              const std::vector<std::string>& names = {});

/// report.html: one self-contained page that opens offline (no script, no external resource).
std::string toHtml(const RunResult& run);

/// summary.md: a short Markdown summary for a CI job page (criteria table, failures).
std::string toMarkdown(const RunResult& run);

/// A check as it counts for a criterion: the scenario it was made in, and whether its failure
/// was expected (the scenario is in the run's baseline).
struct CriterionCheck {
    std::string scenario;
    const CheckOutcome* check = nullptr;
    bool expectedFailure = false;
};

/// One verdict per criterion, earned from its own checks: fail when any of them failed (in a
/// scenario not expected to fail), expected-fail when the only failures were expected, not-run
/// when no check of it was made, else pass.
struct CriterionResult {
    CriterionInfo info;
    std::string id;
    std::string verdict;  ///< pass | fail | expected-fail | not-run
    std::vector<CriterionCheck> checks;
    std::vector<std::string> scenarios;        ///< with checks of it, in run order
    std::vector<std::string> failedScenarios;  ///< with a failed check of it
    int passed = 0;                            ///< checks that held
    int failed = 0;                            ///< checks that did not (expected ones aside)
    int expectedFailures = 0;
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

/// Every string of a scenario's result made safe for any output: each secret the process knows
/// (processRedactor(), in any form) replaced by "[redacted]", control characters escaped.
void redactCase(CaseResult& result);

/// redactCase for every scenario, and the run's own strings.
void redactRun(RunResult& run);

/// A console summary: one line per scenario, then totals.
void printSummary(const RunResult& run, std::ostream& out);

/// Escapes text for XML 1.0 and drops the control characters that XML 1.0 forbids.
std::string xmlEscape(const std::string& text);

}  // namespace wblab::report
