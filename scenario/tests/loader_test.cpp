// The scenario loader: what loads into the model, and what it refuses with file:line:column.
#include "test_files.hpp"

#include <wblab/scenario/catalog.hpp>
#include <wblab/scenario/loader.hpp>

#include <catch2/catch.hpp>

using namespace wblab;
using namespace wblab::scenario;
using namespace wblab::scenario::test;

namespace {

const std::string kValid = R"yaml(id: case
title: A valid scenario
criteria: [wb-reset-applies]
tags: [smoke]
tenant: {sspr: all, writeback: true}
onprem:
  policy: {min_length: 8, history: 2, min_age: 1d, lockout_threshold: 5, lockout_duration: 30m}
  users:
    - sam: user1
      upn: user1@testlab.example
      password: "Seed-Passw0rd-1"
steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "N3w-Passw0rd!"}
    expect: {outcome: success, events: [31001, 31002], audit: {activity: "Reset password (self-service)", result: success}, criterion: wb-reset-applies}
expect:
  directory:
    - {user: user1, binds: ["N3w-Passw0rd!"], rejects: ["Seed-Passw0rd-1"], locked: false, criterion: wb-reset-applies}
)yaml";

}  // namespace

TEST_CASE("A valid scenario loads into the model", "[scenario][loader]") {
    Files f;
    auto s = f.load(kValid);
    REQUIRE(s);
    CHECK(s->id == "case");
    CHECK(s->criteria == std::vector<std::string>{"wb-reset-applies", "wb-event-ids"});
    CHECK(s->onprem.policy.minLength == 8);
    CHECK(s->onprem.policy.history == 2);
    CHECK(s->onprem.policy.minAgeSeconds == 86400);
    CHECK(s->onprem.policy.lockoutDurationSeconds == 1800);
    REQUIRE(s->onprem.users.size() == 1);
    CHECK(s->onprem.users[0].upn == "user1@testlab.example");
    REQUIRE(s->steps.size() == 1);
    const auto* reset = std::get_if<SsprReset>(&s->steps[0].action);
    REQUIRE(reset != nullptr);
    CHECK(reset->unlock);  // reset with unlock is the default, as in SSPR
    CHECK(kindName(s->steps[0].action) == std::string("sspr_reset"));
    REQUIRE(s->steps[0].expect.events);
    CHECK(s->steps[0].expect.events->value == std::vector<int>{31001, 31002});
    CHECK(s->steps[0].expect.events->criterion == "wb-event-ids");  // the kind decides
    CHECK(s->steps[0].expect.outcome->value == sim::Outcome::Success);
    CHECK(s->steps[0].expect.outcome->criterion == "wb-reset-applies");  // the scenario says
    REQUIRE(s->expectDirectory.size() == 1);
    CHECK(s->expectDirectory[0].locked->value == false);
    CHECK(s->secrets() == std::vector<std::string>{"N3w-Passw0rd!", "Seed-Passw0rd-1"});
    CHECK(s->requires_ == std::vector<Capability>{Capability::Reset});  // derived from the steps
}

