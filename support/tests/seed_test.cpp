#include <wblab/support/seed.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace wblab;

TEST_CASE("A scenario's seed depends on the run seed and its name, nothing else",
          "[support][seed]") {
    CHECK(deriveSeed(7, "0001_a") == deriveSeed(7, "0001_a"));
    CHECK(deriveSeed(7, "0001_a") != deriveSeed(8, "0001_a"));
    CHECK(deriveSeed(7, "0001_a") != deriveSeed(7, "0002_a"));
    // Well spread: a thousand names under one run seed give a thousand seeds.
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 1000; ++i) {
        seen.insert(deriveSeed(1, "scenario-" + std::to_string(i)));
    }
    CHECK(seen.size() == 1000);
}
