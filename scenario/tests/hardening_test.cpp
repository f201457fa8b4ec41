// What the loader refuses because the run would get it wrong, and the bounds that keep a hostile
// file from taking the lab's memory or time (issue 17): control characters, DNs, names that
// differ only in case, short passwords, includes outside the tree or fanning out, alias bombs,
// errors inside included files, and ids that would print a password.
#include "test_files.hpp"

#include <wblab/scenario/baseline.hpp>
#include <wblab/support/secrets.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

using namespace wblab;
using namespace wblab::scenario;
using namespace wblab::scenario::test;

namespace {

const std::string kValid = R"yaml(id: case
criteria: [wb-reset-applies]
tenant: {sspr: all, writeback: true}
onprem:
  base_dn: dc=testlab,dc=example
  users:
    - sam: user1
      upn: user1@testlab.example
      display_name: User One
      anchor: anchor-1
      password: "Seed-Passw0rd-1"
steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "Cloud-Reset-2026!"}
    expect: {outcome: success, criterion: wb-reset-applies}
expect:
  directory:
    - {user: user1, binds: ["Cloud-Reset-2026!"], criterion: wb-reset-applies}
)yaml";

const std::string kSteps = R"yaml(steps:
  - sspr_reset: {user: user1@testlab.example, new_password: "Cloud-Reset-2026!"}
    expect: {outcome: success, criterion: wb-reset-applies}
)yaml";

const std::string kUser =
    "onprem:\n  users:\n    - {sam: user1, upn: user1@testlab.example, password: "
    "\"Seed-Passw0rd-1\"}\n";

}  // namespace

TEST_CASE("The valid scenario these edits start from loads", "[scenario][loader][hardening]") {
    Files f;
    auto s = f.load(kValid);
    INFO((s ? "" : s.error().describe()));
    REQUIRE(s);
}

TEST_CASE("Control characters in strings that reach LDIF, slapd.conf or a terminal are refused",
          "[scenario][loader][hardening]") {
    // A newline in display_name once added 'adminCount: 1' to the seeded user.
    auto c =
        GENERATE(BadEdit{"display_name: User One",
                         "display_name: \"Evil\\nadminCount: 1\"",
                         "contains a control character",
                         9},
                 BadEdit{"upn: user1@testlab.example\n",
                         "upn: \"user1@testlab.example\\nx: y\"\n",
                         "contains a control character",
                         8},
                 BadEdit{"anchor: anchor-1", "anchor: \"a\\rb\"", "control character", 10},
                 BadEdit{"id: case", "id: case\ntitle: \"\\e[31mred\"", "control", 2},
                 BadEdit{"display_name: User One", "display_name: \"next \\N\"", "the string", 9});
    checkRejected(kValid, c);
}

TEST_CASE("base_dn must be a domain DN that needs no escaping", "[scenario][loader][hardening]") {
    auto c = GENERATE(
        BadEdit{"base_dn: dc=testlab,dc=example",
                "base_dn: \"dc=x\\\"\\nrootpw secret\"",
                "control character",
                5},
        BadEdit{"base_dn: dc=testlab,dc=example", "base_dn: 'dc=x\"y'", "expected a domain DN", 5},
        BadEdit{
            "base_dn: dc=testlab,dc=example", "base_dn: \"dc=a,ou=b\"", "expected a domain DN", 5},
        BadEdit{"base_dn: dc=testlab,dc=example", "base_dn: \"dc=a,\"", "expected a domain DN", 5},
        BadEdit{"base_dn: dc=testlab,dc=example",
                "base_dn: \"dc=-a,dc=b\"",
                "expected a domain DN",
                5});
    checkRejected(kValid, c);
    Files f;
    std::string upper = kValid;
    upper.replace(upper.find("dc=testlab,dc=example"), 21, "DC=Corp-1,DC=example");
    auto s = f.load(upper);
    REQUIRE(s);
    CHECK(s->onprem.baseDn == "DC=Corp-1,DC=example");
}

TEST_CASE("sAMAccountNames and UPNs that differ only in case are duplicates",
          "[scenario][loader][hardening]") {
    const std::string second =
        "      password: \"Seed-Passw0rd-1\"\n"
        "    - {sam: USER1, upn: other@testlab.example, password: "
        "\"Seed-Passw0rd-2\"}\n";
    checkRejected(kValid,
                  BadEdit{"      password: \"Seed-Passw0rd-1\"\n",
                          second,
                          "duplicate sAMAccountName 'USER1'",
                          12});
    const std::string upn =
        "      password: \"Seed-Passw0rd-1\"\n"
        "    - {sam: user2, upn: User1@TestLab.example, password: "
        "\"Seed-Passw0rd-2\"}\n";
    checkRejected(kValid,
                  BadEdit{"      password: \"Seed-Passw0rd-1\"\n",
                          upn,
                          "duplicate userPrincipalName 'User1@TestLab.example'",
                          12});
}

