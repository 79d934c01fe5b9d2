// SPDX-License-Identifier: Apache-2.0
#include <provstation/scanner/image_decoder.hpp>

#include "grey_image.hpp"
#include "log.hpp"

#include <provstation/scanner/oui_registry.hpp>
#include <provstation/scanner/scan_text.hpp>

// The only translation unit that includes ZXing and stb_image. ZX_USE_UTF8 makes
// Result::text() return UTF-8 std::string (ZXing 1.4).
#define ZX_USE_UTF8
#include <ZXing/ReadBarcode.h>
#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <memory>

namespace provstation::scanner {

namespace {

using clock_type = std::chrono::steady_clock;

// Frames above this many pixels are decoded subsampled first (Debian's ZXing must run with
// tryDownscale off, so we do the downscaling ourselves).
constexpr double subsample_above_pixels = 3.2e6;
constexpr double subsample_target_pixels = 2.4e6;
// DataMatrix band pass: bands at least this tall, moved by a third of their height.
constexpr int min_band_height = 400;
// Labels tilted less than this are left to the upright pass.
constexpr double min_tilt_degrees = 3.0;
// DataMatrix windows: twice the candidate region, within these bounds (pixels).
constexpr int min_window = 160;
constexpr int max_window = 640;
// The first passes read only the content box when it is at most this share of the frame.
constexpr double max_roi_share = 0.7;
// Scan lines that must agree on a 1-D symbol read from a sharpened copy.
constexpr int enhanced_min_lines = 4;

const ZXing::BarcodeFormats all_formats =
    ZXing::BarcodeFormat::Code128 | ZXing::BarcodeFormat::DataMatrix |
    ZXing::BarcodeFormat::QRCode | ZXing::BarcodeFormat::EAN13 | ZXing::BarcodeFormat::EAN8 |
    ZXing::BarcodeFormat::UPCA | ZXing::BarcodeFormat::UPCE;
const ZXing::BarcodeFormats linear_formats =
    ZXing::BarcodeFormat::Code128 | ZXing::BarcodeFormat::EAN13 | ZXing::BarcodeFormat::EAN8 |
    ZXing::BarcodeFormat::UPCA | ZXing::BarcodeFormat::UPCE;

ZXing::DecodeHints pipeline_hints(ZXing::BarcodeFormats formats) {
  ZXing::DecodeHints hints;
  hints.setFormats(formats);
  hints.setTryHarder(true);
  hints.setTryRotate(true);
  // Debian's ZXing 1.4 asserts (abort) when the downscale pyramid finds a symbol twice.
  hints.setTryDownscale(false);
  return hints;
}

ZXing::DecodeHints fixed_hints(ZXing::BarcodeFormats formats) {
  ZXing::DecodeHints hints = pipeline_hints(formats);
  hints.setBinarizer(ZXing::Binarizer::FixedThreshold);
  return hints;
}

using to_full = std::function<point(double, double)>;

// Runs the passes of one decode and collects what they find.
//
// How it works: a frame above ~3 MP is subsampled first (we must keep ZXing's own downscaling
// off). A quick edge analysis finds the label (content box), how far it is turned and where
// matrix symbols may be. Then passes run cheapest and most useful first, each adding the symbols
// it finds (deduplicated), until the symbols give MAC, serial and model or the time budget is
// spent: the label as is, with a fixed threshold, DataMatrix windows, a copy turned upright
// (1-D codes), a sharpened copy (stricter: 4 agreeing scan lines), the whole frame, full
// resolution, DataMatrix bands, and fixed 30°/60° turns when no edge direction was found.
class decode_run {
 public:
  decode_run(const decode_options& options, decode_stats& stats, clock_type::time_point start)
      : options_(options), stats_(stats), start_(start) {}

