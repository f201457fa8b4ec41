// `include:` (shared setup from other files) and `matrix:` (one scenario per parameter row).
#include "test_files.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace wblab;
using namespace wblab::scenario;
using namespace wblab::scenario::test;

namespace {

const std::string kShared = R"yaml(tenant: {sspr: all, unlock_without_reset: true}
onprem:
  policy: {min_length: 9, history: 3}
  users:
    - {sam: shared1, upn: shared1@testlab.example, password: "Shared-Pw-1"}
)yaml";

const std::string kSteps = R"yaml(steps:
  - sspr_reset: {user: shared1@testlab.example, new_password: "New-Pw-1234"}
)yaml";

}  // namespace

TEST_CASE("include merges shared setup under the scenario's own", "[scenario][loader][include]") {
    Files f;
    f.write("common/_base.yaml", "include: _tenant.yaml\n" + kShared);
    f.write("common/_tenant.yaml", "tenant: {writeback: false, sspr: none}\n");
    const auto path =
        f.write("case.yaml",
                "include: common/_base.yaml\n"
                "onprem:\n"
                "  policy: {min_length: 12}\n"
                "  users:\n"
                "    - {sam: own1, upn: own1@testlab.example, password: \"Own-Pw-1\"}\n" +
                    kSteps);
    auto s = loadScenario(path);
    REQUIRE(s);
    CHECK(s->tenant.sspr == sim::SsprScope::All);  // the nearer file wins
    CHECK_FALSE(s->tenant.writeback);              // from the nested include
    CHECK(s->tenant.unlockWithoutReset);
    CHECK(s->onprem.policy.minLength == 12);  // the scenario wins
    CHECK(s->onprem.policy.history == 3);     // the rest of the policy comes from the include
    REQUIRE(s->onprem.users.size() == 2);
    CHECK(s->onprem.users[0].sam == "shared1");
    CHECK(s->onprem.users[1].sam == "own1");
    // Passwords from shared setup are secrets of the scenario too.
    auto secrets = s->secrets();
    CHECK(std::find(secrets.begin(), secrets.end(), "Shared-Pw-1") != secrets.end());
}

TEST_CASE("Bad includes are errors with the file, line and column", "[scenario][loader][include]") {
    Files f;
    SECTION("a missing file points at the include in the including file") {
        const auto path =
            f.write("case.yaml", "id: case\ninclude: [_there.yaml, _gone.yaml]\n" + kSteps);
        f.write("_there.yaml", kShared);
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("include: no such file '_gone.yaml'"));
        REQUIRE(s.error().where);
        CHECK(s.error().where->file == path);
        CHECK(s.error().where->line == 2);
        CHECK(s.error().where->column == 24);
    }
    SECTION("a cycle names the chain") {
        const auto path = f.write("case.yaml", "include: _a.yaml\n" + kSteps);
        f.write("_a.yaml", "include: _b.yaml\n" + kShared);
        const auto b = f.write("_b.yaml", "\ninclude: _a.yaml\n");
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message,
                   Catch::Contains("include cycle: case.yaml -> _a.yaml -> _b.yaml -> _a.yaml"));
        REQUIRE(s.error().where);
        CHECK(s.error().where->file == b);
        CHECK(s.error().where->line == 2);
    }
    SECTION("a scenario cannot include itself") {
        const auto path = f.write("case.yaml", "include: case.yaml\n" + kSteps);
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("include cycle"));
    }
    SECTION("an error inside the shared file points into it") {
        const auto path = f.write("case.yaml", "include: _bad.yaml\n" + kSteps);
        const auto bad = f.write("_bad.yaml", "onprem:\n  policy: {min_length: many}\n");
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message,
                   Catch::Contains("onprem.policy.min_length: expected an integer"));
        REQUIRE(s.error().where);
        CHECK(s.error().where->file == bad);
        CHECK(s.error().where->line == 2);
    }
    SECTION("shared setup holds only tenant, onprem and include") {
        const auto path = f.write("case.yaml", "include: _steps.yaml\n" + kSteps);
        const auto shared = f.write("_steps.yaml", kShared + kSteps);
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("steps: unknown key"));
        REQUIRE(s.error().where);
        CHECK(s.error().where->file == shared);
    }
    SECTION("broken YAML in the shared file") {
        const auto path = f.write("case.yaml", "include: _broken.yaml\n" + kSteps);
        const auto broken = f.write("_broken.yaml", "onprem: [unclosed\n");
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        REQUIRE(s.error().where);
        CHECK(s.error().where->file == broken);
    }
}