TEST_CASE("Bad scenarios are rejected with file, line, column and key path", "[scenario][loader]") {
    using Case = BadEdit;
    auto c = GENERATE(
        Case{"tags: [smoke]", "tags: [smoke]\ncolour: blue", "colour: unknown key", 5},
        Case{"min_length: 8",
             "min_length: eight",
             "onprem.policy.min_length: expected an integer",
             7},
        Case{"min_age: 1d", "min_age: 1w", "unknown duration unit 'w'", 7},
        Case{"sspr: all",
             "sspr: some",
             "tenant.sspr: unknown value 'some' (expected one of: none, selected, all)",
             5},
        Case{"writeback: true", "writeback: maybe", "tenant.writeback: expected true or false", 5},
        Case{"{user: user1@testlab.example,",
             "{user: ghost@testlab.example,",
             "steps[0].sspr_reset.user: no user signs in as 'ghost@testlab.example'",
             13},
        Case{"{user: user1, binds",
             "{user: ghost, binds",
             "expect.directory[0].user: no user with sam 'ghost'",
             17},
        Case{"outcome: success", "outcome: great", "unknown value 'great'", 14},
        Case{"      password: \"Seed-Passw0rd-1\"\n", "", "missing required key 'password'", 9},
        Case{"id: case", "id: other", "must equal the file name", 1},
        Case{"events: [31001, 31002]", "events: [31001, x]", "events[1]: expected an integer", 14},
        Case{"upn: user1@testlab.example", "upn: user1", "looks like name@domain", 10},
        Case{"tags: [smoke]", "tags: [smoke]\nrequires: [teleport]", "unknown value 'teleport'", 5},
        Case{"tenant: {sspr: all, writeback: true}",
             "tenant: {sspr: all, writeback: true, writeback: false}",
             "tenant.writeback: duplicate key",
             5},
        Case{"tags: [smoke]",
             "tags: [smoke]\ndirectory_requires: [policy_hints]",
             "unknown value 'policy_hints' (expected one of: reset_policy_hints, "
             "reset_keeps_must_change)",
             5},
        Case{"onprem:\n",
             "onprem:\n  tls_certificate: other_ca\n",
             "onprem.tls_certificate: the directory presents a certificate only over ldaps: set "
             "tls: true",
             7},
        Case{"tags: [smoke]",
             "tags: [smoke]\nisolates:\n  - {criterion: sec-expired-rejected, behaviour: expiry, "
             "fault: ignores-expiry}",
             "isolates[0].criterion: the scenario makes no check of 'sec-expired-rejected'",
             6},
        Case{"tags: [smoke]",
             "tags: [smoke]\nisolates:\n  - {criterion: wb-reset-applies, behaviour: a reset, "
             "fault: Ignores Expiry}",
             "isolates[0].fault: expected a fault name as the agent lists it",
             6},
        Case{"tags: [smoke]",
             "tags: [smoke]\nisolates:\n  - {criterion: wb-reset-applies, fault: x}",
             "isolates[0]: missing required key 'behaviour'",
             6},
        Case{"onprem:\n",
             "onprem:\n  tls: true\n  tls_certificate: forged\n",
             "onprem.tls_certificate: unknown value 'forged' (expected one of: trusted, "
             "other_ca, other_host)",
             8});
    checkRejected(kValid, c);
}

TEST_CASE("The certificate the directory presents over ldaps is the scenario's to choose",
          "[scenario][loader][tls]") {
    Files f;
    auto trusted = f.load(kValid);
    REQUIRE(trusted);
    CHECK_FALSE(trusted->onprem.tls);
    CHECK(trusted->onprem.tlsCertificate == TlsCertificate::Trusted);
    std::string text = kValid;
    text.replace(
        text.find("onprem:\n"), 8, "onprem:\n  tls: true\n  tls_certificate: other_host\n");
    auto other = f.load(text);
    REQUIRE(other);
    CHECK(other->onprem.tls);
    CHECK(other->onprem.tlsCertificate == TlsCertificate::OtherHost);
}

namespace {

/// kValid with its reset expected to be refused, by the policy (and password) given.
std::string refusedReset(const std::string& policy, const std::string& password) {
    std::string text = kValid;
    auto replace = [&](const std::string& from, const std::string& to) {
        text.replace(text.find(from), from.size(), to);
    };
    replace("{min_length: 8, history: 2, min_age: 1d, lockout_threshold: 5, lockout_duration: 30m}",
            policy);
    replace("new_password: \"N3w-Passw0rd!\"}", "new_password: \"" + password + "\"}");
    replace(
        "expect: {outcome: success, events: [31001, 31002], audit: {activity: \"Reset "
        "password (self-service)\", result: success}, criterion: wb-reset-applies}",
        "expect: {outcome: policy_violation, criterion: wb-onprem-policy}");
    replace("binds: [\"N3w-Passw0rd!\"], ", "");
    return text;
}

}  // namespace