  std::vector<barcode> run(const ZXing::ImageView& image) {
    if (options_.strategy == decode_strategy::zxing_defaults) {
      pass("zxing-defaults", image, ZXing::DecodeHints{}, identity());
      return std::move(found_);
    }
    const double pixels = static_cast<double>(image.width()) * image.height();
    int k = 1;
    if (pixels > subsample_above_pixels) {
      k = static_cast<int>(std::ceil(std::sqrt(pixels / subsample_target_pixels)));
    }
    const ZXing::ImageView base = k > 1 ? image.subsampled(k) : image;
    const to_full base_map = [k](double x, double y) {
      return point{static_cast<int>(std::lround(x * k)), static_cast<int>(std::lround(y * k))};
    };
    // A quick look at the edges: where the label is, how it is turned, where 2-D symbols may be.
    const auto t0 = clock_type::now();
    const detail::image_analysis analysis = detail::analyse_image(
        base.data(0, 0), base.width(), base.height(), base.rowStride(), base.pixStride());
    record("analyse", t0);
    const detail::rect& roi = analysis.content;
    const bool cropped =
        static_cast<double>(roi.width) * roi.height < max_roi_share * base.width() * base.height();
    const ZXing::ImageView label =
        cropped ? base.cropped(roi.x, roi.y, roi.width, roi.height) : base;
    const to_full label_map = [base_map, &roi, cropped](double x, double y) {
      return cropped ? base_map(x + roi.x, y + roi.y) : base_map(x, y);
    };
    const std::string suffix = k > 1 ? "-sub" + std::to_string(k) : "";

    pass("base" + suffix, label, pipeline_hints(all_formats), label_map);
    if (done()) return std::move(found_);
    // Noise, JPEG grain and a white label on brown cardboard defeat the histogram binarizer
    // ZXing uses for 1-D codes far more often than a plain fixed threshold.
    if (time_left()) pass("fixed" + suffix, label, fixed_hints(all_formats), label_map);
    if (done()) return std::move(found_);
    // 1-D codes read only within a few degrees of horizontal or vertical (how many depends on
    // the bar height; tryRotate adds 90°): turn the label so its edges are upright.
    std::optional<double> tilt;
    if (analysis.edge_angle) {
      double t = std::fmod(*analysis.edge_angle, 90.0);
      if (t > 45.0) t -= 90.0;
      if (std::abs(t) >= min_tilt_degrees) tilt = t;
    }
    if (tilt && time_left()) rotated_pass(label, label_map, -*tilt);
    if (done()) return std::move(found_);
    if (time_left()) matrix_windows(base, base_map, analysis.matrix_candidates);
    if (done()) return std::move(found_);
    // Blurred, dim or glared photos: sharpen and stretch the contrast of the (upright) label.
    if (time_left()) enhanced_pass(label, label_map, tilt ? -*tilt : 0.0);
    if (done()) return std::move(found_);
    // The content box may have missed a faint symbol: read the whole frame once.
    if (cropped && time_left()) pass("frame" + suffix, base, pipeline_hints(all_formats), base_map);
    if (done()) return std::move(found_);
    // A large frame decoded subsampled may have lost thin modules: read it at full size.
    if (k > 1 && time_left()) {
      pass("full-fixed", image, fixed_hints(all_formats), identity());
      if (done()) return std::move(found_);
      if (time_left()) pass("full", image, pipeline_hints(all_formats), identity());
      if (done()) return std::move(found_);
    }
    if (time_left()) dm_bands(base, base_map);
    if (done()) return std::move(found_);
    // Without a usable edge direction, try angles that with 0° and 90° cover every tilt.
    for (double angle : {30.0, 60.0}) {
      if (tilt || !time_left()) break;
      rotated_pass(label, label_map, angle);
      if (done()) return std::move(found_);
    }
    return std::move(found_);
  }

 private:
  static to_full identity() {
    return [](double x, double y) {
      return point{static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y))};
    };
  }

  bool time_left() {
    if (clock_type::now() - start_ < options_.time_budget) return true;
    stats_.budget_exhausted = true;
    return false;
  }