TEST_CASE("Directories skip shared setup files", "[scenario][loader][include]") {
    Files f;
    f.write("_base.yaml", kShared);
    f.write("0001_case.yaml", "include: _base.yaml\n" + kSteps);
    auto files = collectScenarioFiles({f.dir.path()});
    REQUIRE(files);
    REQUIRE(files->size() == 1);
    CHECK_THAT(files->front(), Catch::EndsWith("/0001_case.yaml"));
}

TEST_CASE("A matrix gives one scenario per combination or row", "[scenario][loader][matrix]") {
    Files f;
    SECTION("a mapping of lists: every combination, the first name slowest") {
        const auto path = f.write("grid.yaml",
                                  "id: grid\ninclude: _base.yaml\n"
                                  "matrix: {min_length: [8, 14], history: [0, 5]}\n"
                                  "onprem: {policy: {min_length: ${min_length}, history: "
                                  "${history}}}\n" +
                                      kSteps);
        f.write("_base.yaml", kShared);
        auto all = loadScenarios(path);
        REQUIRE(all);
        REQUIRE(all->size() == 4);
        CHECK((*all)[0].id == "grid[min_length=8,history=0]");
        CHECK((*all)[1].id == "grid[min_length=8,history=5]");
        CHECK((*all)[3].id == "grid[min_length=14,history=5]");
        CHECK((*all)[2].onprem.policy.minLength == 14);
        CHECK((*all)[2].onprem.policy.history == 0);
        CHECK((*all)[3].onprem.users.size() == 1);
        auto one = loadScenario(path);
        REQUIRE_FALSE(one);
        CHECK_THAT(one.error().message, Catch::Contains("into 4 scenarios"));
    }
    SECTION("a list of rows, values also inside strings and as keys") {
        const auto path = f.write("rows.yaml",
                                  "matrix:\n"
                                  "  - {outcome: success, new: binds}\n"
                                  "  - {outcome: policy_violation, new: rejects}\n" +
                                      kShared + kSteps +
                                      "    expect: {outcome: ${outcome}, criterion: "
                                      "wb-onprem-policy}\n"
                                      "expect:\n  directory:\n"
                                      "    - {user: shared1, ${new}: [\"New-Pw-1234\"], "
                                      "criterion: wb-convergence}\n");
        auto all = loadScenarios(path);
        REQUIRE(all);
        REQUIRE(all->size() == 2);
        CHECK((*all)[0].id == "rows[outcome=success,new=binds]");
        CHECK((*all)[0].steps[0].expect.outcome->value == sim::Outcome::Success);
        CHECK((*all)[0].expectDirectory[0].binds->value.size() == 1);
        CHECK((*all)[1].steps[0].expect.outcome->value == sim::Outcome::OnPremisesPolicyViolation);
        CHECK((*all)[1].expectDirectory[0].rejects->value.size() == 1);
    }
}

TEST_CASE("Bad matrices are errors with a position", "[scenario][loader][matrix]") {
    struct Case {
        std::string text;
        std::string message;
        int line;
        int column;
    };

    auto c = GENERATE(
        Case{"timeout: ${len}\n", "unknown parameter '${len}' (the scenario has no matrix)", 1, 10},
        Case{"matrix: {a: [1]}\ntimeout: ${b}\n",
             "unknown parameter '${b}' (not in the matrix)",
             2,
             10},
        Case{"matrix: {a: [1], b: [2]}\ntimeout: ${a}\n",
             "matrix: parameter 'b' is never used",
             1,
             9},
        Case{"matrix: {a: []}\n", "matrix.a: expected a list of values", 1, 13},
        Case{
            "matrix: {a: [\"x,y\"]}\n", "matrix.a[0]: a matrix value is 1 to 64 characters", 1, 14},
        Case{"matrix: {a: [{b: 1}]}\n", "matrix.a[0]: a matrix value is a plain value", 1, 14},
        Case{"matrix: {9a: [1]}\n", "matrix: a parameter name is letters", 1, 10},
        Case{"matrix: [{a: 1}, {b: 2}]\n", "matrix[1]: every row names the same parameters", 1, 18},
        Case{
            "matrix: 5\n", "matrix: expected a mapping of parameter lists or a list of rows", 1, 9},
        Case{"matrix: {a: [1,2,3,4], b: [1,2,3,4], c: [1,2,3,4], d: [1,2,3,4]}\n",
             "matrix: expands to more than 64 scenarios",
             1,
             9});
    Files f;
    const auto path = f.write("case.yaml", c.text + kShared + kSteps);
    auto s = loadScenarios(path);
    INFO(c.text);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::InvalidInput);
    CHECK_THAT(s.error().message, Catch::Contains(c.message));
    REQUIRE(s.error().where);
    CHECK(s.error().where->file == path);
    CHECK(s.error().where->line == c.line);
    CHECK(s.error().where->column == c.column);
}
