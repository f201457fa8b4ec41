#pragma once
// File: seed.hpp
//
// Seeds: a run's seed (`wblab run --seed`) and the seed each scenario derives from it, so that a
// scenario behaves the same whichever worker runs it and whatever runs beside it.
//
//   std::uint64_t s = deriveSeed(runSeed, "0001_sspr_reset_synced_user");
//   std::uint64_t a = mixSeed(s);  // the next value of a stream started at s

#include <cstdint>
#include <string_view>

namespace wblab {

/// SplitMix64's output function: a well-spread 64-bit value from any 64-bit input.
constexpr std::uint64_t mixSeed(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// A named stream's seed under a run seed (FNV-1a of the name, mixed with the run seed).
constexpr std::uint64_t deriveSeed(std::uint64_t runSeed, std::string_view name) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : name) {
        h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
    return mixSeed(runSeed ^ h);
}

}  // namespace wblab
