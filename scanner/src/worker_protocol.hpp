// SPDX-License-Identifier: Apache-2.0
#pragma once

// The text the scan worker writes to its stdout, and its arguments. Line based; every string is
// hex-encoded so no content can break the framing:
//   provstation-scan-worker 1
//   size <width> <height>
//   time <load_us> <decode_us> <budget_exhausted 0|1>
//   pass <name>                                       (one per pass)
//   barcode <format> <symbology> <text> <x0> <y0> <x1> <y1> <x2> <y2> <x3> <y3> <orientation>
//   <pass> error <message>                                   (instead of barcodes) end

#include <provstation/result.hpp>
#include <provstation/scanner/barcode.hpp>
#include <provstation/scanner/image_decoder.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace provstation::scanner::detail {

/// Largest answer accepted from a worker.
constexpr std::size_t max_worker_output_bytes = 1u << 20;

/// Encodes a decode outcome as the worker prints it.
std::string encode_worker_output(const result<std::vector<barcode>>& outcome,
                                 const decode_stats& stats);

/// Parses a worker's output; garbled output is an error.
result<std::vector<barcode>> decode_worker_output(std::string_view text, decode_stats& stats);

/// The worker's command-line arguments for `options` (after argv[0]).
std::vector<std::string> worker_arguments(const decode_options& options, std::size_t memory_bytes,
                                          int cpu_seconds);

/// Worker-side settings parsed from its arguments.
struct worker_settings {
  decode_options decode;
  std::size_t memory_bytes = 0;
  int cpu_seconds = 0;
};

/// Parses the arguments made by worker_arguments().
result<worker_settings> parse_worker_arguments(const std::vector<std::string>& args);

}  // namespace provstation::scanner::detail
