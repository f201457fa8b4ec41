// The criteria catalog: the built-in one is sound, bad catalogs and unknown criterion ids are
// refused with positions, and the roll-up the reports show follows the catalog.
#include <wblab/harness/catalog.hpp>
#include <wblab/harness/scenario.hpp>
#include <wblab/support/files.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using namespace wblab;
using namespace wblab::harness;

namespace {

const std::string kScenario = R"yaml(id: case
criteria: [wb-reset-applies, CRITERION]
onprem:
  users:
    - {sam: user1, upn: user1@testlab.example, password: "Seed-Passw0rd-1"}
steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "N3w-Passw0rd!"}
)yaml";

Expected<Scenario> loadWithCriterion(const std::string& criterion) {
    auto dir = RunDirectory::create("catalog");
    REQUIRE(dir);
    std::string text = kScenario;
    text.replace(text.find("CRITERION"), 9, criterion);
    const std::string path = dir->path() + "/case.yaml";
    REQUIRE(writeFileAtomically(path, text));
    return loadScenario(path);
}

}  // namespace

TEST_CASE("The built-in catalog has at least 25 criteria, each complete, in every exit criterion",
          "[harness][catalog]") {
    const auto& catalog = builtinCatalog();
    INFO((catalog ? "" : catalog.error().describe()));
    REQUIRE(catalog);
    CHECK(catalog->criteria.size() >= 25);
    REQUIRE(catalog->exitCriteria.size() == 5);
    std::set<std::string> exits;
    for (const auto& c : catalog->criteria) {
        INFO(c.id);
        CHECK_FALSE(c.title.empty());
        CHECK_FALSE(c.description.empty());
        CHECK_THAT(c.source, Catch::Contains("§"));
        exits.insert(c.exitCriterion);
    }
    CHECK(exits.size() == 5);
    // The criteria the issue names explicitly.
    for (const char* id : {"wb-convergence",
                           "sec-encrypted-in-transit",
                           "sec-never-logged",
                           "sec-replay-rejected",
                           "sec-expired-rejected",
                           "sec-least-privilege",
                           "ip-remediation-by-writeback",
                           "ip-blocked-without-writeback",
                           "sync-password-hash-echo",
                           "sync-anchor-matching"}) {
        CHECK(catalog->find(id) != nullptr);
    }
}

TEST_CASE("A bad catalog is refused with file:line:column", "[harness][catalog]") {
    const std::string head =
        "exit_criteria:\n  - {id: crit-x, title: X}\ncriteria:\n  - id: a-b\n    title: T\n";
    auto missing = parseCatalog(head, "cat.yaml");
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().describe(), Catch::StartsWith("cat.yaml:4:5: criteria[0]"));
    CHECK_THAT(missing.error().describe(), Catch::Contains("missing required key 'level'"));
    const std::string full = head +
                             "    level: must\n    exit: crit-x\n    source: \"§1\"\n"
                             "    description: D\n";
    auto level = parseCatalog(full, "cat.yaml");
    REQUIRE_FALSE(level);
    CHECK(level.error().describe() ==
          "cat.yaml:6:12: criteria[0].level: expected required or recommended");
    std::string wrongExit = full;
    wrongExit.replace(wrongExit.find("must"), 4, "required");
    wrongExit.replace(wrongExit.find("exit: crit-x"), 12, "exit: crit-y");
    auto exit = parseCatalog(wrongExit, "cat.yaml");
    REQUIRE_FALSE(exit);
    CHECK_THAT(exit.error().describe(),
               Catch::Contains("'crit-y' is not one of the exit_criteria"));
    std::string good = wrongExit;
    good.replace(good.find("crit-y"), 6, "crit-x");
    CHECK(parseCatalog(good, "cat.yaml"));
    auto twice = parseCatalog(good + good.substr(good.find("  - id: a-b")), "cat.yaml");
    REQUIRE_FALSE(twice);
    CHECK_THAT(twice.error().describe(), Catch::Contains("'a-b' is listed twice"));
}

TEST_CASE("A scenario naming an unknown criterion is refused at the item's position",
          "[harness][catalog][loader]") {
    CHECK(loadWithCriterion("wb-convergence"));
    auto unknown = loadWithCriterion("wb-no-such-thing");
    REQUIRE_FALSE(unknown);
    CHECK_THAT(unknown.error().describe(),
               Catch::EndsWith("case.yaml:2:30: criteria[1]: unknown criterion "
                               "'wb-no-such-thing' (wblab criteria lists them)"));
    auto exit = loadWithCriterion("crit-identity-sync");
    REQUIRE_FALSE(exit);
    CHECK_THAT(exit.error().describe(), Catch::Contains("is an exit criterion"));
}

TEST_CASE("criteria.md and explain list the scenarios that cover a criterion",
          "[harness][catalog]") {
    const auto& catalog = builtinCatalog();
    REQUIRE(catalog);
    Scenario a;
    a.id = "0001_a";
    a.title = "A";
    a.criteria = {"wb-convergence", "wb-reset-applies"};
    Scenario b;
    b.id = "0002_b";
    b.criteria = {"wb-convergence"};
    CHECK(scenariosCovering("wb-convergence", {a, b}) ==
          std::vector<std::string>{"0001_a", "0002_b"});
    auto md = criteriaMarkdown(*catalog, {a, b});
    CHECK_THAT(md, Catch::Contains("### wb-convergence"));
    CHECK_THAT(md, Catch::Contains("Covered by: `0001_a`, `0002_b`"));
    CHECK_THAT(md, Catch::Contains("## crit-identity-ident-prot"));
    std::ostringstream out;
    explainCriterion(*catalog->find("wb-reset-applies"), *catalog, {a, b}, out);
    CHECK_THAT(out.str(), Catch::StartsWith("wb-reset-applies: "));
    CHECK_THAT(out.str(), Catch::Contains("exit criterion  crit-identity-pw-writeback"));
    CHECK_THAT(out.str(), Catch::Contains("Covered by 1 scenario:\n  0001_a  A\n"));
}

TEST_CASE("A run's criteria roll up to the exit criteria through the catalog",
          "[harness][catalog]") {
    const auto& catalog = builtinCatalog();
    REQUIRE(catalog);
    report::RunResult run;
    report::CaseResult ok;
    ok.id = "ok";
    ok.criteria = {"wb-reset-applies"};
    ok.verdict = report::Verdict::Pass;
    report::CaseResult bad;
    bad.id = "bad";
    bad.criteria = {"sspr-scope", "wb-min-age"};
    bad.verdict = report::Verdict::Fail;
    run.cases = {ok, bad};
    attachCatalog(*catalog, run);
    auto criteria = report::criteriaOf(run);
    CHECK(criteria.size() == catalog->criteria.size());
    for (const auto& c : criteria) {
        if (c.id == "wb-reset-applies") {
            CHECK(c.verdict == "pass");
        } else if (c.id == "sspr-scope" || c.id == "wb-min-age") {
            CHECK(c.verdict == "fail");
        } else {
            CHECK(c.verdict == "not-run");
        }
    }
    for (const auto& e : report::exitCriteriaOf(run)) {
        if (e.info.id == "crit-identity-pw-writeback") {
            CHECK(e.verdict == "warn");  // wb-min-age is only recommended
            CHECK(e.failedRecommended == std::vector<std::string>{"wb-min-age"});
        } else if (e.info.id == "crit-identity-pw-reset") {
            CHECK(e.verdict == "fail");
        } else {
            CHECK(e.verdict == "not-run");
        }
    }
}
