# wblab_add_scenarios(NAME <name> AGENT "<agent command line>" SCENARIOS <file-or-dir>...
#                     [TAGS <tag>...] [EXCLUDE_TAGS <tag>...] [DIRECTORY slapd|samba]
#                     [TIMEOUT <seconds per test, default 300>] [ARGS <more wblab run options>...])
#
# Registers one CTest test per scenario that `wblab list` selects, named <name>.<scenario id>
# (matrix rows each their own), running `wblab run <scenarios> --id <id> --agent <agent>` with
# its reports in ${CMAKE_CURRENT_BINARY_DIR}/wblab-reports/<name>/. A scenario the agent does
# not declare the capabilities for is reported as skipped. The agent command may hold generator
# expressions ("$<TARGET_FILE:my-agent> --verbose"). The scenario files are configure
# dependencies: adding or editing one re-runs CMake, so the test list follows them.
function(wblab_add_scenarios)
  cmake_parse_arguments(W "" "NAME;AGENT;DIRECTORY;TIMEOUT" "SCENARIOS;TAGS;EXCLUDE_TAGS;ARGS"
                        ${ARGN})
  foreach(required NAME AGENT SCENARIOS)
    if(NOT W_${required})
      message(FATAL_ERROR "wblab_add_scenarios: ${required} is required")
    endif()
  endforeach()
  if(NOT W_TIMEOUT)
    set(W_TIMEOUT 300)
  endif()
  set(selection)
  foreach(tag IN LISTS W_TAGS)
    list(APPEND selection --tags ${tag})
  endforeach()
  foreach(tag IN LISTS W_EXCLUDE_TAGS)
    list(APPEND selection --exclude-tags ${tag})
  endforeach()
  execute_process(COMMAND ${WBLAB_EXECUTABLE} list ${W_SCENARIOS} ${selection}
                  OUTPUT_VARIABLE listed ERROR_VARIABLE problems RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "wblab_add_scenarios(${W_NAME}): wblab list failed:\n${problems}")
  endif()
  # Re-run CMake when a scenario file comes, goes or changes.
  foreach(path IN LISTS W_SCENARIOS)
    if(IS_DIRECTORY ${path})
      file(GLOB_RECURSE files CONFIGURE_DEPENDS ${path}/*.yaml ${path}/*.yml)
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${files})
    else()
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
    endif()
  endforeach()
  set(run_options --agent ${W_AGENT} --jobs 1)
  if(W_DIRECTORY)
    list(APPEND run_options --directory ${W_DIRECTORY})
  endif()
  string(REPLACE ";" "\\;" listed "${listed}")  # ids never hold ';', but stay safe
  string(REPLACE "\n" ";" lines "${listed}")
  set(count 0)
  foreach(line IN LISTS lines)
    if(line STREQUAL "")
      continue()
    endif()
    string(REGEX REPLACE "\t.*$" "" id "${line}")
    string(MAKE_C_IDENTIFIER "${id}" report)
    add_test(NAME ${W_NAME}.${id}
             COMMAND ${WBLAB_EXECUTABLE} run ${W_SCENARIOS} --id ${id} ${run_options}
                     --report-dir ${CMAKE_CURRENT_BINARY_DIR}/wblab-reports/${W_NAME}/${report}
                     ${W_ARGS})
    set_tests_properties(${W_NAME}.${id} PROPERTIES
      LABELS "wblab;${W_NAME}" TIMEOUT ${W_TIMEOUT}
      SKIP_REGULAR_EXPRESSION "1 scenarios: 0 passed, 0 failed, 1 unsupported")
    math(EXPR count "${count} + 1")
  endforeach()
  if(count EQUAL 0)
    message(WARNING "wblab_add_scenarios(${W_NAME}): no scenario selected")
  endif()
  message(STATUS "wblab: ${count} scenario tests in ${W_NAME}")
endfunction()
