// Golden-file tests: every report format of one fixed run, byte for byte. A change to a format
// shows up here as a diff to review; regenerate deliberately with
//   WBLAB_UPDATE_APPROVED=1 ctest --preset dev -R golden
// (harness/tests/approval_test.cpp does the same for a real run through the command line)
// and commit the files in reports/tests/golden/ with the change that caused them.
#include <wblab/report/run_result.hpp>
#include <wblab/support/files.hpp>
#include <wblab/testkit/testkit.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

using namespace wblab;
using namespace wblab::report;

namespace {

CheckOutcome check(std::string criterion,
                   std::string what,
                   bool passed,
                   std::string expected,
                   std::string observed) {
    return CheckOutcome{
        std::move(criterion), std::move(what), std::move(expected), std::move(observed), passed};
}

CaseResult scenario(std::string id, Verdict verdict, std::vector<std::string> criteria) {
    CaseResult c;
    c.file = "scenarios/golden/" + id + ".yaml";
    c.title = "Golden scenario " + id;
    c.id = std::move(id);
    c.verdict = verdict;
    c.criteria = std::move(criteria);
    c.durationMs = 1250;  // fixed: nothing in these files may depend on the clock
    c.stepsMs = 400;
    c.startedAt = "2026-11-25T06:00:0" + c.id.substr(3, 1) + ".250Z";
    c.position = std::stoll(c.id.substr(0, 4)) - 1;
    c.seed = 1000 + static_cast<std::uint64_t>(c.position);
    c.rerun = "wblab run --seed 20261125 --agent reference --id '" + c.id + "' " + c.file;
    c.directory = "slapd";
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
    run.directories = {"slapd"};
    run.durationMs = 8750;
    run.baselineProblems = {"baseline entry 0099_gone matches no scenario"};

    auto pass = scenario("0001_pass", Verdict::Pass, {"wb-reset-applies"});
    pass.timeline = {"directory: slapd ready with 1 users",
                     "agent: ready (wblab-reference-agent 0.1.0, onboarding events [31004])",
                     "cloud: step 1 sspr_reset (with unlock) user1@testlab.example, correlation "
                     "00000000-0000-4000-8000-000000000001",
                     "agent: success events [31001, 31002]",
                     "cloud: user sees success",
                     "directory: user1: the new password of step 1 binds: yes"};
    pass.checks = {
        check("wb-reset-applies", "step 1: outcome", true, "success", "success"),
        check("wb-reset-applies", "user1: the new password of step 1 binds", true, "yes", "yes")};

    auto fail = scenario("0002_fail", Verdict::Fail, {"wb-onprem-policy", "wb-event-ids"});
    fail.message =
        "3 check(s) failed; first: [wb-onprem-policy] step 1: outcome: expected "
        "policy_violation, observed success";
    fail.timeline = {
        "cloud: step 1 sspr_reset user2@testlab.example, correlation "
        "00000000-0000-4000-8000-000000000002",
        "agent: success events [31001, 31002]",
        "cloud: user sees success",
        "directory: user2: the seeded password binds: no"};
    fail.checks = {
        check("wb-onprem-policy", "step 1: outcome", false, "policy_violation", "success"),
        check("wb-event-ids",
              "step 1: agent events",
              false,
              "[31001, 31003, 33008]",
              "[31001, 31002]"),
        check("wb-onprem-policy", "user2: the seeded password binds", false, "yes", "no"),
        check(
            "sec-never-logged", "security: no password in the agent's log", true, "none", "none")};

    auto xfail = scenario("0003_xfail", Verdict::XFail, {"sec-replay-rejected"});
    xfail.message = "expected failure (baseline: no replay cache before 2.2)";
    xfail.checks = {check("sec-replay-rejected", "step 3: reason", false, "32003", "0")};

    auto xpass = scenario("0004_xpass", Verdict::XPass, {"sec-replay-rejected"});
    xpass.message = "listed as an expected failure, but passed";

    auto timeout = scenario("0005_timeout", Verdict::Timeout, {"wb-reset-applies"});
    timeout.message =
        "1 check(s) failed; first: [wb-answers-in-time] step 1: the agent answers within its "
        "deadline";
    timeout.checks = {check("wb-answers-in-time",
                            "step 1: the agent answers within its deadline",
                            false,
                            "an answer within 1000 ms",
                            "no answer within 1000 ms")};
    timeout.timeline = {"agent: no answer within 1000 ms", "cloud: user sees SSPR_0030"};

    auto unresolved = scenario("0006_unresolved", Verdict::Unresolved, {"sync-anchor-matching"});
    unresolved.message = "the agent could not be started: no such file";
    unresolved.agentStderr = "agent: reading configuration\nagent: bind as [redacted] failed\n";
    unresolved.keptDirectory = "/tmp/wblab-0006_unresolved-a1b2c3";

    auto unsupported = scenario("0007_unsupported", Verdict::Unsupported, {"wb-unlock-only"});
    unsupported.message = "requires: unlock_only (the agent does not declare it)";

    auto hostile = scenario("0008_escapes[a=<b>&\"c\"]", Verdict::Fail, {"wb-reason-codes"});
    hostile.message = "observed ]]> and <script>alert(1)</script> & \x1b[31mANSI\x1b[0m";
    hostile.checks = {
        check("wb-reason-codes", "step 1: detail", false, "<none>", "]]> & \"quoted\"")};

    run.cases = {pass, fail, xfail, xpass, timeout, unresolved, unsupported, hostile};
    return run;
}

std::string consoleSummary(const RunResult& run) {
    std::ostringstream out;
    printSummary(run, out);
    return out.str();
}

void compareWithGolden(const std::string& name, const std::string& actual) {
    const auto difference =
        testkit::compareWithApproved(WBLAB_GOLDEN_DIR, name, actual, WBLAB_ACTUAL_DIR);
    INFO(difference);
    CHECK(difference.empty());
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

TEST_CASE("An agent's text never reaches the terminal raw", "[report][golden]") {
    // Escape sequences could recolour, move the cursor or retitle the window.
    const auto console = consoleSummary(goldenRun());
    CHECK(console.find('\x1b') == std::string::npos);
    CHECK_THAT(console, Catch::Contains("?[31mANSI?[0m"));
}
