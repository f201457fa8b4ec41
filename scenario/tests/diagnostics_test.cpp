// What the loader says about broken files: YAML syntax errors named by their likely cause at
// the line that has it, and every error of a file in one go.
#include "test_files.hpp"

#include <wblab/scenario/loader.hpp>

#include <catch2/catch.hpp>

using namespace wblab;
using namespace wblab::scenario;
using namespace wblab::scenario::test;

namespace {

/// The errors of `text` written as case.yaml, as "line:column: message".
std::vector<std::string> errorsOf(const std::string& text) {
    Files f;
    auto loaded = loadScenarioFile(f.write("case.yaml", text));
    CHECK(loaded.scenarios.empty());
    std::vector<std::string> out;
    for (const auto& e : loaded.errors) {
        REQUIRE(e.where);
        CHECK_THAT(e.where->file, Catch::EndsWith("case.yaml"));
        out.push_back(std::to_string(e.where->line) + ":" + std::to_string(e.where->column) + ": " +
                      e.message);
    }
    return out;
}

const std::string kHead = "id: case\ncriteria: [wb-reset-applies]\n";

}  // namespace

TEST_CASE("A tab in the indentation is named at every line that has one", "[scenario][syntax]") {
    const auto errors = errorsOf(kHead +
                                 "onprem:\n"
                                 "\tusers: []\n"  // line 4
                                 "steps:\n"
                                 "  - sspr_reset:\n"
                                 "\t    user: u\n");  // line 7
    REQUIRE(errors.size() == 2);
    CHECK_THAT(errors[0], Catch::StartsWith("4:1: a tab in the indentation"));
    CHECK_THAT(errors[0], Catch::Contains("spaces only"));
    CHECK_THAT(errors[1], Catch::StartsWith("7:1: a tab in the indentation"));
}

TEST_CASE("A line indented to no enclosing block is named with the blocks that enclose it",
          "[scenario][syntax]") {
    SECTION("shallower than its siblings") {
        const auto errors = errorsOf(kHead +
                                     "onprem:\n"
                                     "  users:\n"
                                     "    - sam: a\n"
                                     "     upn: b\n");  // line 6, 5 spaces
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] ==
              "6:6: indentation: this line is indented 5 spaces, which lines up with no block "
              "above it (the blocks that enclose it are indented 0, 2, 4 or 6 spaces)");
    }
    SECTION("deeper than a line that already has its value") {
        const auto errors = errorsOf(kHead +
                                     "onprem:\n"
                                     "  users: []\n"
                                     "   policy: {}\n");  // line 5
        REQUIRE(errors.size() == 1);
        CHECK_THAT(errors[0],
                   Catch::StartsWith("5:4: indentation: this line is indented 3 spaces"));
        CHECK_THAT(errors[0],
                   Catch::Contains("the line above, 'users: []', already has its value"));
    }
    SECTION("one space off at the top") {
        const auto errors = errorsOf(kHead + "onprem:\n  users: []\n policy: {}\n");
        REQUIRE(errors.size() == 1);
        CHECK_THAT(errors[0],
                   Catch::StartsWith("5:2: indentation: this line is indented 1 space,"));
    }
}

TEST_CASE("A key without its colon and a value holding ': ' are named", "[scenario][syntax]") {
    const auto noColon = errorsOf(kHead + "title x\nonprem: {}\n");
    REQUIRE(noColon.size() == 1);
    CHECK_THAT(noColon[0], Catch::StartsWith("3:1: 'title x' has no colon"));
    CHECK_THAT(noColon[0], Catch::Contains("the YAML parser stopped at line 4"));
    const auto colon = errorsOf(kHead + "title: a: b\n");
    REQUIRE(colon.size() == 1);
    CHECK_THAT(colon[0], Catch::StartsWith("3:8: the value 'a: b' holds ': '"));
    CHECK_THAT(colon[0], Catch::Contains("put the value in quotes"));
}

TEST_CASE("A syntax error with no known cause keeps the parser's words, marked as YAML syntax",
          "[scenario][syntax]") {
    const auto errors = errorsOf(kHead + "steps: [a, b\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "4:1: YAML syntax error: end of sequence flow not found");
}

TEST_CASE("Block scalars and flow lists spanning lines are not mistaken for misindentation",
          "[scenario][syntax]") {
    const auto errors = errorsOf(kHead +
                                 "title: |\n"
                                 "      deeply indented text\n"
                                 "   is still text\n"
                                 "tags: [a,\n"
                                 "          b]\n"
                                 "onprem:\n"
                                 "  users: []\n"
                                 "\tsteps: []\n");  // line 10: the only mistake
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::StartsWith("10:1: a tab in the indentation"));
}

TEST_CASE("Every error of a file is reported, not only the first", "[scenario][loader]") {
    const auto errors = errorsOf(
        "id: case\n"
        "colour: blue\n"  // 2: unknown key
        "shape: round\n"  // 3: unknown key
        "onprem:\n"
        "  users:\n"
        "    - {sam: user1, upn: user1@testlab.example, password: \"Seed-Passw0rd-1\"}\n"
        "steps:\n"
        "  - sspr_reset: {user: nobody@testlab.example, new_password: \"N3w-Passw0rd!\"}\n"  // 8
        "    expect: {outcome: success, criterion: wb-reset-applies}\n"
        "  - sspr_reset: {user: user1@testlab.example, new_password: \"N3w-Passw0rd!\"}\n"
        "    expect: {outcome: triumph, criterion: wb-reset-applies}\n");  // 11
    REQUIRE(errors.size() == 4);
    CHECK_THAT(errors[0], Catch::StartsWith("2:1: colour: unknown key"));
    CHECK_THAT(errors[1], Catch::StartsWith("3:1: shape: unknown key"));
    CHECK_THAT(errors[2], Catch::StartsWith("8:") && Catch::Contains("nobody@testlab.example"));
    CHECK_THAT(errors[3], Catch::StartsWith("11:") && Catch::Contains("triumph"));
}

TEST_CASE("A file with very many errors reports the first 20 and counts the rest",
          "[scenario][loader]") {
    std::string text = "id: case\n";
    for (int i = 0; i < 30; ++i) {
        text += "unknown" + std::to_string(i) + ": 1\n";
    }
    text += "onprem: {users: []}\nsteps: []\n";
    const auto errors = errorsOf(text);
    REQUIRE(errors.size() == 21);
    CHECK_THAT(errors[19], Catch::StartsWith("21:1: unknown19: unknown key"));
    CHECK_THAT(errors[20], Catch::Contains("and 10 more error(s) in this file, not shown"));
}

TEST_CASE("A mistake every matrix row makes is reported once", "[scenario][loader]") {
    const auto errors = errorsOf(
        "id: case\n"
        "matrix:\n"
        "  - {n: 8}\n"
        "  - {n: 9}\n"
        "onprem:\n"
        "  policy: {min_length: ${n}}\n"
        "  users: []\n"
        "steps: []\n"
        "colour: blue\n");
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::StartsWith("9:1: colour: unknown key"));
}
