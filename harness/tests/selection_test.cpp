#include <wblab/harness/runner.hpp>
#include <wblab/harness/seeding.hpp>
#include <wblab/harness/selection.hpp>
#include <wblab/harness/zoo.hpp>
#include <wblab/scenario/catalog.hpp>
#include <wblab/sim/lab_mutation.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

using namespace wblab;
using namespace wblab::harness;
using wblab::scenario::Scenario;

namespace {

std::vector<Scenario> sample() {
    std::vector<Scenario> out;
    for (int i = 1; i <= 6; ++i) {
        Scenario s;
        s.id = "000" + std::to_string(i) + (i % 2 == 0 ? "_change" : "_reset");
        s.tags = {i % 2 == 0 ? "change" : "reset"};
        s.criteria = {i <= 3 ? "crit-identity-pw-writeback" : "crit-identity-sync"};
        out.push_back(s);
    }
    return out;
}

std::vector<std::string> ids(const Expected<std::vector<Scenario>>& chosen) {
    REQUIRE(chosen);
    std::vector<std::string> out;
    for (const auto& s : *chosen) {
        out.push_back(s.id);
    }
    return out;
}

}  // namespace

TEST_CASE("Selection by tag, criterion and id pattern combines as AND", "[harness][selection]") {
    Selection sel;
    sel.tags = {"change"};
    CHECK(ids(selectScenarios(sample(), sel)) ==
          std::vector<std::string>{"0002_change", "0004_change", "0006_change"});
    sel.criteria = {"crit-identity-sync"};
    CHECK(ids(selectScenarios(sample(), sel)) ==
          std::vector<std::string>{"0004_change", "0006_change"});
    sel.filter = "^0006";
    CHECK(ids(selectScenarios(sample(), sel)) == std::vector<std::string>{"0006_change"});
}

TEST_CASE("Shards partition the selection, every scenario in exactly one", "[harness][selection]") {
    std::vector<std::string> all;
    for (int k = 1; k <= 4; ++k) {
        auto sel = withShard(Selection{}, std::to_string(k) + "/4");
        REQUIRE(sel);
        auto part = ids(selectScenarios(sample(), *sel));
        CHECK(part.size() <= 2);
        all.insert(all.end(), part.begin(), part.end());
    }
    std::sort(all.begin(), all.end());
    CHECK(all == ids(selectScenarios(sample(), Selection{})));
}

TEST_CASE("Bad shards and bad patterns are input errors", "[harness][selection]") {
    for (const char* bad : {"0/2", "3/2", "2", "a/b", "1/2x", "-1/2"}) {
        INFO(bad);
        auto sel = withShard(Selection{}, bad);
        REQUIRE_FALSE(sel);
        CHECK(sel.error().code == ErrorCode::InvalidInput);
    }
    Selection sel;
    sel.filter = "([unclosed";
    auto chosen = selectScenarios(sample(), sel);
    REQUIRE_FALSE(chosen);
    CHECK(chosen.error().code == ErrorCode::InvalidInput);
}

TEST_CASE("An agent command line is split on spaces with quotes grouping words",
          "[harness][agent]") {
    auto cmd = resolveAgent("/opt/agent --flag \"two words\" last", "/usr/bin/wblab");
    REQUIRE(cmd);
    CHECK(cmd->argv == std::vector<std::string>{"/opt/agent", "--flag", "two words", "last"});
    CHECK(cmd->label == "/opt/agent --flag \"two words\" last");
    CHECK_FALSE(resolveAgent("/opt/agent \"unbalanced", "/usr/bin/wblab"));
    CHECK_FALSE(resolveAgent("   ", "/usr/bin/wblab"));
}

TEST_CASE("The zoo credits a silent agent only with what could not be checked", "[harness][zoo]") {
    auto check = [](const char* criterion, bool passed, bool made) {
        return report::CheckOutcome{criterion, "c", "e", "o", passed, made};
    };
    report::CaseResult wrong;
    wrong.checks = {check("wb-reset-applies", false, true),
                    check("wb-event-ids", true, true),
                    check("sec-never-logged", true, true)};
    CHECK(creditedCriteria(wrong) == std::set<std::string>{"wb-reset-applies"});
    report::CaseResult silent;
    silent.checks = {check("wb-answers-in-time", false, true),
                     check("wb-reset-applies", false, true),  // the user saw SSPR_0030
                     check("wb-event-ids", false, false),     // nothing to compare
                     check("sec-never-logged", true, true)};
    CHECK(creditedCriteria(silent) == std::set<std::string>{"wb-answers-in-time", "wb-event-ids"});
}

