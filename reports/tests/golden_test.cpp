// Golden-file tests: every report format of one fixed run, byte for byte. A change to a format
// shows up here as a diff to review; regenerate deliberately with
//   WBLAB_UPDATE_GOLDEN=1 ctest --preset dev -R golden
// and commit the files in reports/tests/golden/ with the change that caused them.
#include <wblab/report/run_result.hpp>
#include <wblab/support/files.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

using namespace wblab;
using namespace wblab::report;

namespace {

CheckOutcome check(std::string name, bool passed, std::string expected, std::string observed) {
    return CheckOutcome{std::move(name), passed, std::move(expected), std::move(observed)};
}

CaseResult scenario(std::string id, Verdict verdict, std::vector<std::string> criteria) {
    CaseResult c;
    c.file = "scenarios/golden/" + id + ".yaml";
    c.title = "Golden scenario " + id;
    c.id = std::move(id);
    c.verdict = verdict;
    c.criteria = std::move(criteria);
    c.durationMs = 1250;  // fixed: nothing in these files may depend on the clock
    return c;
}

/// One run with every verdict, a failure with expected vs observed, timelines, several criteria
/// and a stale baseline entry. Everything is fixed.
RunResult goldenRun() {
    RunResult run;
    run.toolVersion = "0.1.0";
    run.seed = 20261125;
    run.agent = "reference";
    run.startedAt = "2026-11-25T06:00:00Z";
    run.durationMs = 8750;
    run.baselineProblems = {"baseline entry 0099_gone matches no scenario"};

    auto pass = scenario("0001_pass", Verdict::Pass, {"crit-identity-pw-writeback"});
    pass.timeline = {"directory: slapd ready with 1 users",
                     "agent: ready (wblab-reference-agent 0.1.0, onboarding events [31004])",
                     "cloud: step 1 sspr_reset (with unlock) user1@testlab.example, correlation "
                     "00000000-0000-4000-8000-000000000001",
                     "agent: success events [31001, 31002]",
                     "cloud: user sees success",
                     "directory: user1: the new password of step 1 binds: yes"};
    pass.checks = {check("step 1: outcome", true, "success", "success"),
                   check("user1: the new password of step 1 binds", true, "yes", "yes")};

    auto fail =
        scenario("0002_fail", Verdict::Fail, {"crit-identity-pw-writeback", "crit-security"});
    fail.message =
        "2 check(s) failed; first: step 1: outcome: expected policy_violation, observed "
        "success";
    fail.timeline = {
        "cloud: step 1 sspr_reset user2@testlab.example, correlation "
        "00000000-0000-4000-8000-000000000002",
        "agent: success events [31001, 31002]",
        "cloud: user sees success",
        "directory: user2: the seeded password binds: no"};
    fail.checks = {check("step 1: outcome", false, "policy_violation", "success"),
                   check("step 1: agent events", false, "[31001, 31003, 33008]", "[31001, 31002]"),
                   check("user2: the seeded password binds", false, "yes", "no"),
                   check("security: no password in the agent's log", true, "none", "none")};

    auto xfail = scenario("0003_xfail", Verdict::XFail, {"crit-security"});
    xfail.message = "expected failure (baseline: no replay cache before 2.2)";
    xfail.checks = {check("step 3: reason", false, "32003", "0")};

    auto xpass = scenario("0004_xpass", Verdict::XPass, {"crit-security"});
    xpass.message = "listed as an expected failure, but passed";

    auto timeout = scenario("0005_timeout", Verdict::Timeout, {"crit-identity-pw-writeback"});
    timeout.message = "1 check(s) failed; first: step 1: agent answered per protocol";
    timeout.checks = {check("step 1: agent answered per protocol",
                            false,
                            "an answer within the deadline",
                            "no answer within 1000 ms")};
    timeout.timeline = {"agent: no answer within 1000 ms", "cloud: user sees SSPR_0030"};

    auto unresolved = scenario("0006_unresolved", Verdict::Unresolved, {"crit-identity-sync"});
    unresolved.message = "directory fixture: slapd exited during start-up";

    auto unsupported =
        scenario("0007_unsupported", Verdict::Unsupported, {"crit-identity-pw-reset"});
    unsupported.message = "requires: unlock_only (the agent does not declare it)";

    auto hostile =
        scenario("0008_escapes[a=<b>&\"c\"]", Verdict::Fail, {"crit-identity-pw-writeback"});
    hostile.message = "observed ]]> and <script>alert(1)</script> & \x1b[31mANSI\x1b[0m";
    hostile.checks = {check("step 1: detail", false, "<none>", "]]> & \"quoted\"")};

    run.cases = {pass, fail, xfail, xpass, timeout, unresolved, unsupported, hostile};
    return run;
}

std::string consoleSummary(const RunResult& run) {
    std::ostringstream out;
    printSummary(run, out);
    return out.str();
}

/// 1-based number of the first line where the two texts differ, with both lines.
std::string firstDifference(const std::string& want, const std::string& got) {
    std::istringstream a(want);
    std::istringstream b(got);
    std::string la;
    std::string lb;
    for (int line = 1;; ++line) {
        const bool moreA = static_cast<bool>(std::getline(a, la));
        const bool moreB = static_cast<bool>(std::getline(b, lb));
        if (!moreA && !moreB) {
            return "the texts differ only in the final newline";
        }
        if (!moreA || !moreB || la != lb) {
            return "first difference at line " + std::to_string(line) +
                   "\n  golden: " + (moreA ? la : "<end of file>") +
                   "\n  actual: " + (moreB ? lb : "<end of file>");
        }
    }
}

void compareWithGolden(const std::string& name, const std::string& actual) {
    const std::string golden = std::string(WBLAB_GOLDEN_DIR) + "/" + name;
    const char* update = std::getenv("WBLAB_UPDATE_GOLDEN");
    if (update != nullptr && std::string(update) == "1") {
        REQUIRE(writeFileAtomically(golden, actual));
        WARN("rewrote " << golden);
        return;
    }
    auto expected = readFile(golden);
    INFO("golden file " << golden << " is missing; create it with WBLAB_UPDATE_GOLDEN=1");
    REQUIRE(expected);
    if (*expected == actual) {
        SUCCEED(name << " matches");
        return;
    }
    const std::string actualPath = std::string(WBLAB_ACTUAL_DIR) + "/" + name + ".actual";
    (void)writeFileAtomically(actualPath, actual);
    FAIL(name << " differs from the golden file; " << firstDifference(*expected, actual)
              << "\n  see: diff -u " << golden << " " << actualPath
              << "\n  if the change is intended: WBLAB_UPDATE_GOLDEN=1 ctest --preset dev -R "
                 "golden, then review and commit the golden files");
}

}  // namespace

