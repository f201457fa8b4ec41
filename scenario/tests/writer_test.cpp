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

/// The scenario without where it was read from (file, lines): what two readings must share.
Scenario withoutPlaces(Scenario s) {
    s.file.clear();
    for (auto& u : s.onprem.users) {
        u.where = {};
    }
    for (auto& u : s.tenant.cloudUsers) {
        u.where = {};
    }
    for (auto& step : s.steps) {
        step.where = {};
        if (step.expect.risk) {
            step.expect.risk->where = {};
        }
        if (auto* change = std::get_if<TenantChange>(&step.action)) {
            for (auto& u : change->tenant.cloudUsers) {
                u.where = {};
            }
        }
    }
    for (auto& d : s.expectDirectory) {
        d.where = {};
    }
    for (auto& r : s.expectRisk) {
        r.where = {};
    }
    for (auto& iso : s.isolates) {
        iso.where = {};
    }
    return s;
}

/// Load, write, load: the same model, part by part (so that a failure names the part).
void checkSameModel(const Scenario& original, const Scenario& again) {
    const Scenario a = withoutPlaces(original);
    const Scenario b = withoutPlaces(again);
    CHECK(a.tenant == b.tenant);
    CHECK(a.onprem == b.onprem);
    REQUIRE(a.steps.size() == b.steps.size());
    for (std::size_t i = 0; i < a.steps.size(); ++i) {
        INFO("step " << i + 1);
        CHECK(a.steps[i].action == b.steps[i].action);
        CHECK(a.steps[i].relay == b.steps[i].relay);
        CHECK(a.steps[i].during == b.steps[i].during);
        CHECK(a.steps[i].expect == b.steps[i].expect);
    }
    CHECK(a.expectDirectory == b.expectDirectory);
    CHECK(a.expectRisk == b.expectRisk);
    CHECK(a.isolates == b.isolates);
    CHECK(a == b);
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
            checkSameModel(s, *again);
            CHECK(toYaml(*again) == yaml);
            CHECK(explained(*again) == explained(s));
            CHECK(again->secrets() == s.secrets());
            ++written;
        }
    }
    CHECK(written >= 120);
}

TEST_CASE("A tenant change of every kind of setting, and the newer step options, read back",
          "[writer]") {
    Files f;
    auto s = f.load(R"(id: case
tenant:
  sspr: all
  throttle: {attempts: 3}
  tenant_name: Contoso
  cloud_users:
    - {upn: helpdesk@testlab.example, admin_roles: [Helpdesk Administrator]}
onprem:
  tls: true
  tls_certificate: other_host
  users:
    - {sam: u1, upn: u1@testlab.example, password: "Seed-Passw0rd-1", given_name: Ada,
       surname: Lovelace}
steps:
  - tenant_change:
      throttle: {attempts: 2, window: 2h, blocked_for: 1d, counters_reset_on_success: true}
      banned_passwords: [contoso, fabrikam]
      groups: {sspr-users: [helpdesk-team]}
      sspr: selected
      sspr_group: sspr-users
      methods: [email, mobile_phone, app_code]
      methods_required: 2
      gate_order: policy_first
      tenant_name: "Contoso: Ltd"
      identity_protection:
        user_risk_policy: {threshold: medium, include_groups: [sspr-users]}
        p2: true
      writeback: false
  - tenant_change: {identity_protection: {user_risk_policy: {enabled: false}}, writeback: true}
  - sspr_reset:
      user: u1@testlab.example
      new_password: "New-Passw0rd-2"
      timing: {code_entered_after: 4m, submitted_after: 14m}
    expect: {events_include: [31001], events_exclude: [33004]}
  - admin_reset: {user: u1@testlab.example, new_password: "New-Passw0rd-3",
                  by: helpdesk@testlab.example}
  - dismiss_risk: u1@testlab.example
    expect: {dismissed: true, criterion: ip-admin-actions}
  - new_session: {request_ids: restart}
)");
    if (!s) {
        FAIL(s.error().describe());
    }
    const auto& change = std::get<TenantChange>(s->steps[0].action);
    CHECK(change.tenant.throttle.attempts == 2);
    CHECK(change.tenant.identityProtection.userRiskPolicy.enabled);
    const std::string yaml = toYaml(*s);
    CHECK_THAT(yaml, Catch::Contains("throttle: {attempts: 2, window: 2h, blocked_for: 1d"));
    CHECK_THAT(yaml, Catch::Contains("timing: {code_entered_after: 4m, submitted_after: 14m}"));
    auto again = loadScenario(f.write("case.yaml", yaml));
    if (!again) {
        FAIL(again.error().describe() + "\n" + yaml);
    }
    checkSameModel(*s, *again);
    CHECK(explained(*again) == explained(*s));
    // The second change is read over the first: what the first set stays set.
    const auto& second = std::get<TenantChange>(again->steps[1].action);
    CHECK(second.tenant.throttle.attempts == 2);
    CHECK(second.tenant.gateOrder == sim::GateOrder::PolicyFirst);
    CHECK_FALSE(second.tenant.identityProtection.userRiskPolicy.enabled);
}

TEST_CASE("The writer puts comments where the annotations say and quotes what needs it",
          "[writer]") {
    Files f;
    auto s = f.load(R"(id: case
title: "A title: with a colon"
symptom: "SSPR_0029 and 33004 in the Application log"
onprem:
  users:
    - {sam: u1, upn: u1@testlab.example, password: "12345678", protected: true}
established: [user:u1, policy]
steps:
  - sspr_reset: {user: u1@testlab.example, new_password: "Pass #1: x"}
    expect: {outcome: SSPR_0029, events: [31001, 31003, 33004], criterion: wb-protected-account}
)");
    if (!s) {
        FAIL(s.error().describe());
    }
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
    CHECK_THAT(yaml, Catch::Contains("password: \"12345678\""));
    CHECK(yamlScalar("true") == "\"true\"");
    CHECK(yamlScalar("No") == "\"No\"");
    CHECK(yamlScalar("u1@testlab.example") == "u1@testlab.example");
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
