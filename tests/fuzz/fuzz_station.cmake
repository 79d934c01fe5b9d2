# SPDX-License-Identifier: Apache-2.0
# Fuzzers for the station's parsers of untrusted bytes.
provstation_add_fuzzer(NAME syslog_line SOURCES syslog_line_fuzzer.cpp LIBS provstation::core)
provstation_add_fuzzer(NAME lease_event SOURCES lease_event_fuzzer.cpp LIBS provstation::core)
provstation_add_fuzzer(NAME kea_lease_file SOURCES kea_lease_file_fuzzer.cpp LIBS provstation::core)
provstation_add_fuzzer(NAME profile_template SOURCES profile_template_fuzzer.cpp LIBS provstation::core)
provstation_add_fuzzer(NAME user_agent SOURCES user_agent_fuzzer.cpp LIBS provstation::core)
provstation_add_fuzzer(NAME phone_path SOURCES phone_path_fuzzer.cpp LIBS provstation::core)
provstation_add_fuzzer(NAME station_config SOURCES station_config_fuzzer.cpp LIBS provstation::core)
