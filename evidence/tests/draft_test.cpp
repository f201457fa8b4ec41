// Drafts from evidence: each sample set in examples/evidence drafts a scenario that validates,
// with the values the evidence shows, placeholders for passwords, no password from the
// evidence, and consistent pseudonyms.
#include <wblab/evidence/evidence.hpp>
#include <wblab/scenario/loader.hpp>
#include <wblab/support/files.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

namespace wblab::evidence {

namespace {

const std::string kSamples = std::string(WBLAB_SOURCE_DIR) + "/examples/evidence";

Evidence readSample(const std::string& name) {
    Evidence e;
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(kSamples + "/" + name)) {
        files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        auto read =
            readEvidenceFile(f, e, ReadOptions{-60});  // the samples' Event Viewer ran at UTC+1
        if (!read) {
            FAIL(read.error().describe());
        }
    }
    return e;
}

struct Loaded {
    std::string yaml;
    scenario::Scenario scenario;
};

Loaded draftAndLoad(const Evidence& e, const std::string& id) {
    auto draft = draftScenario(e, {id, ""});
    REQUIRE(draft);
    auto dir = RunDirectory::create("evidence-test");
    REQUIRE(dir);
    const std::string path = dir->path() + "/" + id + ".yaml";
    REQUIRE(writeFileAtomically(path, draft->yaml));
    auto loaded = scenario::loadScenario(path);
    if (!loaded) {
        FAIL(loaded.error().describe() + "\n" + draft->yaml);
    }
    return {draft->yaml, *loaded};
}

}  // namespace

TEST_CASE("Every sample evidence set drafts a scenario that validates", "[draft]") {
    int drafted = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kSamples)) {
        if (!entry.is_directory()) {
            continue;
        }
        const std::string name = entry.path().filename().string();
        INFO(name);
        auto d = draftAndLoad(readSample(name), "case_" + name);
        CHECK_FALSE(d.scenario.steps.empty());
        CHECK_FALSE(d.scenario.symptom.empty());
        CHECK(d.scenario.tags == std::vector<std::string>{"imported"});
        ++drafted;
    }
    CHECK(drafted == 16);
}

TEST_CASE("The draft takes the policy, the connector's rights and the account from the export",
          "[draft]") {
    auto connector = draftAndLoad(readSample("0041"), "c41");
    CHECK_FALSE(connector.scenario.onprem.connector.resetPassword);
    CHECK(connector.scenario.onprem.connector.writeLockoutTime);
    CHECK_THAT(connector.yaml, Catch::Contains("# directory.ldf:"));
    auto history = draftAndLoad(readSample("0042"), "c42");
    CHECK(history.scenario.onprem.policy.history == 3);
    auto pso = draftAndLoad(readSample("0044"), "c44");
    REQUIRE(pso.scenario.onprem.fineGrainedPolicies.size() == 1);
    CHECK(pso.scenario.onprem.fineGrainedPolicies[0].policy.minLength == 18);
    CHECK(pso.scenario.onprem.fineGrainedPolicies[0].users == std::vector<std::string>{"cfo"});
    auto protectedUser = draftAndLoad(readSample("0040"), "c40");
    CHECK(protectedUser.scenario.onprem.users.at(0).protectedAccount);
    auto cannot = draftAndLoad(readSample("0048"), "c48");
    CHECK(cannot.scenario.onprem.users.at(0).cannotChangePassword);
    auto twins = draftAndLoad(readSample("0046"), "c46");
    REQUIRE(twins.scenario.onprem.users.size() == 2);
    CHECK(twins.scenario.onprem.users[0].anchor == twins.scenario.onprem.users[1].anchor);
    auto alias = draftAndLoad(readSample("0045"), "c45");
    CHECK(alias.scenario.onprem.users.at(0).cloudUpn == "dorcas.mensah@tailspin.example");
}