TEST_CASE("Every report format matches its golden file", "[report][golden]") {
    const auto run = goldenRun();
    SECTION("junit.xml") {
        compareWithGolden("junit.xml", toJUnitXml(run));
    }
    SECTION("report.json") {
        compareWithGolden("report.json", toJson(run));
    }
    SECTION("summary.md") {
        compareWithGolden("summary.md", toMarkdown(run));
    }
    SECTION("report.html") {
        compareWithGolden("report.html", toHtml(run));
    }
    SECTION("console summary") {
        compareWithGolden("console.txt", consoleSummary(run));
    }
}

TEST_CASE("The golden comparison notices a one-character change", "[report][golden]") {
    const auto json = toJson(goldenRun());
    auto changed = json;
    changed[changed.size() / 2] = changed[changed.size() / 2] == 'x' ? 'y' : 'x';
    CHECK(json != changed);
    CHECK_THAT(firstDifference(json, changed), Catch::StartsWith("first difference at line"));
    REQUIRE(json.back() == '\n');
    CHECK_THAT(firstDifference(json, json.substr(0, json.size() - 1)),
               Catch::Contains("final newline"));
}

TEST_CASE("Report output depends only on the run: rendering twice gives the same bytes",
          "[report][golden]") {
    const auto run = goldenRun();
    CHECK(toJUnitXml(run) == toJUnitXml(goldenRun()));
    CHECK(toJson(run) == toJson(goldenRun()));
    CHECK(toMarkdown(run) == toMarkdown(goldenRun()));
    CHECK(toHtml(run) == toHtml(goldenRun()));
    CHECK(consoleSummary(run) == consoleSummary(goldenRun()));
    // An agent's text must not drive the terminal (escape sequences).
    CHECK(consoleSummary(run).find('\x1b') == std::string::npos);
}
