// A differential run: the same scenarios on two directory flavours, compared check by check,
// and every report format showing where they disagree.
#include <wblab/report/run_result.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace wblab::report;

namespace {

CheckOutcome check(std::string criterion, std::string what, bool passed, std::string observed) {
    return CheckOutcome{std::move(criterion), std::move(what), "yes", std::move(observed), passed};
}

CaseResult onFlavour(std::string id, std::string directory, Verdict verdict) {
    CaseResult c;
    c.id = std::move(id);
    c.file = c.id + ".yaml";
    c.directory = std::move(directory);
    c.verdict = verdict;
    return c;
}

/// Four scenarios on slapd and samba: one agrees, one has a check that holds on slapd only, one
/// is unsupported on samba (a declared difference), one fails on samba before its last check.
RunResult differentialRun() {
    RunResult run;
    run.seed = 7;
    run.agent = "reference";
    run.directories = {"slapd", "samba"};
    auto agreeS = onFlavour("0001_agree", "slapd", Verdict::Pass);
    agreeS.checks = {check("wb-reset-applies", "user1: the new password binds", true, "binds")};
    auto agreeB = onFlavour("0001_agree", "samba", Verdict::Pass);
    // Observed values may differ in wording; only the check's outcome counts.
    agreeB.checks = {check("wb-reset-applies", "user1: the new password binds", true, "bound")};

    auto unlockS = onFlavour("0008_unlock", "slapd", Verdict::Pass);
    unlockS.checks = {check("wb-reset-applies", "step 1: outcome", true, "success"),
                      check("wb-reset-unlocks", "user8: locked", true, "false")};
    auto unlockB = onFlavour("0008_unlock", "samba", Verdict::Fail);
    unlockB.checks = {check("wb-reset-applies", "step 1: outcome", true, "success"),
                      check("wb-reset-unlocks", "user8: locked", false, "true")};

    auto hintsS = onFlavour("0042_history", "slapd", Verdict::Pass);
    hintsS.checks = {check("wb-onprem-policy", "step 2: outcome", true, "policy_violation")};
    auto hintsB = onFlavour("0042_history", "samba", Verdict::Unsupported);
    hintsB.message = "the samba directory differs from AD: policy hints";

    auto shortS = onFlavour("0050_short", "slapd", Verdict::Pass);
    shortS.checks = {check("wb-reset-applies", "step 1: outcome", true, "success"),
                     check("wb-convergence", "step 1: the password changed", true, "changed")};
    auto shortB = onFlavour("0050_short", "samba", Verdict::Fail);
    shortB.checks = {check("wb-reset-applies", "step 1: outcome", true, "success")};
    run.cases = {agreeS, agreeB, unlockS, unlockB, hintsS, hintsB, shortS, shortB};
    return run;
}

}  // namespace

TEST_CASE("Divergences compare each scenario's checks across flavours", "[report][divergence]") {
    const auto run = differentialRun();
    const auto all = divergencesOf(run);
    REQUIRE(all.size() == 3);

    CHECK(all[0].scenario == "0008_unlock");
    CHECK(all[0].criterion == "wb-reset-unlocks");
    CHECK(all[0].what == "user8: locked");
    CHECK_FALSE(all[0].declared);
    REQUIRE(all[0].sides.size() == 2);
    CHECK(all[0].sides[0].directory == "slapd");
    CHECK(all[0].sides[0].check == "passed");
    CHECK(all[0].sides[1].directory == "samba");
    CHECK(all[0].sides[1].check == "failed");
    CHECK(all[0].sides[1].observed == "true");

    CHECK(all[1].scenario == "0042_history");
    CHECK(all[1].declared);
    CHECK(all[1].what == "verdict");
    CHECK_THAT(all[1].reason, Catch::StartsWith("samba: the samba directory differs"));

    CHECK(all[2].scenario == "0050_short");
    CHECK(all[2].criterion == "wb-convergence");
    CHECK(all[2].sides[1].check == "absent");  // made on slapd only

    CHECK(anyUndeclaredDivergence(all));
    CHECK(run.anyFailure());
}

