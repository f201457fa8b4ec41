#include <wblab/report/run_result.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace wblab::report;

namespace {

RunResult sampleRun() {
    RunResult run;
    run.toolVersion = "0.1.0";
    run.seed = 42;
    run.agent = "reference";
    run.durationMs = 1500;
    CaseResult pass;
    pass.id = "0001_ok";
    pass.file = "a.yaml";
    pass.criteria = {"crit-identity-pw-writeback"};
    pass.verdict = Verdict::Pass;
    pass.durationMs = 250;
    CaseResult fail;
    fail.id = "0002_bad&<name>";
    fail.file = "b.yaml";
    fail.criteria = {"crit-identity-pw-writeback"};
    fail.verdict = Verdict::Fail;
    fail.message = "output with ]]> and \x1b[31mANSI\x1b[0m";
    fail.checks.push_back({"user1: the new password binds", false, "yes", "no"});
    CaseResult broken;
    broken.id = "0003_unresolved";
    broken.criteria = {"crit-identity-sync"};
    broken.verdict = Verdict::Unresolved;
    broken.message = "slapd would not start";
    run.cases = {pass, fail, broken};
    return run;
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

TEST_CASE("JUnit counts, groups by criterion and escapes hostile text", "[report][junit]") {
    auto xml = toJUnitXml(sampleRun());
    CHECK_THAT(xml,
               Catch::Contains(R"(<testsuites name="wblab" tests="3" failures="1" errors="1")"));
    CHECK_THAT(xml, Catch::Contains(R"(<testsuite name="crit-identity-pw-writeback" tests="2")"));
    CHECK_THAT(xml, Catch::Contains(R"(<testsuite name="crit-identity-sync" tests="1")"));
    CHECK_THAT(xml, Catch::Contains(R"(name="0002_bad&amp;&lt;name&gt;")"));
    CHECK_THAT(xml, Catch::Contains(R"(<property name="seed" value="42"/>)"));
    CHECK_THAT(xml, Catch::Contains("expected yes, observed no"));
    CHECK_THAT(xml, Catch::Contains(R"(<error type="unresolved" message="slapd would not start")"));
    CHECK(xml.find('\x1b') == std::string::npos);
    CHECK(xml.find("]]>") == std::string::npos);
    CHECK_THAT(
        xml,
        Catch::Contains(
            R"(<testcase classname="crit-identity-pw-writeback" name="0001_ok" file="a.yaml" time="0.250"/>)"));
}

TEST_CASE("The console summary lists every scenario and the totals", "[report][console]") {
    std::ostringstream out;
    printSummary(sampleRun(), out);
    auto text = out.str();
    CHECK_THAT(text, Catch::Contains("pass            0001_ok"));
    CHECK_THAT(text, Catch::Contains("user1: the new password binds: expected yes, observed no"));
    CHECK_THAT(text, Catch::Contains("3 scenarios: 1 passed, 2 failed (seed 42, agent reference"));
}

TEST_CASE("report.json carries the schema version, the seed, criteria and every check",
          "[report][json]") {
    auto json = toJson(sampleRun());
    CHECK_THAT(json, Catch::StartsWith("{\n  \"schemaVersion\": 2,"));
    CHECK_THAT(json, Catch::Contains("\"seed\": 42"));
    CHECK_THAT(json, Catch::Contains("\"agent\": \"reference\""));
    CHECK_THAT(json, Catch::Contains("\"total\": 3"));
    CHECK_THAT(json, Catch::Contains("\"failed\": true"));
    CHECK_THAT(json,
               Catch::Contains("\"id\": \"crit-identity-pw-writeback\",\n      \"title\": \"\",\n  "
                               "    \"level\": \"\",\n      \"exitCriterion\": \"\",\n      "
                               "\"source\": \"\",\n      \"verdict\": \"fail\""));
    CHECK_THAT(
        json,
        Catch::Contains(
            "\"id\": \"crit-identity-sync\",\n      \"title\": \"\",\n      \"level\": \"\",\n     "
            " \"exitCriterion\": \"\",\n      \"source\": \"\",\n      \"verdict\": \"fail\""));
    CHECK_THAT(json, Catch::Contains("\"name\": \"user1: the new password binds\""));
    CHECK_THAT(json, Catch::Contains("\"verdict\": \"unresolved\""));
}

TEST_CASE("A criterion fails when any of its scenarios fails", "[report][json]") {
    auto run = sampleRun();
    run.cases[1].verdict = Verdict::XFail;  // the expected failure no longer fails the criterion
    auto criteria = criteriaOf(run);
    REQUIRE(criteria.size() == 2);
    CHECK(criteria[0].id == "crit-identity-pw-writeback");
    CHECK_FALSE(criteria[0].failed);
    CHECK(criteria[0].passed == 2);
    CHECK(criteria[1].failed);
}

TEST_CASE("summary.md has a criteria table and lists the failed checks", "[report][markdown]") {
    auto md = toMarkdown(sampleRun());
    CHECK_THAT(md, Catch::StartsWith("## wblab: 2 of 3 scenarios failed"));
    CHECK_THAT(md, Catch::Contains("| crit-identity-pw-writeback |  | ❌ fail | 1 | 1 |"));
    CHECK_THAT(md, Catch::Contains("- **0002_bad&<name>** (fail)"));
    CHECK_THAT(md, Catch::Contains("  - user1: the new password binds: expected yes, observed no"));
}

TEST_CASE("report.html is one self-contained page with criteria, checks and timelines",
          "[report][html]") {
    auto run = sampleRun();
    run.cases[1].timeline = {"cloud: step 1 sspr_reset <user>", "agent: failure events [31001]"};
    auto page = toHtml(run);
    CHECK_THAT(page, Catch::StartsWith("<!DOCTYPE html>"));
    CHECK_THAT(page, Catch::EndsWith("</html>\n"));
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("http://") == std::string::npos);
    CHECK(page.find("https://") == std::string::npos);
    CHECK_THAT(page, Catch::Contains("<td>crit-identity-pw-writeback</td>"));
    CHECK_THAT(page,
               Catch::Contains("<details id=\"0002_bad&amp;&lt;name&gt;\" class=\"fail\" open>"));
    CHECK_THAT(page,
               Catch::Contains("<tr class=\"bad\"><td>✗ user1: the new password "
                               "binds</td><td>yes</td><td>no</td></tr>"));
    CHECK_THAT(page, Catch::Contains("<li>cloud: step 1 sspr_reset &lt;user&gt;</li>"));
    CHECK(page.find('\x1b') == std::string::npos);
}

TEST_CASE("report.json reads back into the same run", "[report][json][merge]") {
    auto run = sampleRun();
    run.startedAt = "2026-11-25T04:00:00Z";
    run.interrupted = true;
    run.baselineProblems = {"b.yaml:3: stale entry: no scenario 'x'"};
    run.cases[0].timeline = {"cloud: step 1"};
    auto back = fromJson(toJson(run));
    REQUIRE(back);
    CHECK(toJson(*back) == toJson(run));
    CHECK_FALSE(fromJson("{\"schemaVersion\": 3}"));
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
    run.cases[0].criteria = {"wb-reset-applies"};
    run.cases[1].criteria = {"wb-min-age"};
    run.cases[2].criteria = {"sync-anchor-matching", "not-in-catalog"};
    return run;
}

}  // namespace