  // True when the stop condition holds: the barcodes so far give MAC, serial and model.
  bool done() const {
    if (!options_.stop_when_complete || found_.empty()) return false;
    std::vector<std::string> values;
    values.reserve(found_.size());
    for (const auto& b : found_) values.push_back(b.aim_text());
    label_context ctx;
    ctx.model = options_.default_model;
    ctx.ouis = &oui_registry::none();
    auto fields = parse_scan_values(values, ctx);
    return fields.ok() && fields->complete();
  }

  void record(const std::string& name, clock_type::time_point since) {
    stats_.passes.push_back(name);
    stats_.pass_times.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - since));
  }

  void pass(const std::string& name, const ZXing::ImageView& view, const ZXing::DecodeHints& hints,
            const to_full& map) {
    const auto t0 = clock_type::now();
    const ZXing::Results results = ZXing::ReadBarcodes(view, hints);
    record(name, t0);
    collect(results, name, map);
  }

  // Keeps the valid results, with their corners mapped to full-image coordinates.
  void collect(const ZXing::Results& results, const std::string& pass_name, const to_full& map) {
    for (const auto& r : results) {
      if (!r.isValid()) continue;
      barcode b;
      b.format = ZXing::ToString(r.format());
      b.text = r.text();
      b.symbology = r.symbologyIdentifier();
      const auto& pos = r.position();
      for (std::size_t i = 0; i < 4; ++i) b.corners[i] = map(pos[i].x, pos[i].y);
      b.orientation = r.orientation();
      b.pass = pass_name;
      add(std::move(b));
    }
  }

  void add(barcode b) {
    for (const auto& f : found_) {
      if (f.format == b.format && f.text == b.text) return;
    }
    found_.push_back(std::move(b));
  }

  // Maps a point of a rotated copy back to full-resolution coordinates of the photo.
  static to_full through_rotation(const detail::rotated_image& rot, const to_full& view_map) {
    return [&rot, &view_map](double x, double y) {
      double sx = 0;
      double sy = 0;
      rot.to_source(x, y, sx, sy);
      return view_map(sx, sy);
    };
  }

  void rotated_pass(const ZXing::ImageView& view, const to_full& view_map, double angle) {
    const auto t0 = clock_type::now();
    const detail::rotated_image rot = detail::rotate_grey(
        view.data(0, 0), view.width(), view.height(), view.rowStride(), view.pixStride(), angle);
    const std::string name = "rotated" + std::to_string(static_cast<int>(std::lround(angle)));
    record(name + "-copy", t0);
    const ZXing::ImageView turned(rot.image.pixels.data(), rot.image.width, rot.image.height,
                                  ZXing::ImageFormat::Lum);
    const to_full map = through_rotation(rot, view_map);
    pass(name + "-fixed", turned, fixed_hints(linear_formats), map);
    if (done() || !time_left()) return;
    pass(name, turned, pipeline_hints(linear_formats), map);
  }

  void enhanced_pass(const ZXing::ImageView& view, const to_full& view_map, double angle) {
    const auto t0 = clock_type::now();
    const detail::rotated_image rot = detail::rotate_grey(
        view.data(0, 0), view.width(), view.height(), view.rowStride(), view.pixStride(), angle);
    const detail::grey_image sharp = detail::enhance_grey(rot.image.pixels.data(), rot.image.width,
                                                          rot.image.height, rot.image.width, 1);
    record("enhanced-copy", t0);
    const ZXing::ImageView turned(sharp.pixels.data(), sharp.width, sharp.height,
                                  ZXing::ImageFormat::Lum);
    const to_full map = through_rotation(rot, view_map);
    // Sharpening creates edges of its own: demand more agreeing scan lines than ZXing's two.
    ZXing::DecodeHints fixed = fixed_hints(linear_formats);
    fixed.setMinLineCount(enhanced_min_lines);
    pass("enhanced-fixed", turned, fixed, map);
    if (done() || !time_left()) return;
    ZXing::DecodeHints local = pipeline_hints(linear_formats);
    local.setMinLineCount(enhanced_min_lines);
    pass("enhanced", turned, local, map);
  }

  // Debian's C++17 build of ZXing 1.4 looks for a DataMatrix only from the centre of the image
  // outwards, and whether it finds one depends on exactly where that centre falls: decode
  // windows of a few sizes and offsets around each region that looks like a matrix symbol.
  void matrix_windows(const ZXing::ImageView& base, const to_full& base_map,
                      const std::vector<detail::rect>& candidates) {
    if (candidates.empty()) return;
    const auto t0 = clock_type::now();
    const ZXing::DecodeHints hints = pipeline_hints(ZXing::BarcodeFormat::DataMatrix);
    // Window size (times the region) and centre shift (eighths of the window) of each try.
    static constexpr struct {
      double scale;
      int dx;
      int dy;
    } tries[] = {{2.0, 0, 0}, {1.6, 0, 0},  {2.0, 1, 0}, {2.0, -1, 0},
                 {2.0, 0, 1}, {2.0, 0, -1}, {2.5, 0, 0}};
    for (const auto& c : candidates) {
      bool read = false;
      for (const auto& t : tries) {
        if (read || !time_left()) break;
        const int side = std::clamp(static_cast<int>(t.scale * std::max(c.width, c.height)),
                                    min_window, max_window);
        const int cx = c.x + c.width / 2 + t.dx * side / 8;
        const int cy = c.y + c.height / 2 + t.dy * side / 8;
        const int left = std::clamp(cx - side / 2, 0, std::max(0, base.width() - side));
        const int top = std::clamp(cy - side / 2, 0, std::max(0, base.height() - side));
        const std::size_t before = found_.size();
        collect(ZXing::ReadBarcodes(base.cropped(left, top, side, side), hints), "dm-window",
                [&](double x, double y) { return base_map(x + left, y + top); });
        read = found_.size() > before;
      }
      if (done()) break;
    }
    record("dm-windows", t0);
  }

  // Debian's C++17 build of ZXing 1.4 finds a DataMatrix only when it crosses the image's
  // centre lines, and one per call: re-scan full-width bands so every symbol crosses the centre
  // line of one of them.
  void dm_bands(const ZXing::ImageView& base, const to_full& base_map) {
    const int h = base.height();
    const int band = std::min(h, std::max(min_band_height, h / 3));
    if (band >= h) return;
    const int step = std::max(1, band / 3);
    const auto t0 = clock_type::now();
    ZXing::DecodeHints hints = pipeline_hints(ZXing::BarcodeFormat::DataMatrix);
    for (int top = 0; top < h; top += step) {
      const int t = std::min(top, h - band);
      const ZXing::ImageView view = base.cropped(0, t, base.width(), band);
      collect(ZXing::ReadBarcodes(view, hints), "dm-band",
              [&](double x, double y) { return base_map(x, y + t); });
      if (t == h - band || !time_left()) break;
    }
    record("dm-bands", t0);
  }

  const decode_options& options_;
  decode_stats& stats_;
  clock_type::time_point start_;
  std::vector<barcode> found_;
};

