# SPDX-License-Identifier: Apache-2.0
# Fuzzers for the web side: HTTP request bytes as the session parses them.
provstation_add_fuzzer(NAME http_request SOURCES http_request_fuzzer.cpp LIBS provstation::web)
