# SPDX-License-Identifier: Apache-2.0
# Fuzzers of the scanner component (included by tests/fuzz/CMakeLists.txt).
provstation_add_fuzzer(NAME label_text SOURCES label_text_fuzzer.cpp LIBS provstation::scanner)
provstation_add_fuzzer(NAME scan_image SOURCES scan_image_fuzzer.cpp LIBS provstation::scanner)
