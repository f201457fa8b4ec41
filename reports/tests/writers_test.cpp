// The report writers over one small run: earned verdicts per criterion, and each format showing
// them the same way.
#include <wblab/report/run_result.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace wblab::report;

namespace {

CheckOutcome check(std::string criterion, std::string what, bool passed) {
    return CheckOutcome{std::move(criterion),
                        std::move(what),
                        passed ? "yes" : "yes",
                        passed ? "yes" : "no",
                        passed};
}

/// Three scenarios: one passes; one fails only its directory check (its security check passes);
/// one could not run.
RunResult sampleRun() {
    RunResult run;
    run.toolVersion = "0.1.0";
    run.seed = 42;
    run.agent = "reference";
    run.durationMs = 1500;
    CaseResult pass;
    pass.id = "0001_ok";
    pass.file = "a.yaml";
    pass.criteria = {"wb-reset-applies"};
    pass.verdict = Verdict::Pass;
    pass.durationMs = 250;
    pass.checks = {check("wb-reset-applies", "user1: the new password binds", true),
                   check("sec-never-logged", "security: no password in the agent's log", true)};
    CaseResult fail;
    fail.id = "0002_bad&<name>";
    fail.file = "b.yaml";
    fail.criteria = {"wb-reset-applies"};
    fail.verdict = Verdict::Fail;
    fail.message = "output with ]]> and \x1b[31mANSI\x1b[0m";
    fail.checks = {check("wb-reset-applies", "user1: the new password binds", false),
                   check("sec-never-logged", "security: no password in the agent's log", true)};
    CaseResult broken;
    broken.id = "0003_unresolved";
    broken.criteria = {"sync-anchor-matching"};
    broken.verdict = Verdict::Unresolved;
    broken.message = "slapd would not start";
    run.cases = {pass, fail, broken};
    return run;
}

const CriterionResult& criterion(const std::vector<CriterionResult>& all, const std::string& id) {
    for (const auto& c : all) {
        if (c.id == id) {
            return c;
        }
    }
    FAIL("no criterion " << id);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("Verdicts that fail a run are exactly lit's failures", "[report]") {
    CHECK_FALSE(isFailure(Verdict::Pass));
    CHECK_FALSE(isFailure(Verdict::XFail));
    CHECK_FALSE(isFailure(Verdict::Unsupported));
    CHECK(isFailure(Verdict::Fail));
    CHECK(isFailure(Verdict::XPass));
    CHECK(isFailure(Verdict::Timeout));
    CHECK(isFailure(Verdict::Unresolved));
}

TEST_CASE("A criterion's verdict comes from its own checks, not from the scenarios it is in",
          "[report][criteria]") {
    const auto all = criteriaOf(sampleRun());
    // 0002 failed as a whole, but its security check passed: sec-never-logged is earned.
    CHECK(criterion(all, "sec-never-logged").verdict == "pass");
    CHECK(criterion(all, "sec-never-logged").passed == 2);
    CHECK(criterion(all, "wb-reset-applies").verdict == "fail");
    CHECK(criterion(all, "wb-reset-applies").failed == 1);
    CHECK(criterion(all, "wb-reset-applies").failedScenarios ==
          std::vector<std::string>{"0002_bad&<name>"});
    // A scenario that made no check earns its criteria nothing either way.
    CHECK(all.size() == 2);
}

TEST_CASE("A failure the baseline expects makes the criterion expected-fail, not fail",
          "[report][criteria]") {
    auto run = sampleRun();
    run.cases[1].verdict = Verdict::XFail;
    const auto all = criteriaOf(run);
    CHECK(criterion(all, "wb-reset-applies").verdict == "expected-fail");
    CHECK(criterion(all, "wb-reset-applies").expectedFailures == 1);
    CHECK(criterion(all, "wb-reset-applies").failed == 0);
}

TEST_CASE("JUnit files each failure under the criterion whose check failed", "[report][junit]") {
    auto xml = toJUnitXml(sampleRun());
    // One test case per (criterion, scenario): 2 + 2 with checks, 1 for the unresolved scenario
    // under the criterion it declares.
    CHECK_THAT(xml,
               Catch::Contains(R"(<testsuites name="wblab" tests="5" failures="1" errors="1")"));
    CHECK_THAT(xml,
               Catch::Contains(R"(<testsuite name="wb-reset-applies" tests="2" failures="1")"));
    CHECK_THAT(xml,
               Catch::Contains(R"(<testsuite name="sec-never-logged" tests="2" failures="0")"));
    CHECK_THAT(xml, Catch::Contains(R"(<testsuite name="sync-anchor-matching" tests="1")"));
    CHECK_THAT(xml, Catch::Contains(R"(name="0002_bad&amp;&lt;name&gt;")"));
    CHECK_THAT(xml, Catch::Contains(R"(<property name="seed" value="42"/>)"));
    CHECK_THAT(xml, Catch::Contains("- user1: the new password binds: expected yes, observed no"));
    CHECK_THAT(xml, Catch::Contains(R"(<error type="unresolved" message="slapd would not start")"));
    CHECK(xml.find('\x1b') == std::string::npos);
    CHECK(xml.find("]]>") == std::string::npos);
    CHECK_THAT(
        xml,
        Catch::Contains(
            R"(<testcase classname="wb-reset-applies" name="0001_ok" file="a.yaml" time="0.250"/>)"));
}

TEST_CASE("The console summary lists every scenario, failed checks with their criterion, totals",
          "[report][console]") {
    std::ostringstream out;
    printSummary(sampleRun(), out);
    auto text = out.str();
    CHECK_THAT(text, Catch::Contains("pass            0001_ok"));
    CHECK_THAT(
        text,
        Catch::Contains(
            "    [wb-reset-applies] user1: the new password binds: expected yes, observed no"));
    CHECK_THAT(text, Catch::Contains("3 scenarios: 1 passed, 2 failed (seed 42, agent reference"));
}

TEST_CASE("report.json lists the checks under each criterion (schema 3)", "[report][json]") {
    auto json = toJson(sampleRun());
    CHECK_THAT(json, Catch::StartsWith("{\n  \"schemaVersion\": 3,"));
    CHECK_THAT(json, Catch::Contains("\"seed\": 42"));
    CHECK_THAT(json, Catch::Contains("\"total\": 3"));
    CHECK_THAT(json, Catch::Contains("\"failed\": true"));
    CHECK_THAT(json,
               Catch::Contains("\"verdict\": \"pass\",\n      \"checksPassed\": 2,\n      "
                               "\"checksFailed\": 0"));
    CHECK_THAT(json,
               Catch::Contains("\"scenario\": \"0002_bad&<name>\",\n          \"what\": \"user1: "
                               "the new password binds\""));
    CHECK_THAT(json, Catch::Contains("\"criterion\": \"wb-reset-applies\",\n          \"what\""));
    CHECK_THAT(json, Catch::Contains("\"verdict\": \"unresolved\""));
}

TEST_CASE("summary.md puts the failed criteria and their checks first", "[report][markdown]") {
    auto md = toMarkdown(sampleRun());
    CHECK_THAT(md, Catch::StartsWith("## wblab: 2 of 3 scenarios failed"));
    CHECK(md.find("### Failed criteria") < md.find("| criterion |"));
    CHECK_THAT(md, Catch::Contains("- **wb-reset-applies** (1 failed check)"));
    CHECK_THAT(
        md,
        Catch::Contains(
            "  - `0002_bad&<name>` user1: the new password binds: expected yes, observed no"));
    CHECK_THAT(md, Catch::Contains("- **0003_unresolved** (unresolved): slapd would not start"));
    CHECK_THAT(md, Catch::Contains("| sec-never-logged |  | ✅ pass | 2 | 0 |"));
}

TEST_CASE("report.html shows each criterion with the checks that earned its verdict",
          "[report][html]") {
    auto run = sampleRun();
    run.cases[1].timeline = {"cloud: step 1 sspr_reset <user>", "agent: failure events [31001]"};
    auto page = toHtml(run);
    CHECK_THAT(page, Catch::StartsWith("<!DOCTYPE html>"));
    CHECK_THAT(page, Catch::EndsWith("</html>\n"));
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("http://") == std::string::npos);
    CHECK(page.find("https://") == std::string::npos);
    CHECK_THAT(page, Catch::Contains("<span class=\"badge\">fail</span> <strong>wb-reset-applies"));
    CHECK_THAT(page,
               Catch::Contains("<details id=\"0002_bad&amp;&lt;name&gt;\" class=\"fail\" open>"));
    CHECK_THAT(page,
               Catch::Contains("<tr class=\"bad\"><td>✗ user1: the new password "
                               "binds</td><td>wb-reset-applies</td><td>yes</td><td>no</td></tr>"));
    CHECK_THAT(page, Catch::Contains("<li>cloud: step 1 sspr_reset &lt;user&gt;</li>"));
    CHECK(page.find('\x1b') == std::string::npos);
}

TEST_CASE("report.json reads back into the same run, other schema versions are refused",
          "[report][json][merge]") {
    auto run = sampleRun();
    run.startedAt = "2026-11-25T04:00:00Z";
    run.interrupted = true;
    run.baselineProblems = {"b.yaml:3: stale entry: no scenario 'x'"};
    run.cases[0].timeline = {"cloud: step 1"};
    run.cases[0].stepsMs = 125.5;
    auto back = fromJson(toJson(run));
    REQUIRE(back);
    CHECK(toJson(*back) == toJson(run));
    auto old = fromJson("{\"schemaVersion\": 2}");
    REQUIRE_FALSE(old);
    CHECK_THAT(old.error().message, Catch::Contains("unsupported schemaVersion 2"));
    CHECK_FALSE(fromJson("not json"));
}

namespace {

RunResult withCatalog(RunResult run) {
    run.exitCriteria = {{"crit-identity-pw-writeback", "Writeback"},
                        {"crit-identity-sync", "Sync"}};
    run.catalog = {
        {"wb-reset-applies", "Reset applies", "required", "crit-identity-pw-writeback", "§1.3"},
        {"wb-min-age", "Min age", "recommended", "crit-identity-pw-writeback", "§3"},
        {"sync-anchor-matching", "Anchor", "required", "crit-identity-sync", "§9.3"}};
    run.cases[1].checks.push_back(check("wb-min-age", "step 2: outcome", false));
    run.cases[2].checks.push_back(check("not-in-catalog", "step 1: outcome", true));
    return run;
}

}  // namespace

TEST_CASE("With a catalog, criteria roll up to exit criteria in every report",
          "[report][catalog]") {
    auto run = withCatalog(sampleRun());
    auto criteria = criteriaOf(run);
    REQUIRE(criteria.size() == 5);
    CHECK(criteria[0].id == "wb-reset-applies");
    CHECK(criteria[0].verdict == "fail");
    CHECK(criteria[1].verdict == "fail");
    CHECK(criteria[2].id == "sync-anchor-matching");
    CHECK(criteria[2].verdict == "not-run");  // its only scenario made no check
    CHECK(criteria[4].id == "sec-never-logged");
    CHECK(criteria[4].info.exitCriterion == "uncategorised");
    auto exits = exitCriteriaOf(run);
    REQUIRE(exits.size() == 2);
    CHECK(exits[0].verdict == "fail");
    CHECK(exits[0].failedRequired == std::vector<std::string>{"wb-reset-applies"});
    CHECK(exits[0].failedRecommended == std::vector<std::string>{"wb-min-age"});
    CHECK(exits[1].verdict == "not-run");

    auto json = toJson(run);
    auto back = fromJson(json);
    REQUIRE(back);
    CHECK(toJson(*back) == json);

    auto xml = toJUnitXml(run);
    CHECK_THAT(
        xml,
        Catch::Contains(R"(<property name="exit-criterion" value="crit-identity-pw-writeback"/>)"));
    CHECK_THAT(
        xml,
        Catch::Contains(
            R"(<testcase classname="crit-identity-pw-writeback.wb-reset-applies" name="0001_ok")"));

    std::ostringstream console;
    printSummary(run, console);
    CHECK_THAT(console.str(), Catch::Contains("fail     crit-identity-pw-writeback"));
    CHECK_THAT(
        console.str(),
        Catch::Contains("failed (recommended): wb-min-age (checks failed in 0002_bad&<name>)"));
}

TEST_CASE("Merging shards joins their scenarios and refuses mixed runs", "[report][merge]") {
    auto whole = sampleRun();
    RunResult a = whole;
    RunResult b = whole;
    a.cases = {whole.cases[1]};
    b.cases = {whole.cases[0], whole.cases[2]};
    a.durationMs = 900;
    b.durationMs = 1200;
    auto merged = mergeRuns({a, b});
    REQUIRE(merged);
    REQUIRE(merged->cases.size() == 3);
    CHECK(merged->cases[0].id == "0003_unresolved");  // no file sorts first
    CHECK(merged->cases[1].id == "0001_ok");
    CHECK(merged->durationMs == 1200);
    RunResult other = b;
    other.seed = 43;
    CHECK_FALSE(mergeRuns({a, other}));
    CHECK_FALSE(mergeRuns({a, a}));
    CHECK_FALSE(mergeRuns({}));
}

TEST_CASE("Merged shards come back in the whole run's order, matrix rows included",
          "[report][merge]") {
    auto whole = sampleRun();
    // Three rows of one matrix file, taken by two shards in turn: file order alone would put
    // them in shard order.
    for (int row = 0; row < 3; ++row) {
        whole.cases[static_cast<std::size_t>(row)].file = "m.yaml";
        whole.cases[static_cast<std::size_t>(row)].position = row;
    }
    whole.runId = "4242";
    RunResult a = whole;
    RunResult b = whole;
    a.shard = "1/2";
    b.shard = "2/2";
    a.cases = {whole.cases[0], whole.cases[2]};
    b.cases = {whole.cases[1]};
    auto merged = mergeRuns({b, a});
    REQUIRE(merged);
    REQUIRE(merged->cases.size() == 3);
    CHECK(merged->cases[0].id == "0001_ok");
    CHECK(merged->cases[1].id == "0002_bad&<name>");
    CHECK(merged->cases[2].id == "0003_unresolved");
    CHECK(merged->runId == "4242");
    CHECK(merged->shard.empty());
}

TEST_CASE("A merge of different runs names every field that differs and the reports",
          "[report][merge]") {
    auto whole = sampleRun();
    RunResult a = whole;
    RunResult b = whole;
    a.cases = {whole.cases[0]};
    b.cases = {whole.cases[1]};
    a.shard = "1/2";
    b.shard = "2/3";
    b.seed = 7;
    b.runId = "99";
    auto merged = mergeRuns({a, b}, {"s1/report.json", "s2/report.json"});
    REQUIRE_FALSE(merged);
    const auto& message = merged.error().message;
    CHECK_THAT(message,
               Catch::Contains("seed differs: s1/report.json has 42, s2/report.json has 7"));
    CHECK_THAT(message,
               Catch::Contains("run id differs: s1/report.json has (none), s2/report.json has 99"));
    CHECK_THAT(message, Catch::Contains("shard count differs"));
    CHECK_THAT(message, !Catch::Contains("agent differs"));
    CHECK_THAT(message, Catch::Contains("the same --seed or --run-id"));
}

TEST_CASE("report.json keeps the fields added for CI, and reads reports without them",
          "[report][json]") {
    auto run = sampleRun();
    run.runId = "123";
    run.shard = "2/4";
    run.maxFailures = 1;
    run.notRun = {"0004_later"};
    run.cases[1].startedAt = "2026-12-01T10:00:00.125Z";
    run.cases[1].position = 5;
    run.cases[1].agentStderr = "agent: connecting\nagent: refused\n";
    run.cases[1].keptDirectory = "/tmp/wblab-0002_bad-x1y2z3";
    run.cases[1].rerun = "wblab run --seed 42 --agent reference --id 0002 b.yaml";
    const auto json = toJson(run);
    auto back = fromJson(json);
    REQUIRE(back);
    CHECK(toJson(*back) == json);
    CHECK(back->cases[1].agentStderr == run.cases[1].agentStderr);
    // A schema-3 report written before these fields existed still reads.
    auto older = fromJson(R"({"schemaVersion": 3, "tool": {"version": "0.1.0"},
        "run": {"seed": 1, "agent": "a", "startedAt": "", "durationMs": 0},
        "summary": {}, "scenarios": [{"id": "x", "verdict": "pass"}]})");
    REQUIRE(older);
    CHECK(older->cases[0].position == -1);
    CHECK(older->runId.empty());
}

TEST_CASE("A scenario's symptom is in every report, and report.json reads back without one",
          "[report][symptom]") {
    auto run = sampleRun();
    const std::string symptom = "SSPR says success; 33004 in the agent's log";
    run.cases[1].symptom = symptom;
    const auto json = toJson(run);
    CHECK_THAT(json, Catch::Contains("\"symptom\": \"SSPR says success; 33004"));
    auto back = fromJson(json);
    REQUIRE(back);
    CHECK(back->cases[1].symptom == symptom);
    CHECK(back->cases[0].symptom.empty());
    CHECK(toJson(*back) == json);
    CHECK_THAT(toMarkdown(run), Catch::Contains("  - symptom: " + symptom));
    CHECK_THAT(toHtml(run), Catch::Contains("<p>symptom: SSPR says success; 33004 in the agent&"));
    std::ostringstream console;
    printSummary(run, console);
    CHECK_THAT(console.str(), Catch::Contains("    symptom: " + symptom));
    // Only the scenario that states one carries the key.
    CHECK(json.find("\"symptom\"") == json.rfind("\"symptom\""));
}