template <class Rep, class Period>
std::chrono::microseconds us(std::chrono::duration<Rep, Period> d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d);
}

result<std::vector<barcode>> decode_view(const ZXing::ImageView& view,
                                         const decode_options& options, decode_stats& stats) {
  const auto start = clock_type::now();
  decode_run run(options, stats, start);
  // ZXing reports failures by exceptions in places (allocation, malformed symbols); none may
  // escape to the caller.
  try {
    std::vector<barcode> out = run.run(view);
    stats.decode_time = us(clock_type::now() - start);
    return out;
  } catch (const std::exception& e) {
    stats.decode_time = us(clock_type::now() - start);
    detail::log()->warn("barcode decoder failed: {}", e.what());
    return make_error(std::string("barcode decoder failed: ") + e.what());
  }
}

result<void> check_size(int w, int h, const image_limits& limits) {
  if (w <= 0 || h <= 0) return make_error("image has no pixels");
  if (w > limits.max_width || h > limits.max_height ||
      static_cast<std::uint64_t>(w) * static_cast<std::uint64_t>(h) > limits.max_pixels) {
    return make_error("image is too large (" + std::to_string(w) + "x" + std::to_string(h) +
                      " pixels; the limit is " + std::to_string(limits.max_width) + "x" +
                      std::to_string(limits.max_height) + " and " +
                      std::to_string(limits.max_pixels) + " pixels)");
  }
  return {};
}

}  // namespace

