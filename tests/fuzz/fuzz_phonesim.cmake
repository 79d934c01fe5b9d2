# SPDX-License-Identifier: Apache-2.0
# phonesim parses profiles and rules it fetches from the network: both are fuzzed.
provstation_add_fuzzer(NAME flat_profile SOURCES flat_profile_fuzzer.cpp LIBS provstation::phonesim)
provstation_add_fuzzer(NAME profile_rule SOURCES profile_rule_fuzzer.cpp LIBS provstation::phonesim)
