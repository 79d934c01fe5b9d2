# SPDX-License-Identifier: Apache-2.0
# Fuzzers of the Kea hook's parsers of untrusted bytes: the station's policy file, and the
# lease-event encoder fed with client-controlled strings (hostname, vendor class).
provstation_add_fuzzer(NAME kea_policy SOURCES kea_policy_fuzzer.cpp LIBS provstation::kea_core)
provstation_add_fuzzer(NAME kea_event SOURCES kea_event_fuzzer.cpp
                       LIBS provstation::kea_wire nlohmann_json::nlohmann_json)
