// The scenario writer: what it writes reads back as the same scenario (every bundled scenario,
// matrices, includes and storms expanded), with the comments it was given, and with `symptom:`
// and `established:`.
#include "test_files.hpp"

#include <wblab/scenario/symptoms.hpp>
#include <wblab/scenario/writer.hpp>

#include <sstream>

namespace wblab::scenario::test {

namespace {

/// explain's words without the file line: what a person would read about the scenario.
std::string explained(const Scenario& s) {
    std::ostringstream out;
    explainScenario(s, out);
    std::string text;
    std::istringstream lines(out.str());
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("  file ", 0) != 0) {
            text += line + "\n";
        }
    }
    return text;
}

}  // namespace

TEST_CASE("Every bundled scenario written as YAML reads back as the same scenario", "[writer]") {
    auto files = collectScenarioFiles({std::string(WBLAB_SOURCE_DIR) + "/scenarios"});
    REQUIRE(files);
    Files f;
    int written = 0;
    for (const auto& path : *files) {
        auto all = loadScenarios(path);
        REQUIRE(all);
        for (const auto& s : *all) {
            INFO(s.id);
            const std::string yaml = toYaml(s);
            auto again = loadScenario(f.write(s.id + ".yaml", yaml));
            if (!again) {
                FAIL(again.error().describe() + "\n" + yaml);
            }
            CHECK(toYaml(*again) == yaml);
            CHECK(explained(*again) == explained(s));
            CHECK(again->secrets() == s.secrets());
            ++written;
        }
    }
    CHECK(written > 90);
}

TEST_CASE("The writer puts comments where the annotations say and quotes what needs it",
          "[writer]") {
    Files f;
    auto s = f.load(R"(id: case
title: "A title: with a colon"
symptom: "SSPR_0029 and 33004 in the Application log"
onprem:
  users:
    - {sam: u1, upn: u1@testlab.example, password: "true", protected: true}
established: [user:u1, policy]
steps:
  - sspr_reset: {user: u1@testlab.example, new_password: "Pass #1: x"}
    expect: {outcome: SSPR_0029, events: [31001, 31003, 33004], criterion: wb-protected-account}
)");
    REQUIRE(s);
    CHECK(s->symptom == "SSPR_0029 and 33004 in the Application log");
    CHECK(s->established == std::vector<std::string>{"user:u1", "policy"});
    CHECK(expectsEvent(*s, 33004));
    CHECK_FALSE(expectsEvent(*s, 33008));
    CHECK(expectsOutcome(*s, sim::Outcome::OnPremisesAdminActionRequired));
    Annotations notes;
    notes.header = {"Drafted from evidence"};
    notes.before["steps.1"] = "audit.json:12: Reset password (self-service), failure";
    notes.after["onprem.users.u1.protected"] = "u1.ldif:9: adminCount: 1";
    const std::string yaml = toYaml(*s, notes);
    CHECK_THAT(yaml, Catch::StartsWith("# Drafted from evidence\nid: case\n"));
    CHECK_THAT(yaml,
               Catch::Contains("  # audit.json:12: Reset password (self-service), failure\n"
                               "  - sspr_reset:"));
    CHECK_THAT(yaml, Catch::Contains("protected: true  # u1.ldif:9: adminCount: 1"));
    CHECK_THAT(yaml, Catch::Contains("password: \"true\""));
    CHECK_THAT(yaml, Catch::Contains("new_password: \"Pass #1: x\""));
    auto again = loadScenario(f.write("case.yaml", yaml));
    REQUIRE(again);
    CHECK(again->symptom == s->symptom);
    CHECK(again->established == s->established);
    CHECK(std::get<SsprReset>(again->steps[0].action).newPassword == "Pass #1: x");
}

TEST_CASE("established: names only known parts and known users", "[writer]") {
    Files f;
    const std::string base = R"(id: case
onprem:
  users:
    - {sam: u1, upn: u1@testlab.example, password: "Seed-Passw0rd-1"}
established: [PART]
steps:
  - advance: 1m
)";
    auto text = [&](const std::string& part) {
        std::string t = base;
        t.replace(t.find("PART"), 4, part);
        return t;
    };
    CHECK(f.load(text("connector")));
    auto badUser = f.load(text("user:nobody"));
    REQUIRE_FALSE(badUser);
    CHECK(badUser.error().where->line == 5);
    auto badPart = f.load(text("weather"));
    REQUIRE_FALSE(badPart);
    CHECK_THAT(badPart.error().message, Catch::Contains("expected tenant, policy, connector"));
}

}  // namespace wblab::scenario::test