TEST_CASE("Empty and too-short passwords are refused, with the reason",
          "[scenario][loader][hardening]") {
    auto c = GENERATE(
        BadEdit{"password: \"Seed-Passw0rd-1\"", "password: \"\"", "6 to 256 characters", 11},
        BadEdit{"password: \"Seed-Passw0rd-1\"", "password: a", "tell it apart", 11},
        BadEdit{"password: \"Seed-Passw0rd-1\"", "password: \"Ab1!x\"", "6 to 256", 11},
        BadEdit{"new_password: \"Cloud-Reset-2026!\"", "new_password: \"x\"", "6 to 256", 13},
        BadEdit{"binds: [\"Cloud-Reset-2026!\"]", "binds: [\"abc\"]", "6 to 256", 17});
    checkRejected(kValid, c);
    Files f;
    std::string six = kValid;
    six.replace(six.find("Seed-Passw0rd-1"), 15, "Ab1!xy");
    CHECK(f.load(six));
}

TEST_CASE("Duplicate keys are refused, not decided by the first one",
          "[scenario][loader][hardening]") {
    checkRejected(kValid,
                  BadEdit{"expect: {outcome: success,",
                          "expect: {outcome: success, outcome: policy_violation,",
                          "duplicate key",
                          14});
}

TEST_CASE("An error about a node merged from an included file points into that file",
          "[scenario][loader][hardening][include]") {
    Files f;
    f.write("_methods.yaml", "# shared methods\n\ntenant:\n  methods: [app_notification, email]\n");
    const auto path = f.write("case.yaml",
                              "include: _methods.yaml\n"
                              "tenant: {sspr: all, writeback: true, methods_required: 2}\n" +
                                  kUser + kSteps);
    auto s = loadScenario(path);
    REQUIRE_FALSE(s);
    REQUIRE(s.error().where);
    CHECK_THAT(s.error().where->file, Catch::EndsWith("/_methods.yaml"));
    CHECK(s.error().where->line == 4);
    CHECK(s.error().where->column == 12);
    CHECK_THAT(s.error().message, Catch::Contains("tenant.methods"));
}

TEST_CASE("Includes stay inside the scenario tree unless an include root allows more",
          "[scenario][loader][hardening][include]") {
    Files f;
    const std::string outside = f.write("common/_outside.yaml", "tenant: {sspr: all}\n");
    const std::string body = "tenant: {writeback: true}\n" + kUser + kSteps;
    SECTION("a path with .. that leaves the scenario's directory") {
        const auto path = f.write("suite/case.yaml", "include: ../common/_outside.yaml\n" + body);
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("is outside the scenario tree"));
        CHECK_THAT(s.error().message, Catch::Contains("--include-root"));
        CHECK(s.error().where->line == 1);
        // A root above both allows it.
        LoadOptions options;
        options.includeRoot = f.dir.path();
        CHECK(loadScenario(path, options));
    }
    SECTION("an absolute path, and a file that is not YAML, are never read") {
        const auto path = f.write("suite/case.yaml", "include: " + outside + "\n" + body);
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("outside the scenario tree"));
        const auto shadow = f.write("suite/shadow.yaml", "include: /etc/shadow\n" + body);
        auto t = loadScenario(shadow);
        REQUIRE_FALSE(t);
        CHECK_THAT(t.error().message, Catch::Contains("names a .yaml or .yml file"));
        CHECK_THAT(t.error().describe(), !Catch::Contains("root:"));
    }
    SECTION("a symbolic link that leads out of the tree") {
        std::filesystem::create_directories(f.dir.path() + "/suite");
        std::filesystem::create_symlink(outside, f.dir.path() + "/suite/_link.yaml");
        const auto path = f.write("suite/case.yaml", "include: _link.yaml\n" + body);
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("outside the scenario tree"));
    }
}