TEST_CASE("What a scenario needs the directory to do as AD does is derived from it",
          "[scenario][loader]") {
    Files f;
    SECTION("a reset refused by history or minimum age needs the policy-hints control") {
        auto history = f.load(refusedReset("{history: 2}", "Seed-Passw0rd-1"));
        REQUIRE(history);
        CHECK(history->directoryNeeds ==
              std::vector<DirectoryNeed>{DirectoryNeed::ResetPolicyHints});
        auto age = f.load(refusedReset("{min_age: 1d}", "Another-Passw0rd-2"));
        REQUIRE(age);
        CHECK(age->directoryNeeds == std::vector<DirectoryNeed>{DirectoryNeed::ResetPolicyHints});
    }
    SECTION("a refusal that length or complexity explains needs no hints") {
        auto tooShort = f.load(refusedReset("{min_length: 20, history: 2}", "Short-Passw0rd-1"));
        REQUIRE(tooShort);
        CHECK(tooShort->directoryNeeds.empty());
        auto plain = f.load(refusedReset("{history: 2}", "alllowercaseletters"));
        REQUIRE(plain);
        CHECK(plain->directoryNeeds.empty());
        auto noHistory = f.load(refusedReset("{min_length: 8}", "Seed-Passw0rd-1"));
        REQUIRE(noHistory);
        CHECK(noHistory->directoryNeeds.empty());
    }
    SECTION("must-change expected after a reset by a connector without Unexpire Password") {
        std::string text = kValid;
        text.replace(text.find("  users:"),
                     8,
                     "  connector: {permissions: [reset_password, write_lockout_time, "
                     "write_pwd_last_set]}\n  users:");
        text.replace(text.find("locked: false"), 13, "must_change: true");
        auto s = f.load(text);
        REQUIRE(s);
        CHECK(s->directoryNeeds == std::vector<DirectoryNeed>{DirectoryNeed::ResetKeepsMustChange});
    }
    SECTION("directory_requires adds to what is derived") {
        std::string text = kValid;
        text.replace(text.find("tags: [smoke]"),
                     13,
                     "tags: [smoke]\ndirectory_requires: [reset_keeps_must_change]");
        auto s = f.load(text);
        REQUIRE(s);
        CHECK(s->directoryNeeds == std::vector<DirectoryNeed>{DirectoryNeed::ResetKeepsMustChange});
    }
    SECTION("the valid scenario's successful reset needs nothing") {
        auto s = f.load(kValid);
        REQUIRE(s);
        CHECK(s->directoryNeeds.empty());
    }
}

TEST_CASE("Malformed YAML is an input error with a position, not a crash", "[scenario][loader]") {
    Files f;
    auto s = f.load("onprem: [unclosed\nsteps: {");
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::InvalidInput);
    REQUIRE(s.error().where);
    CHECK(s.error().where->line >= 1);
    auto empty = f.load("");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().message == "a scenario must be a YAML mapping");
    auto binary = f.load(std::string("\x00\xff\xfe garbage \x01", 14));
    REQUIRE_FALSE(binary);
}

TEST_CASE("A missing scenario file is NotFound, an oversized one refused", "[scenario][loader]") {
    auto s = loadScenario("/nonexistent/wblab.yaml");
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::NotFound);
    CHECK(s.error().message == "cannot read the scenario file");
    Files f;
    auto big = f.load(kValid + "# " + std::string(1 << 20, 'x') + "\n");
    REQUIRE_FALSE(big);
    CHECK(big.error().message == "scenario file larger than 1 MiB");
}

TEST_CASE("Every bundled scenario loads", "[scenario][loader]") {
    auto files = collectScenarioFiles({std::string(WBLAB_SOURCE_DIR) + "/scenarios"});
    REQUIRE(files);
    REQUIRE(files->size() >= 90);
    for (const auto& f : *files) {
        INFO(f);
        auto s = loadScenarios(f);
        CHECK(s);
    }
}

TEST_CASE("collectScenarioFiles expands directories and refuses missing paths",
          "[scenario][loader]") {
    auto files = collectScenarioFiles({WBLAB_TEST_INPUTS});
    REQUIRE(files);
    CHECK(files->size() == 8);
    CHECK_THAT(files->front(), Catch::EndsWith("/bad_outcome.yaml"));
    auto missing = collectScenarioFiles({"/nonexistent/dir"});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::NotFound);
}