TEST_CASE("With a catalog, criteria roll up to exit criteria in every report",
          "[report][catalog]") {
    auto run = withCatalog(sampleRun());
    auto criteria = criteriaOf(run);
    REQUIRE(criteria.size() == 4);
    CHECK(criteria[0].id == "wb-reset-applies");
    CHECK(criteria[0].verdict == "pass");
    CHECK(criteria[1].verdict == "fail");
    CHECK(criteria[3].id == "not-in-catalog");
    CHECK(criteria[3].info.exitCriterion == "uncategorised");
    auto exits = exitCriteriaOf(run);
    REQUIRE(exits.size() == 2);
    CHECK(exits[0].verdict == "warn");  // only a recommended criterion failed
    CHECK(exits[0].failedRecommended == std::vector<std::string>{"wb-min-age"});
    CHECK(exits[1].verdict == "fail");
    CHECK(exits[1].failedRequired == std::vector<std::string>{"sync-anchor-matching"});

    auto json = toJson(run);
    CHECK_THAT(json,
               Catch::Contains("\"id\": \"crit-identity-sync\",\n      \"title\": \"Sync\",\n      "
                               "\"verdict\": \"fail\""));
    CHECK_THAT(json,
               Catch::Contains("\"id\": \"wb-min-age\",\n      \"title\": \"Min age\",\n      "
                               "\"level\": \"recommended\""));
    auto back = fromJson(json);
    REQUIRE(back);
    CHECK(toJson(*back) == json);

    auto xml = toJUnitXml(run);
    CHECK_THAT(xml, Catch::Contains(R"(<testsuite name="wb-reset-applies" tests="1")"));
    CHECK_THAT(xml,
               Catch::Contains(R"(<property name="exit-criterion" value="crit-identity-sync"/>)"));
    CHECK_THAT(
        xml,
        Catch::Contains(
            R"(<testcase classname="crit-identity-pw-writeback.wb-reset-applies" name="0001_ok")"));

    std::ostringstream console;
    printSummary(run, console);
    CHECK_THAT(console.str(), Catch::Contains("warn     crit-identity-pw-writeback"));
    CHECK_THAT(console.str(), Catch::Contains("failed (recommended): wb-min-age"));
    CHECK_THAT(console.str(), Catch::Contains("failed: sync-anchor-matching"));

    auto md = toMarkdown(run);
    CHECK_THAT(md,
               Catch::Contains("| crit-identity-sync | ❌ fail | 0 | sync-anchor-matching | 0 |"));
    CHECK_THAT(md, Catch::Contains("| wb-min-age: Min age | recommended | ❌ fail | 0 | 1 |"));

    auto page = toHtml(run);
    CHECK_THAT(page, Catch::Contains("<h2>Exit criteria</h2>"));
    CHECK_THAT(page,
               Catch::Contains("<td>wb-reset-applies</td><td>Reset applies</td><td>required</td>"));
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
