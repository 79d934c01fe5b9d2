// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>
#include <provstation/scanner/barcode.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace provstation::scanner {

/// @brief Limits applied before an image is decoded (a hostile file must not exhaust memory).
struct image_limits {
  std::size_t max_file_bytes = 32u << 20;  ///< Encoded size (PNG/JPEG/BMP …).
  int max_width = 16384;                   ///< Pixels.
  int max_height = 16384;                  ///< Pixels.
  std::uint64_t max_pixels = 50'000'000;   ///< width × height (a 48 MP photo fits).
};

/// @brief How an image is decoded.
enum class decode_strategy {
  /// @brief Our pipeline: ZXing with tryDownscale off (Debian's 1.4 aborts with it on), own
  /// subsampling of large frames, then fallbacks while fields are missing: full resolution,
  /// 1-D codes on rotated copies (30°, 60°), DataMatrix in horizontal bands, a fixed-threshold
  /// binarizer.
  pipeline,
  /// @brief One ZXing ReadBarcodes() call with default hints. Can abort() the process on Debian's
  /// ZXing 1.4; only for comparisons (bench) and the isolation proof, and only in the worker.
  zxing_defaults,
};

/// @brief Options of one decode.
struct decode_options {
  image_limits limits;
  decode_strategy strategy = decode_strategy::pipeline;
  /// @brief Fallback passes stop once this much time has been spent; the first pass always runs.
  std::chrono::milliseconds time_budget{1500};
  /// @brief Stop after the first pass that gives MAC, serial and model (read with this default
  /// model); false runs every pass within the budget.
  bool stop_when_complete = true;
  /// @brief The batch's default model, for the stop condition.
  std::optional<std::string> default_model;
};

/// @brief What a decode cost and did.
struct decode_stats {
  int width = 0;
  int height = 0;
  std::chrono::microseconds load_time{0};    ///< Reading and converting the image to grey.
  std::chrono::microseconds decode_time{0};  ///< All ZXing passes.
  /// @brief The whole call as the caller saw it (for the isolated calls: including starting the
  /// worker and moving the image to it).
  std::chrono::microseconds wall_time{0};
  std::vector<std::string> passes;                    ///< Passes run, in order.
  std::vector<std::chrono::microseconds> pass_times;  ///< Time of each pass.
  bool budget_exhausted = false;                      ///< Passes were skipped for lack of time.
};

/// @brief A grey (luma) frame in memory, e.g. the Y plane of a YUYV or NV12 camera frame.
struct luma_view {
  const std::uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int row_stride = 0;    ///< Bytes per row; 0 = width × pixel_stride.
  int pixel_stride = 1;  ///< Bytes per pixel: 1 for grey/NV12, 2 for YUYV.
};

/// @brief Decodes every barcode in an image file (PNG, JPEG, BMP, GIF, TGA, PNM via stb_image).
/// Runs in this process: a ZXing assertion can still abort() it. The station uses
/// decode_image_file_isolated() (isolated_decoder.hpp) instead.
/// @return the barcodes (possibly none), or an error for unreadable/oversized images.
result<std::vector<barcode>> decode_image_file(const std::string& path,
                                               const decode_options& options = {},
                                               decode_stats* stats = nullptr);

/// @brief Like decode_image_file(), for an encoded image in memory.
result<std::vector<barcode>> decode_image_bytes(std::span<const std::byte> bytes,
                                                const decode_options& options = {},
                                                decode_stats* stats = nullptr);

/// @brief Like decode_image_file(), for a grey frame in memory (not copied).
result<std::vector<barcode>> decode_luma(const luma_view& image, const decode_options& options = {},
                                         decode_stats* stats = nullptr);

}  // namespace provstation::scanner
