// SPDX-License-Identifier: Apache-2.0
// provstation-scan-worker: decodes one image from stdin in its own process (see
// isolated_decoder.hpp), so that a crash in stb_image or ZXing cannot take the station down.
#include <provstation/scanner/isolated_decoder.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  try {
    return provstation::scanner::run_scan_worker(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "provstation-scan-worker: %s\n", e.what());
    return 5;
  }
}
