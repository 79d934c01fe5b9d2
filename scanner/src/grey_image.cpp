// SPDX-License-Identifier: Apache-2.0
#include "grey_image.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

namespace provstation::scanner::detail {

rotated_image rotate_grey(const std::uint8_t* data, int width, int height, int row_stride,
                          int pixel_stride, double degrees) {
  rotated_image out;
  const double a = degrees * std::numbers::pi / 180.0;
  out.cos_a = std::cos(a);
  out.sin_a = std::sin(a);
  const double ac = std::abs(out.cos_a);
  const double as = std::abs(out.sin_a);
  out.image.width = static_cast<int>(std::ceil(width * ac + height * as));
  out.image.height = static_cast<int>(std::ceil(width * as + height * ac));
  out.src_cx = width / 2.0;
  out.src_cy = height / 2.0;
  out.dst_cx = out.image.width / 2.0;
  out.dst_cy = out.image.height / 2.0;
  out.image.pixels.assign(static_cast<std::size_t>(out.image.width) * out.image.height, 255);

  // Walk the destination row by row; the source position moves by a constant step per pixel,
  // kept in 16.16 fixed point so the inner loop has no floating point.
  constexpr int shift = 16;
  constexpr double one = 1 << shift;
  for (int y = 0; y < out.image.height; ++y) {
    double sx0 = 0;
    double sy0 = 0;
    out.to_source(0.5, y + 0.5, sx0, sy0);
    auto fx = static_cast<std::int64_t>((sx0 - 0.5) * one);
    auto fy = static_cast<std::int64_t>((sy0 - 0.5) * one);
    const auto step_x = static_cast<std::int64_t>(out.cos_a * one);
    const auto step_y = static_cast<std::int64_t>(-out.sin_a * one);
    std::uint8_t* row = out.image.pixels.data() + static_cast<std::size_t>(y) * out.image.width;
    for (int x = 0; x < out.image.width; ++x, fx += step_x, fy += step_y) {
      const std::int64_t ix = fx >> shift;
      const std::int64_t iy = fy >> shift;
      if (ix < 0 || iy < 0 || ix + 1 >= width || iy + 1 >= height) continue;
      const auto wx = static_cast<std::uint32_t>(fx & 0xffff);
      const auto wy = static_cast<std::uint32_t>(fy & 0xffff);
      const std::uint8_t* p = data + iy * row_stride + ix * pixel_stride;
      const std::uint32_t p00 = p[0];
      const std::uint32_t p01 = p[pixel_stride];
      const std::uint32_t p10 = p[row_stride];
      const std::uint32_t p11 = p[row_stride + pixel_stride];
      const std::uint32_t top = (p00 * (0x10000 - wx) + p01 * wx) >> 8;
      const std::uint32_t bottom = (p10 * (0x10000 - wx) + p11 * wx) >> 8;
      row[x] = static_cast<std::uint8_t>(
          (static_cast<std::uint64_t>(top) * (0x10000 - wy) + static_cast<std::uint64_t>(bottom) * wy) >> 24);
    }
  }
  return out;
}

std::optional<double> dominant_edge_angle(const std::uint8_t* data, int width, int height,
                                          int row_stride, int pixel_stride, int max_samples) {
  // Average step×step blocks first: noise and JPEG grain average out, and single-pixel noise
  // cannot pile up at the angles of small integer gradients (45°, 135° …).
  const double pixels = static_cast<double>(width) * height;
  const int step = std::max(1, static_cast<int>(std::ceil(std::sqrt(pixels / max_samples))));
  const int sw = width / step;
  const int sh = height / step;
  if (sw < 8 || sh < 8) return std::nullopt;
  std::vector<int> small(static_cast<std::size_t>(sw) * sh);
  for (int by = 0; by < sh; ++by) {
    for (int bx = 0; bx < sw; ++bx) {
      int sum = 0;
      for (int y = by * step; y < (by + 1) * step; ++y) {
        const std::uint8_t* row = data + static_cast<std::ptrdiff_t>(y) * row_stride;
        for (int x = bx * step; x < (bx + 1) * step; ++x) sum += row[x * pixel_stride];
      }
      small[static_cast<std::size_t>(by) * sw + bx] = sum / (step * step);
    }
  }
  auto at = [&](int x, int y) { return small[static_cast<std::size_t>(y) * sw + x]; };
  constexpr int bins = 180;
  std::array<double, bins> hist{};
  // Scharr responses below this (about 40 grey levels of contrast) are shading or noise.
  constexpr double min_magnitude = 640.0;
  long strong = 0;
  for (int y = 1; y + 1 < sh; ++y) {
    for (int x = 1; x + 1 < sw; ++x) {
      // Scharr kernels: their angle error on oblique edges is far smaller than Sobel's.
      const int gx = (3 * at(x + 1, y - 1) + 10 * at(x + 1, y) + 3 * at(x + 1, y + 1)) -
                     (3 * at(x - 1, y - 1) + 10 * at(x - 1, y) + 3 * at(x - 1, y + 1));
      const int gy = (3 * at(x - 1, y + 1) + 10 * at(x, y + 1) + 3 * at(x + 1, y + 1)) -
                     (3 * at(x - 1, y - 1) + 10 * at(x, y - 1) + 3 * at(x + 1, y - 1));
      const double m = std::sqrt(static_cast<double>(gx) * gx + static_cast<double>(gy) * gy);
      if (m < min_magnitude) continue;
      double a = std::atan2(static_cast<double>(gy), static_cast<double>(gx)) * 180.0 /
                 std::numbers::pi;
      if (a < 0) a += 180.0;
      if (a >= 180.0) a -= 180.0;
      // Split the vote between the two nearest bins.
      const double pos = a - 0.5;
      const int lo = static_cast<int>(std::floor(pos));
      const double frac = pos - lo;
      hist[static_cast<std::size_t>((lo + bins) % bins)] += m * (1.0 - frac);
      hist[static_cast<std::size_t>((lo + 1) % bins)] += m * frac;
      ++strong;
    }
  }
  if (strong < 100) return std::nullopt;
  // Smooth circularly over ±2° and take the peak.
  double best = -1;
  int best_bin = 0;
  for (int b = 0; b < bins; ++b) {
    double sum = 0;
    for (int d = -2; d <= 2; ++d) sum += hist[static_cast<std::size_t>((b + d + bins) % bins)];
    if (sum > best) {
      best = sum;
      best_bin = b;
    }
  }
  // Refine the peak between bins with a parabola through it and its neighbours.
  auto smoothed = [&](int b) {
    double sum = 0;
    for (int d = -2; d <= 2; ++d) sum += hist[static_cast<std::size_t>((b + d + 2 * bins) % bins)];
    return sum;
  };
  const double l = smoothed(best_bin - 1);
  const double r = smoothed(best_bin + 1);
  const double denom = l - 2 * best + r;
  double offset = denom < 0 ? 0.5 * (l - r) / denom : 0.0;
  offset = std::clamp(offset, -0.5, 0.5);
  double angle = best_bin + 0.5 + offset;
  if (angle < 0) angle += 180.0;
  if (angle >= 180.0) angle -= 180.0;
  return angle;
}

}  // namespace provstation::scanner::detail