TEST_CASE("Only declared divergences leave a run that passed everywhere passing",
          "[report][divergence]") {
    auto run = differentialRun();
    run.cases.erase(run.cases.begin() + 2, run.cases.begin() + 4);  // 0008
    run.cases.erase(run.cases.begin() + 4, run.cases.end());        // 0050
    const auto all = divergencesOf(run);
    REQUIRE(all.size() == 1);
    CHECK(all[0].declared);
    CHECK_FALSE(run.anyFailure());

    SECTION("a verdict that differs with no check to explain it is a divergence") {
        run.cases[1].verdict = Verdict::Timeout;  // 0001 on samba
        const auto now = divergencesOf(run);
        REQUIRE(now.size() == 2);
        CHECK(now[0].what == "verdict");
        CHECK_FALSE(now[0].declared);
        CHECK(now[0].sides[1].verdict == "timeout");
    }
    SECTION("a run on one flavour has no divergences") {
        run.directories = {"slapd"};
        CHECK(divergencesOf(run).empty());
    }
}

TEST_CASE("Every report format shows where the directories disagree", "[report][divergence]") {
    const auto run = differentialRun();
    SECTION("console") {
        std::ostringstream out;
        printSummary(run, out);
        CHECK_THAT(out.str(), Catch::Contains("fail            0008_unlock on samba"));
        CHECK_THAT(out.str(),
                   Catch::Contains("directories slapd and samba disagree on 2 check(s) (and 1 "
                                   "declared difference(s)):\n"
                                   "  DIVERGES  0008_unlock: user8: locked [wb-reset-unlocks]\n"
                                   "            slapd: passed (false)\n"
                                   "            samba: failed (true)\n"));
    }
    SECTION("JUnit: undeclared divergences fail, declared ones are skipped") {
        const auto xml = toJUnitXml(run);
        CHECK_THAT(xml,
                   Catch::Contains("<testsuite name=\"directory-divergences\" tests=\"3\" "
                                   "failures=\"2\" errors=\"0\" skipped=\"1\""));
        CHECK_THAT(xml, Catch::Contains("name=\"0042_history: verdict\""));
        CHECK_THAT(xml, Catch::Contains("<skipped message=\"declared: samba: the samba"));
        CHECK_THAT(xml, Catch::Contains("name=\"0008_unlock on samba\""));
    }
    SECTION("report.json keeps each case's flavour and reads back") {
        const auto json = toJson(run);
        CHECK_THAT(json, Catch::Contains("\"directories\": [\n      \"slapd\",\n      \"samba\""));
        CHECK_THAT(json, Catch::Contains("\"divergences\": ["));
        auto back = fromJson(json);
        REQUIRE(back);
        CHECK(back->directories == run.directories);
        CHECK(back->cases[1].directory == "samba");
        CHECK(divergencesOf(*back).size() == 3);
        CHECK(toJson(*back) == json);
    }
    SECTION("summary.md and report.html") {
        const auto md = toMarkdown(run);
        CHECK_THAT(md, Catch::Contains("### Where the directories disagree"));
        CHECK_THAT(md,
                   Catch::Contains("| 0008_unlock | user8: locked | wb-reset-unlocks | passed: "
                                   "false | failed: true | **no** |"));
        const auto html = toHtml(run);
        CHECK_THAT(html, Catch::Contains("<h2>Where the directories disagree</h2>"));
        CHECK_THAT(html, Catch::Contains("id=\"0008_unlock-on-samba\""));
    }
    SECTION("shards of a differential run merge; a scenario on one flavour twice does not") {
        RunResult a = run;
        RunResult b = run;
        a.cases.resize(4);
        b.cases.erase(b.cases.begin(), b.cases.begin() + 4);
        auto merged = mergeRuns({a, b});
        REQUIRE(merged);
        CHECK(divergencesOf(*merged).size() == 3);
        auto twice = mergeRuns({a, a});
        REQUIRE_FALSE(twice);
        CHECK_THAT(twice.error().message, Catch::Contains("0001_agree on slapd"));
        b.directories = {"slapd"};
        CHECK_FALSE(mergeRuns({a, b}));
    }
}
