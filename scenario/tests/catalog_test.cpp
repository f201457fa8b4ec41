// The criteria catalog: the built-in one is sound, bad catalogs and unknown criterion ids are
// refused with positions, and the roll-up the reports show follows the catalog.
#include "test_files.hpp"

#include <wblab/scenario/catalog.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using namespace wblab;
using namespace wblab::scenario;
using namespace wblab::scenario::test;

namespace {

const std::string kScenario = R"yaml(id: case
criteria: [wb-reset-applies, CRITERION]
onprem:
  users:
    - {sam: user1, upn: user1@testlab.example, password: "Seed-Passw0rd-1"}
steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "N3w-Passw0rd!"}
    expect: {outcome: success, criterion: wb-reset-applies}
)yaml";

Expected<Scenario> loadWithCriterion(const std::string& criterion) {
    Files f;
    std::string text = kScenario;
    text.replace(text.find("CRITERION"), 9, criterion);
    return f.load(text);
}

}  // namespace

TEST_CASE("The built-in catalog has every criterion of criteria/catalog.yaml, each complete",
          "[scenario][catalog]") {
    const auto& catalog = builtinCatalog();
    INFO((catalog ? "" : catalog.error().describe()));
    REQUIRE(catalog);
    // Counted in the source file by a reader that knows nothing of YAML: a criterion the parser
    // drops, or one added without updating this count, fails here.
    auto source = readFile(std::string(WBLAB_SOURCE_DIR) + "/criteria/catalog.yaml");
    REQUIRE(source);
    std::size_t listed = 0;
    for (std::size_t at = source->find("\n  - id: "); at != std::string::npos;
         at = source->find("\n  - id: ", at + 1)) {
        ++listed;
    }
    CHECK(catalog->criteria.size() + catalog->exitCriteria.size() == listed);
    CHECK(catalog->criteria.size() == 52);
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

TEST_CASE("A bad catalog is refused with file:line:column", "[scenario][catalog]") {
    const std::string head =
        "exit_criteria:\n  - {id: crit-x, title: X}\ncriteria:\n  - id: a-b\n    title: T\n";
    auto missing = parseCatalog(head, "cat.yaml");
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().describe(), Catch::StartsWith("cat.yaml:4:5: criteria[0]"));
    CHECK_THAT(missing.error().describe(), Catch::Contains("missing required key 'level'"));
    const std::string full = head +
                             "    level: must\n    subject: agent\n    exit: crit-x\n"
                             "    source: \"§1\"\n    description: D\n";
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
    std::string wrongSubject = good;
    wrongSubject.replace(wrongSubject.find("subject: agent"), 14, "subject: user");
    auto subject = parseCatalog(wrongSubject, "cat.yaml");
    REQUIRE_FALSE(subject);
    CHECK(subject.error().describe() ==
          "cat.yaml:7:14: criteria[0].subject: expected agent or cloud");
    auto twice = parseCatalog(good + good.substr(good.find("  - id: a-b")), "cat.yaml");
    REQUIRE_FALSE(twice);
    CHECK_THAT(twice.error().describe(), Catch::Contains("'a-b' is listed twice"));
}

TEST_CASE("A scenario naming an unknown criterion is refused at the item's position",
          "[scenario][catalog][loader]") {
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
          "[scenario][catalog]") {
    const auto& catalog = builtinCatalog();
    REQUIRE(catalog);
    Scenario a;
    a.id = "0001_a";
    a.title = "A";
    a.criteria = {"wb-min-age", "wb-reset-applies"};
    Scenario b;
    b.id = "0002_b";
    b.criteria = {"wb-min-age"};
    CHECK(scenariosCovering("wb-min-age", {a, b}) == std::vector<std::string>{"0001_a", "0002_b"});
    auto md = criteriaMarkdown(*catalog, {a, b});
    CHECK_THAT(md, Catch::Contains("### wb-min-age"));
    CHECK_THAT(md, Catch::Contains("Covered by: `0001_a`, `0002_b`"));
    CHECK_THAT(md, Catch::Contains("## crit-identity-ident-prot"));
    std::ostringstream out;
    explainCriterion(*catalog->find("wb-reset-applies"), *catalog, {a, b}, out);
    CHECK_THAT(out.str(), Catch::StartsWith("wb-reset-applies: "));
    CHECK_THAT(out.str(), Catch::Contains("exit criterion  crit-identity-pw-writeback"));
    CHECK_THAT(out.str(), Catch::Contains("Covered by 1 scenario:\n  0001_a  A\n"));
}

TEST_CASE("The criteria the harness checks itself or a kind decides are in the catalog",
          "[scenario][catalog]") {
    const auto& catalog = builtinCatalog();
    REQUIRE(catalog);
    for (const auto& id : criteria::automatic()) {
        INFO(id);
        CHECK(catalog->find(id) != nullptr);
    }
    for (const char* id :
         {criteria::kEventIds, criteria::kReasonCodes, criteria::kReplayRejected}) {
        INFO(id);
        CHECK(catalog->find(id) != nullptr);
    }
    CHECK(criteria::isAutomatic("wb-convergence"));
    CHECK_FALSE(criteria::isAutomatic("wb-event-ids"));
}