TEST_CASE("Exact ids, excluded tags and the last run's failures narrow the selection",
          "[harness][selection]") {
    Selection sel;
    sel.ids = {"0004_change", "0001_reset"};
    CHECK(ids(selectScenarios(sample(), sel)) ==
          std::vector<std::string>{"0001_reset", "0004_change"});  // in the suite's order
    sel.ids.push_back("0009_typo");
    auto typo = selectScenarios(sample(), sel);
    REQUIRE_FALSE(typo);
    CHECK_THAT(typo.error().message, Catch::Contains("no scenario has the id '0009_typo'"));

    Selection excluded;
    excluded.excludeTags = {"change"};
    CHECK(ids(selectScenarios(sample(), excluded)) ==
          std::vector<std::string>{"0001_reset", "0003_reset", "0005_reset"});

    Selection failedBefore;
    failedBefore.lastFailed = std::vector<std::string>{"0005_reset", "0002_change", "0099_gone"};
    CHECK(ids(selectScenarios(sample(), failedBefore)) ==
          std::vector<std::string>{"0002_change", "0005_reset"});
}

TEST_CASE("Values of --id split on commas outside a matrix id's brackets", "[harness][selection]") {
    CHECK(splitIds({"a,b", "c"}) == std::vector<std::string>{"a", "b", "c"});
    CHECK(splitIds({"0301_x[min_length=8,outcome=success],0001_y"}) ==
          std::vector<std::string>{"0301_x[min_length=8,outcome=success]", "0001_y"});
    CHECK(splitIds({",,a,"}) == std::vector<std::string>{"a"});
}

TEST_CASE("A shard's scenarios keep their position in the whole selection",
          "[harness][selection]") {
    auto sel = withShard(Selection{}, "2/3");
    REQUIRE(sel);
    sel->excludeTags = {"nothing"};
    auto chosen = chooseScenarios(sample(), *sel);
    REQUIRE(chosen);
    REQUIRE(chosen->size() == 2);
    CHECK((*chosen)[0].position == 1);
    CHECK((*chosen)[1].position == 4);
    CHECK(sample()[(*chosen)[1].index].id == "0005_reset");
}

TEST_CASE("Without --seed, the shards of one CI run agree on the seed", "[harness][seed]") {
    const std::map<std::string, std::string> github = {{"GITHUB_RUN_ID", "8812"}};
    const std::map<std::string, std::string> gitlab = {{"CI_PIPELINE_ID", "8812"}};
    auto envOf = [](const std::map<std::string, std::string>& vars) {
        return [&vars](const char* name) -> const char* {
            auto it = vars.find(name);
            return it == vars.end() ? nullptr : it->second.c_str();
        };
    };
    const auto shard1 = chooseSeed(std::nullopt, "", envOf(github), 111);
    const auto shard2 = chooseSeed(std::nullopt, "", envOf(github), 222);
    CHECK(shard1.seed == shard2.seed);
    CHECK(shard1.runId == "8812");
    CHECK(shard1.source == "GITHUB_RUN_ID");
    CHECK(chooseSeed(std::nullopt, "", envOf(gitlab), 1).seed == shard1.seed);
    CHECK(chooseSeed(std::nullopt, "8812", envOf({}), 1).seed == shard1.seed);
    CHECK(chooseSeed(std::nullopt, "8813", envOf(github), 1).seed != shard1.seed);
    const auto given = chooseSeed(7, "8812", envOf(github), 1);
    CHECK(given.seed == 7);
    CHECK(given.runId.empty());
    const auto local = chooseSeed(std::nullopt, "", envOf({}), 12345);
    CHECK(local.seed == 12345);
    CHECK(local.source == "clock");
}

