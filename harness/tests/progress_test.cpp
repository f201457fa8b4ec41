// The console progress: a live line on a terminal, plain lines in CI and pipes.
#include <wblab/harness/progress.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace wblab::harness;

TEST_CASE("Progress is live only on a terminal outside CI", "[harness][progress]") {
    CHECK(progressStyleFor(true, nullptr, "xterm-256color") == ProgressStyle::Live);
    CHECK(progressStyleFor(true, "", nullptr) == ProgressStyle::Live);
    CHECK(progressStyleFor(true, "false", nullptr) == ProgressStyle::Live);
    CHECK(progressStyleFor(true, "0", nullptr) == ProgressStyle::Live);
    CHECK(progressStyleFor(true, "true", nullptr) == ProgressStyle::Lines);
    CHECK(progressStyleFor(true, "1", nullptr) == ProgressStyle::Lines);
    CHECK(progressStyleFor(true, nullptr, "dumb") == ProgressStyle::Lines);
    CHECK(progressStyleFor(false, nullptr, "xterm") == ProgressStyle::Lines);
}

TEST_CASE("Plain progress is one line per finished scenario, nothing else", "[harness][progress]") {
    std::ostringstream out;
    Progress p(out, 2, ProgressStyle::Lines);
    p.started("0001_a");
    p.started("0002_b");
    p.finished("0002_b", "fail", true);
    p.finished("0001_a", "pass", false);
    p.done();
    CHECK(out.str() == "[1/2] fail 0002_b\n[2/2] pass 0001_a\n");
}

TEST_CASE("Live progress rewrites one line and leaves only failures behind",
          "[harness][progress]") {
    std::ostringstream out;
    Progress p(out, 3, ProgressStyle::Live);
    p.started("0001_a");
    p.started("0002_b");
    CHECK(out.str() ==
          "\r\x1b[2K[0/3] 0 failed · running 0001_a"
          "\r\x1b[2K[0/3] 0 failed · running 0001_a, 0002_b");
    out.str("");
    p.finished("0001_a", "pass", false);
    CHECK(out.str() == "\r\x1b[2K[1/3] 0 failed · running 0002_b");
    out.str("");
    p.finished("0002_b", "timeout", true);
    CHECK(out.str() == "\r\x1b[2Ktimeout 0002_b\n\r\x1b[2K[2/3] 1 failed");
    out.str("");
    p.done();
    CHECK(out.str() == "\r\x1b[2K");
}

TEST_CASE("The live line fits the terminal width", "[harness][progress]") {
    std::ostringstream out;
    Progress p(out, 9, ProgressStyle::Live, 40);
    p.started("0001_a_scenario_with_a_rather_long_name");
    p.started("0002_another_one");
    const std::string text = out.str();
    const std::string last = text.substr(text.rfind("\x1b[2K") + 4);
    std::size_t points = 0;
    for (unsigned char c : last) {
        points += (c & 0xC0) != 0x80 ? 1 : 0;
    }
    CHECK(points <= 39);
    CHECK_THAT(last, Catch::EndsWith("..."));
    CHECK_THAT(last, Catch::StartsWith("[0/9] 0 failed · running 0001_a"));
}
