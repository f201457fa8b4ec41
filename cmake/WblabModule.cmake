# wblab_add_module(NAME <name> LAYER <n> SRCS ... [DEPS ...] [PRIVATE_DEPS ...])
# Creates wblab_<name> with alias wblab::<name>, its include/ directory public, and refuses a
# dependency on a wblab module of the same or a higher layer: the layering rule is a build error.
define_property(TARGET PROPERTY WBLAB_LAYER BRIEF_DOCS "wblab layer" FULL_DOCS "wblab module layer")

function(wblab_add_module)
  cmake_parse_arguments(M "" "NAME;LAYER" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target wblab_${M_NAME})
  add_library(${target} STATIC ${M_SRCS})
  add_library(wblab::${M_NAME} ALIAS ${target})
  set_target_properties(${target} PROPERTIES WBLAB_LAYER ${M_LAYER})
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
                             PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  foreach(dep IN LISTS M_DEPS M_PRIVATE_DEPS)
    if(dep MATCHES "^wblab::(.*)$")
      get_target_property(dep_layer wblab_${CMAKE_MATCH_1} WBLAB_LAYER)
      if(NOT dep_layer LESS M_LAYER)
        message(FATAL_ERROR "wblab layering: ${target} (layer ${M_LAYER}) may not depend on "
                            "${dep} (layer ${dep_layer})")
      endif()
    endif()
  endforeach()
  target_link_libraries(${target} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS} wblab_options
                                                           wblab_warnings)
  target_link_libraries(${target} INTERFACE wblab_options)
endfunction()

# wblab_add_tests(NAME <exe> PREFIX <ctest prefix> SRCS ... DEPS ... [LABELS ...] [SPEC <catch spec>]
#                 [TIMEOUT <seconds, default 120>])
function(wblab_add_tests)
  cmake_parse_arguments(T "" "NAME;PREFIX;SPEC;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${T_NAME} ${T_SRCS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} wblab_testmain wblab_options wblab_warnings)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(T_SPEC)
    catch_discover_tests(${T_NAME} TEST_SPEC "${T_SPEC}" TEST_PREFIX "${T_PREFIX}."
                         PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
  else()
    catch_discover_tests(${T_NAME} TEST_PREFIX "${T_PREFIX}." PROPERTIES LABELS "${T_LABELS}"
                         TIMEOUT ${T_TIMEOUT})
  endif()
endfunction()
