# Project-wide options. Developer knobs hang off WBLAB_DEVELOPER_MODE, which is on when wblab is
# the top-level project.
include(CMakeDependentOption)

option(WBLAB_DEVELOPER_MODE "Build tests and enable strict warnings" ${PROJECT_IS_TOP_LEVEL})
cmake_dependent_option(WBLAB_BUILD_TESTS "Build the test suite" ON "WBLAB_DEVELOPER_MODE" OFF)
cmake_dependent_option(WBLAB_WERROR "Treat warnings as errors" OFF "WBLAB_DEVELOPER_MODE" OFF)
option(WBLAB_SANITIZERS "Build with address and undefined-behaviour sanitizers" OFF)
option(WBLAB_BUILD_BENCH "Build the benchmarks (needs Google Benchmark)" OFF)
option(WBLAB_FUZZ "Build the libFuzzer targets (needs clang and libclang-rt-14-dev)" OFF)

set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

find_program(WBLAB_CCACHE ccache)
if(WBLAB_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${WBLAB_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${WBLAB_CCACHE})
endif()

add_library(wblab_options INTERFACE)
target_compile_features(wblab_options INTERFACE cxx_std_20)
if(WBLAB_FUZZ)
  # Every module instrumented for libFuzzer's coverage, with the sanitizers the fuzzers run under.
  set(wblab_fuzz_flags -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                       -g -O1)
  target_compile_options(wblab_options INTERFACE ${wblab_fuzz_flags})
  target_link_options(wblab_options INTERFACE -fsanitize=address,undefined)
endif()
if(WBLAB_SANITIZERS)
  target_compile_options(wblab_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                 -fno-sanitize-recover=undefined)
  target_link_options(wblab_options INTERFACE -fsanitize=address,undefined)
endif()

add_library(wblab_warnings INTERFACE)
target_compile_options(
  wblab_warnings
  INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wnon-virtual-dtor -Wold-style-cast
            -Woverloaded-virtual -Wimplicit-fallthrough -Wsuggest-override -Wformat=2
            $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op>
            $<$<BOOL:${WBLAB_WERROR}>:-Werror>)