namespace {

const std::string kRisk = R"yaml(id: case
tenant:
  sspr: all
  methods_required: 1
  identity_protection:
    user_risk_policy: {threshold: high, grant: password_change}
onprem:
  users:
    - {sam: user1, upn: user1@testlab.example, password: "Seed-Passw0rd-1"}
steps:
  - risk_detection: {user: user1@testlab.example, type: leakedCredentials, level: high}
  - sign_in: {user: user1@testlab.example, password: "Seed-Passw0rd-1", new_password: "N3w-Passw0rd!"}
    expect: {sign_in: password_changed, risk: {state: remediated, detail: userPerformedSecuredPasswordChange}, criterion: ip-remediation-by-writeback}
expect:
  risk:
    - {user: user1@testlab.example, state: remediated, level: none, criterion: ip-remediation-by-writeback}
)yaml";

}  // namespace

TEST_CASE("Risk steps and expectations load, and derive the change capability",
          "[scenario][loader][risk]") {
    Files f;
    auto s = f.load(kRisk);
    REQUIRE(s);
    REQUIRE(s->steps.size() == 2);
    const auto* detection = std::get_if<RiskDetection>(&s->steps[0].action);
    REQUIRE(detection != nullptr);
    CHECK(detection->detection.type == sim::DetectionType::LeakedCredentials);
    CHECK(s->steps[1].expect.risk->user == "user1@testlab.example");  // the step's user
    CHECK(s->steps[1].expect.risk->state->value == sim::RiskState::Remediated);
    CHECK(s->steps[1].expect.risk->state->criterion == "ip-remediation-by-writeback");
    CHECK(s->tenant.identityProtection.userRiskPolicy.enabled);
    CHECK(s->expectRisk.size() == 1);
    CHECK(s->requires_ == std::vector<Capability>{Capability::Change});
}

TEST_CASE("Bad tenant and risk input is rejected with file and line", "[scenario][loader][risk]") {
    using Case = BadEdit;
    auto c = GENERATE(
        Case{"type: leakedCredentials",
             "type: leakedPasswords",
             "unknown value 'leakedPasswords'",
             11},
        Case{"level: high}", "level: severe}", "unknown value 'severe'", 11},
        Case{"threshold: high", "threshold: extreme", "unknown value 'extreme'", 6},
        Case{"grant: password_change", "grant: mfa", "unknown value 'mfa'", 6},
        Case{"state: remediated, level", "state: fixed, level", "unknown value 'fixed'", 16},
        Case{"detail: userPerformedSecuredPasswordChange",
             "detail: userSaidSo",
             "unknown value 'userSaidSo'",
             13},
        Case{"methods_required: 1", "methods_required: 3", "must be between 1 and 2", 4},
        Case{"methods_required: 1",
             "methods_required: 1\n  methods: [email, carrier_pigeon]",
             "unknown value 'carrier_pigeon'",
             5},
        Case{"sspr: all", "sspr: selected\n  sspr_group: [A, B]", "exactly one group", 4},
        Case{"methods_required: 1",
             "methods_required: 2\n  methods: [app_code, app_notification, email]",
             "allow at least 2 other methods",
             5},
        Case{"user: user1@testlab.example, type",
             "user: ghost@testlab.example, type",
             "no user signs in as 'ghost@testlab.example'",
             11},
        Case{"sign_in: {user", "sign_in: {colour: red, user", "unknown key", 12});
    checkRejected(kRisk, c);
}

