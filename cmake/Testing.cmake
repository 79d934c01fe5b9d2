# SPDX-License-Identifier: Apache-2.0
# One helper registers every GoogleTest executable, one every fuzz target.

find_package(GTest REQUIRED)
include(GoogleTest)

# provstation_add_gtest(NAME <name> SOURCES <src...> LIBS <lib...> [LABELS <label...>] [TIMEOUT s])
function(provstation_add_gtest)
  cmake_parse_arguments(arg "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${arg_NAME} ${arg_SOURCES})
  target_link_libraries(${arg_NAME} PRIVATE ${arg_LIBS} GTest::gmock_main provstation::test_support)
  provstation_set_warnings(${arg_NAME})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  set(props TIMEOUT ${arg_TIMEOUT})
  if(arg_LABELS)
    list(APPEND props LABELS "${arg_LABELS}")
  endif()
  gtest_discover_tests(${arg_NAME}
    DISCOVERY_MODE PRE_TEST
    XML_OUTPUT_DIR ${CMAKE_BINARY_DIR}/test-results
    PROPERTIES ${props})
endfunction()

# provstation_add_fuzzer(NAME <name> SOURCES <src...> LIBS <lib...>)
# Builds tests/fuzz/<name>_fuzzer.cpp against replay_main.cpp (or libFuzzer with PROVSTATION_FUZZ)
# and replays tests/fuzz/corpus/<name>/ under the label "fuzz".
function(provstation_add_fuzzer)
  cmake_parse_arguments(arg "" "NAME" "SOURCES;LIBS" ${ARGN})
  set(target fuzz_${arg_NAME})
  if(PROVSTATION_FUZZ)
    add_executable(${target} ${arg_SOURCES})
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    add_executable(${target} ${arg_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
  endif()
  target_link_libraries(${target} PRIVATE ${arg_LIBS})
  provstation_set_warnings(${target})
  set(corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${arg_NAME})
  if(NOT PROVSTATION_FUZZ)
    add_test(NAME fuzz.${arg_NAME} COMMAND ${target} ${corpus})
    set_tests_properties(fuzz.${arg_NAME} PROPERTIES LABELS fuzz TIMEOUT 300)
  endif()
endfunction()
