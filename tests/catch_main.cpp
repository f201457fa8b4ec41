// Catch2 v2's main lives alone in this file (docs/slow-compiles.md of Catch2).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