result<std::vector<barcode>> decode_image_bytes(std::span<const std::byte> bytes,
                                                const decode_options& options,
                                                decode_stats* stats) {
  decode_stats local;
  decode_stats& st = stats != nullptr ? *stats : local;
  const auto start = clock_type::now();
  if (bytes.empty()) return make_error("image is empty");
  if (bytes.size() > options.limits.max_file_bytes) {
    return make_error("image is larger than " + std::to_string(options.limits.max_file_bytes) +
                      " bytes");
  }
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = static_cast<int>(bytes.size());
  int w = 0;
  int h = 0;
  int channels = 0;
  // Read the header first, so a bomb (a small file claiming a huge image) is refused before
  // anything is allocated for its pixels.
  if (stbi_info_from_memory(data, len, &w, &h, &channels) == 0) {
    return make_error(std::string("not a readable image (") + stbi_failure_reason() + ")");
  }
  if (auto ok = check_size(w, h, options.limits); !ok) return ok.err();
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(data, len, &w, &h, &channels, 1), stbi_image_free);
  if (!pixels)
    return make_error(std::string("could not read image (") + stbi_failure_reason() + ")");
  if (auto ok = check_size(w, h, options.limits); !ok) return ok.err();
  st.width = w;
  st.height = h;
  st.load_time = us(clock_type::now() - start);
  const ZXing::ImageView view(pixels.get(), w, h, ZXing::ImageFormat::Lum);
  return decode_view(view, options, st);
}

result<std::vector<barcode>> decode_image_file(const std::string& path,
                                               const decode_options& options, decode_stats* stats) {
  const auto start = clock_type::now();
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return make_error("cannot open " + path);
  const std::streamoff size = in.tellg();
  if (size < 0) return make_error("cannot read " + path);
  if (static_cast<std::uint64_t>(size) > options.limits.max_file_bytes) {
    return make_error("image is larger than " + std::to_string(options.limits.max_file_bytes) +
                      " bytes");
  }
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    return make_error("cannot read " + path);
  }
  decode_stats local;
  decode_stats& st = stats != nullptr ? *stats : local;
  auto out = decode_image_bytes(bytes, options, &st);
  st.load_time = us(clock_type::now() - start) - st.decode_time;
  return out;
}

result<std::vector<barcode>> decode_luma(const luma_view& image, const decode_options& options,
                                         decode_stats* stats) {
  decode_stats local;
  decode_stats& st = stats != nullptr ? *stats : local;
  if (image.data == nullptr) return make_error("image is empty");
  if (auto ok = check_size(image.width, image.height, options.limits); !ok) return ok.err();
  if (image.pixel_stride < 1 || image.row_stride < 0 ||
      (image.row_stride != 0 && image.row_stride < image.width * image.pixel_stride)) {
    return make_error("image strides are inconsistent");
  }
  st.width = image.width;
  st.height = image.height;
  const ZXing::ImageView view(image.data, image.width, image.height, ZXing::ImageFormat::Lum,
                              image.row_stride, image.pixel_stride);
  return decode_view(view, options, st);
}

}  // namespace provstation::scanner