TEST_CASE("A storm expands into one step per generated user and checks each in the directory",
          "[scenario][loader][storm]") {
    const std::string storm = R"yaml(id: case
title: A storm
criteria: [wb-reset-applies]
onprem:
  base_dn: dc=corp,dc=example
  users:
    - {sam: admin1, upn: admin1@corp.example, password: "Seed-Passw0rd-0"}
  generate_users: {count: 3, sam_prefix: breach, password: "Seed-Passw0rd-{n}"}
steps:
  - storm: {new_password: "After-Breach-{n}!"}
    expect: {outcome: success, events: [31001, 31002], criterion: wb-reset-applies}
  - storm: {operation: admin_reset, new_password: "Temp-{n}-Passw0rd", count: 2}
    expect: {outcome: policy_violation, criterion: {outcome: wb-onprem-policy, directory: wb-convergence}}
  - replay: 5
)yaml";
    Files f;
    auto s = f.load(storm);
    REQUIRE(s);
    REQUIRE(s->onprem.users.size() == 4);
    CHECK(s->onprem.users[3].sam == "breach3");
    CHECK(s->onprem.users[3].upn == "breach3@corp.example");
    CHECK(s->onprem.users[3].password == "Seed-Passw0rd-3");
    REQUIRE(s->steps.size() == 6);
    const auto* third = std::get_if<SsprReset>(&s->steps[2].action);
    REQUIRE(third != nullptr);
    CHECK(third->user == "breach3@corp.example");
    CHECK(third->newPassword == "After-Breach-3!");
    CHECK(s->steps[2].expect.events->value == std::vector<int>{31001, 31002});
    const auto* fifth = std::get_if<AdminReset>(&s->steps[4].action);
    REQUIRE(fifth != nullptr);
    CHECK(fifth->user == "breach2@corp.example");
    CHECK(std::get<Replay>(s->steps[5].action).step == 5);  // numbers count the storm's steps
    REQUIRE(s->expectDirectory.size() == 5);
    // Written: the new password binds, the seeded one not; refused: nothing changed.
    CHECK(s->expectDirectory[0].user == "breach1");
    CHECK(s->expectDirectory[0].binds->value == std::vector<std::string>{"After-Breach-1!"});
    CHECK(s->expectDirectory[0].rejects->value == std::vector<std::string>{"Seed-Passw0rd-1"});
    CHECK(s->expectDirectory[0].binds->criterion == "wb-reset-applies");
    CHECK(s->expectDirectory[4].user == "breach2");
    CHECK(s->expectDirectory[4].binds->value == std::vector<std::string>{"Seed-Passw0rd-2"});
    CHECK(s->expectDirectory[4].rejects->value == std::vector<std::string>{"Temp-2-Passw0rd"});
    CHECK(s->expectDirectory[4].rejects->criterion == "wb-convergence");

    SECTION("bad storms are input errors with their position") {
        auto c = GENERATE(
            std::pair<std::string, std::string>{"{count: 3,", "{count: 0,"},
            std::pair<std::string, std::string>{"password: \"Seed-Passw0rd-{n}\"",
                                                "password: \"Same-Passw0rd\""},
            std::pair<std::string, std::string>{"sam_prefix: breach", "sam_prefix: admin"},
            std::pair<std::string, std::string>{"operation: admin_reset", "operation: unlock"},
            std::pair<std::string, std::string>{"count: 2}", "count: 4}"});
        std::string text = storm;
        auto pos = text.find(c.first);
        REQUIRE(pos != std::string::npos);
        text.replace(pos, c.first.size(), c.second);
        auto bad = f.load(text);
        INFO(c.second);
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == ErrorCode::InvalidInput);
        CHECK(bad.error().where);
    }
}

TEST_CASE("A scenario may say which behaviour of a criterion it tests alone",
          "[scenario][loader][isolates]") {
    Files f;
    std::string text = kValid;
    text.replace(text.find("tags: [smoke]"),
                 13,
                 "tags: [smoke]\nisolates:\n  - criterion: wb-reset-applies\n    behaviour: a "
                 "reset is written\n    fault: success-without-write");
    auto s = f.load(text);
    REQUIRE(s);
    REQUIRE(s->isolates.size() == 1);
    CHECK(s->isolates[0].criterion == "wb-reset-applies");
    CHECK(s->isolates[0].behaviour == "a reset is written");
    CHECK(s->isolates[0].fault == "success-without-write");
    CHECK(s->isolates[0].where.line == 6);
    const auto listed = isolationsOf("wb-reset-applies", {*s});
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].first == "case");
    CHECK(isolationsOf("wb-event-ids", {*s}).empty());
}