TEST_CASE("Steps, outcomes, events and time come from the logs", "[draft]") {
    auto late = draftAndLoad(readSample("0052"), "c52");
    const auto& steps = late.scenario.steps;
    REQUIRE(steps.size() == 3);
    CHECK(steps[0].relay.delaySeconds == 120);
    CHECK(std::get<scenario::Advance>(steps[1].action).seconds == 1800);
    CHECK(steps[2].relay.delaySeconds == 600);
    CHECK(steps[2].expect.outcome->value == sim::Outcome::OnPremisesConnectivityError);
    CHECK(steps[2].expect.events->value == std::vector<int>{31001, 31003, 32003});
    CHECK(steps[2].expect.reason->value == 32003);
    auto deleted = draftAndLoad(readSample("0055"), "c55");
    CHECK(std::holds_alternative<scenario::OnPremDelete>(deleted.scenario.steps.at(0).action));
    auto unknownReason = draftAndLoad(readSample("0047"), "c47");
    CHECK(unknownReason.scenario.steps.at(0).expect.outcome->value ==
          sim::Outcome::OnPremisesAdminActionRequired);
    CHECK_THAT(unknownReason.yaml, Catch::Contains("inferred from event 33005"));
    auto mustChange = draftAndLoad(readSample("0051"), "c51");
    CHECK(std::get<scenario::AdminReset>(mustChange.scenario.steps.at(0).action).mustChange);
    REQUIRE(mustChange.scenario.expectDirectory.size() == 2);
    CHECK_FALSE(mustChange.scenario.expectDirectory[0].mustChange->value);
    CHECK(mustChange.scenario.expectDirectory[1].mustChange->value);
}

TEST_CASE("Placeholders behave as the evidence says", "[draft]") {
    auto history = draftAndLoad(readSample("0042"), "p42");
    const auto& seed = history.scenario.onprem.users.at(0).password;
    // Step 3 was refused under a history of 3: its placeholder is the seed password again.
    CHECK(std::get<scenario::SsprReset>(history.scenario.steps.at(2).action).newPassword == seed);
    auto complexity = draftAndLoad(readSample("0050"), "p50");
    const auto refused =
        std::get<scenario::SsprReset>(complexity.scenario.steps.at(0).action).newPassword;
    CHECK_THAT(refused, Catch::Contains("Huaman"));
    auto change = draftAndLoad(readSample("0041"), "p41");
    const auto& last = std::get<scenario::SsprChange>(change.scenario.steps.back().action);
    CHECK(last.oldPassword == change.scenario.onprem.users.at(0).password);
}

TEST_CASE("No password from the evidence reaches the draft", "[draft]") {
    Evidence e = readSample("0041");
    const std::string secret = "Corp-Secret-Passw0rd-17";
    auto extra = readEvidence(
        "dn: CN=Gus,OU=Staff,DC=ad,DC=tailspin,DC=example\n"
        "objectClass: user\nsAMAccountName: gus\n"
        "userPassword: " +
            secret + "\nunicodePwd:: " + "IgBDAG8AcgBwAC0AUwBlAGMAcgBlAHQAIgA=\n",
        "extra.ldf",
        e);
    REQUIRE(extra);
    e.audits.front().details.emplace_back("newPassword", secret);
    auto draft = draftScenario(e, {"secret", ""});
    REQUIRE(draft);
    CHECK(draft->yaml.find(secret) == std::string::npos);
    CHECK(draft->yaml.find("Corp-Secret") == std::string::npos);
    CHECK_THAT(draft->yaml, Catch::Contains("Fill-In-"));
}

TEST_CASE("Pseudonymising (--pseudonymise) replaces every name consistently", "[draft]") {
    Evidence e = readSample("0045");
    pseudonymise(e);
    auto d = draftAndLoad(e, "pseudo");
    for (const char* original : {"dmensah", "Dorcas", "Mensah", "tailspin", "5d1b8f3e"}) {
        INFO(original);
        CHECK(d.yaml.find(original) == std::string::npos);
    }
    // The cloud name still leads to the same directory account (mail matched after renaming).
    const auto& u = d.scenario.onprem.users.at(0);
    CHECK_FALSE(u.cloudUpn.empty());
    CHECK(u.cloudUpn != u.upn);
    // The same draft as without pseudonyms, names aside.
    CHECK(d.scenario.steps.size() ==
          draftAndLoad(readSample("0045"), "plain").scenario.steps.size());
    Evidence again = readSample("0045");
    pseudonymise(again);
    CHECK(draftScenario(again, {"pseudo", ""})->yaml == d.yaml);
}

TEST_CASE("Evidence without an operation is refused with what was looked for", "[draft]") {
    Evidence e;
    REQUIRE(readEvidence("dn: DC=corp,DC=example\nminPwdLength: 9\n", "d.ldf", e));
    auto draft = draftScenario(e, {"nothing", ""});
    REQUIRE_FALSE(draft);
    CHECK_THAT(draft.error().message, Catch::Contains("no password operation"));
}

}  // namespace wblab::evidence