TEST_CASE("Includes that fan out or nest deeply stop at a bound, quickly",
          "[scenario][loader][hardening][include]") {
    Files f;
    // Each shared file includes the next six times: 6^12 loads without a bound.
    for (int i = 0; i < 12; ++i) {
        std::string list;
        for (int k = 0; k < 6; ++k) {
            list += (k ? ", " : "") + std::string("_f") + std::to_string(i + 1) + ".yaml";
        }
        f.write("_f" + std::to_string(i) + ".yaml",
                (i < 11 ? "include: [" + list + "]\n" : "") + "tenant: {sspr: all}\n");
    }
    SECTION("fan-out") {
        const auto path =
            f.write("case.yaml",
                    "include: [_f9.yaml, _f9.yaml]\ntenant: {writeback: true}\n" + kUser + kSteps);
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("includes more than 32 files"));
    }
    SECTION("depth") {
        const auto path =
            f.write("case.yaml", "include: _f0.yaml\ntenant: {writeback: true}\n" + kUser + kSteps);
        auto s = loadScenario(path);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("nest deeper than 8 files"));
    }
}

TEST_CASE("Aliases that multiply a document are refused before it is built",
          "[scenario][loader][hardening]") {
    Files f;
    SECTION("expect.directory repeated by aliases (each entry a bind per password)") {
        std::string text = kValid.substr(0, kValid.find("expect:\n  directory:")) +
                           "expect:\n  directory:\n    - &u {user: user1, binds: [&p "
                           "\"Cloud-Reset-2026!\", *p, *p, *p, *p, *p, *p, *p], criterion: "
                           "wb-reset-applies}\n";
        for (int i = 0; i < 400; ++i) {
            text += "    - *u\n";
        }
        auto s = f.load(text);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("aliases expand the document"));
    }
    SECTION("a billion laughs") {
        std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (char c = 'b'; c <= 'j'; ++c) {
            const char prev = static_cast<char>(c - 1);
            text += std::string(1, c) + ": &" + c + " [";
            for (int k = 0; k < 10; ++k) {
                text += (k ? ", *" : "*") + std::string(1, prev);
            }
            text += "]\n";
        }
        auto s = f.load(text);
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("expand"));
    }
    SECTION("a few aliases that reuse a block are fine") {
        const std::string text =
            kValid +
            "    - &again {user: user1, rejects: [\"Seed-Passw0rd-1\"], criterion: "
            "wb-reset-applies}\n    - *again\n";
        auto s = f.load(text);
        INFO((s ? "" : s.error().describe()));
        CHECK(s);
    }
}

TEST_CASE("A matrix value used as a password shows in the id as secret-K, never as itself",
          "[scenario][loader][hardening][matrix]") {
    Files f;
    const auto path = f.write("mpw.yaml",
                              "criteria: [wb-reset-applies]\n"
                              "matrix:\n"
                              "  pw: [Short-Pw1, Other-Pw22]\n"
                              "  min: [8, 9]\n"
                              "tenant: {sspr: all, writeback: true}\n"
                              "onprem:\n"
                              "  policy: {min_length: ${min}}\n" +
                                  kUser.substr(kUser.find("  users")) +
                                  "steps:\n"
                                  "  - sspr_reset: {user: user1@testlab.example, new_password: "
                                  "\"Pre-${pw}\"}\n"
                                  "    expect: {outcome: success, criterion: wb-reset-applies}\n");
    auto rows = loadScenarios(path);
    INFO((rows ? "" : rows.error().describe()));
    REQUIRE(rows);
    REQUIRE(rows->size() == 4);
    CHECK((*rows)[0].id == "mpw[pw=secret-1,min=8]");
    CHECK((*rows)[1].id == "mpw[pw=secret-1,min=9]");
    CHECK((*rows)[3].id == "mpw[pw=secret-2,min=9]");
    for (const auto& s : *rows) {
        CHECK_THAT(s.id, !Catch::Contains("Pw1") && !Catch::Contains("Pw22"));
    }
    // The passwords are secrets of the process: anything printed is redacted.
    CHECK(redact("id Pre-Short-Pw1") == "id [redacted]");
}

TEST_CASE("A file name with control characters is refused (it is the scenario's id)",
          "[scenario][loader][hardening]") {
    Files f;
    auto s = f.load(kValid.substr(kValid.find('\n') + 1), "bad\x1b[31mname");
    REQUIRE_FALSE(s);
    CHECK_THAT(s.error().message, Catch::Contains("control character"));
    CHECK_THAT(s.error().describe(), !Catch::Contains("\x1b"));
}

TEST_CASE("A baseline file has the scenario files' size limit", "[scenario][baseline][hardening]") {
    Files f;
    const auto path = f.write("big.yaml", std::string((1 << 20) + 1, 'a'));
    auto b = loadBaseline(path);
    REQUIRE_FALSE(b);
    CHECK_THAT(b.error().message, Catch::Contains("larger than 1 MiB"));
}