TEST_CASE("Every cloud criterion has a lab mutation aimed at it, and only cloud criteria do",
          "[harness][zoo]") {
    const auto& catalog = scenario::builtinCatalog();
    REQUIRE(catalog);
    std::set<std::string> cloud;
    for (const auto& c : catalog->criteria) {
        if (c.subject == "cloud") {
            cloud.insert(c.id);
        }
    }
    std::set<std::string> aimedAt;
    for (const auto& m : sim::labMutations()) {
        INFO(m.name);
        const auto* criterion = catalog->find(m.criterion);
        REQUIRE(criterion != nullptr);
        CHECK(criterion->subject == "cloud");
        aimedAt.insert(m.criterion);
        CHECK(sim::labMutationFromString(m.name) == m.mutation);
    }
    // A cloud criterion without a mutation would be scored by the lab half with nothing that
    // could ever fail it.
    CHECK(aimedAt == cloud);
    CHECK(labMutationNames().size() == sim::labMutations().size());
}

TEST_CASE("Each half of the zoo is scored against the criteria of its own subject",
          "[harness][zoo]") {
    ZooResult zoo;
    zoo.faults = {"ignores-unlock", "hangs"};
    zoo.mutations = {"ignores-sspr-scope", "ignores-licence"};
    zoo.criteria = {"wb-reset-unlocks", "wb-answers-in-time", "sspr-scope", "sspr-licence"};
    zoo.cloudCriteria = {"sspr-scope", "sspr-licence"};
    zoo.failedBy[{"ignores-unlock", "wb-reset-unlocks"}] = "0008";
    zoo.failedBy[{"hangs", "wb-answers-in-time"}] = "0001";
    // An agent fault that also fails a cloud criterion does not count for the lab's half.
    zoo.failedBy[{"hangs", "sspr-licence"}] = "0025";
    zoo.failedBy[{"ignores-sspr-scope", "sspr-scope"}] = "0024";
    // A mutation noticed only by an agent criterion is not caught: its half measures the cloud's.
    zoo.failedBy[{"ignores-licence", "wb-reset-unlocks"}] = "0008";
    const auto agent = zoo.agentHalf();
    CHECK(agent.criteria == std::vector<std::string>{"wb-reset-unlocks", "wb-answers-in-time"});
    CHECK(agent.complete());
    CHECK(agent.score() == Approx(100.0));
    const auto lab = zoo.labHalf();
    CHECK(lab.killed == std::vector<std::string>{"sspr-scope"});
    CHECK(lab.caught == std::vector<std::string>{"ignores-sspr-scope"});
    CHECK_FALSE(lab.complete());
    CHECK(lab.score() == Approx(100.0 * 2 / 4));  // 1 of 2 mutations caught, 1 of 2 criteria
    CHECK_FALSE(zoo.complete());
    zoo.mutations.clear();  // --no-lab: only the agent's half decides
    CHECK(zoo.complete());
}

TEST_CASE("Selection by an expected agent event or outcome, as in a customer's evidence",
          "[harness][selection]") {
    auto all = sample();
    scenario::Step protectedStep;
    protectedStep.expect.outcome =
        scenario::Expectation<sim::Outcome>{sim::Outcome::OnPremisesAdminActionRequired, "c"};
    protectedStep.expect.events = scenario::Expectation<std::vector<int>>{{31001, 33004}, "c"};
    all[0].steps.push_back(protectedStep);
    scenario::Step partial;
    partial.expect.eventsInclude = scenario::Expectation<std::vector<int>>{{33004}, "c"};
    partial.expect.eventsExclude = scenario::Expectation<std::vector<int>>{{33008}, "c"};
    all[3].steps.push_back(partial);
    Selection sel;
    sel.events = {33004};
    CHECK(ids(selectScenarios(all, sel)) == std::vector<std::string>{"0001_reset", "0004_change"});
    sel.events = {33008};  // excluded is not expected
    CHECK(ids(selectScenarios(all, sel)).empty());
    sel.events = {33008, 31001};
    CHECK(ids(selectScenarios(all, sel)) == std::vector<std::string>{"0001_reset"});
    sel.events.clear();
    sel.outcomes = {sim::Outcome::OnPremisesAdminActionRequired};
    CHECK(ids(selectScenarios(all, sel)) == std::vector<std::string>{"0001_reset"});
    sel.outcomes = {sim::Outcome::Success};
    CHECK(ids(selectScenarios(all, sel)).empty());
}
