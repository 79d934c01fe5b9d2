// SPDX-License-Identifier: Apache-2.0
// Fuzzes the image path in process: any bytes are loaded (stb_image, with limits) and decoded by
// the pipeline (ZXing), and whatever is read goes through the label parser. The station runs
// this path in the worker process; a crash here is still a finding.
#include <provstation/scanner/image_decoder.hpp>
#include <provstation/scanner/oui_registry.hpp>
#include <provstation/scanner/scan_text.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sc = provstation::scanner;
  sc::decode_options options;
  // Small limits keep each input fast; the limit checks themselves are part of what is fuzzed.
  options.limits.max_file_bytes = 1u << 20;
  options.limits.max_pixels = 1'000'000;
  options.limits.max_width = 4000;
  options.limits.max_height = 4000;
  options.time_budget = std::chrono::milliseconds(200);
  const auto bytes = std::as_bytes(std::span<const std::uint8_t>(data, size));
  auto codes = sc::decode_image_bytes(bytes, options);
  if (!codes.ok()) {
    if (codes.message().empty()) std::abort();
    return 0;
  }
  std::vector<std::string> values;
  for (const auto& b : *codes) {
    if (b.format.empty()) std::abort();
    values.push_back(b.aim_text());
  }
  sc::label_context ctx;
  ctx.ouis = &sc::oui_registry::none();
  (void)sc::parse_scan_values(values, ctx);
  return 0;
}
