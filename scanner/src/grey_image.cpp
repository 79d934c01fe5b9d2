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
      row[x] = static_cast<std::uint8_t>((static_cast<std::uint64_t>(top) * (0x10000 - wy) +
                                          static_cast<std::uint64_t>(bottom) * wy) >>
                                         24);
    }
  }
  return out;
}

namespace {

// One horizontal then one vertical running-sum box blur of `radius`, in place on `px`.
void box_blur(std::vector<int>& px, int width, int height, int radius) {
  const int n = 2 * radius + 1;
  std::vector<int> line(static_cast<std::size_t>(std::max(width, height)));
  for (int y = 0; y < height; ++y) {
    int* row = px.data() + static_cast<std::size_t>(y) * width;
    int sum = 0;
    for (int x = -radius; x <= radius; ++x) sum += row[std::clamp(x, 0, width - 1)];
    for (int x = 0; x < width; ++x) {
      line[static_cast<std::size_t>(x)] = sum / n;
      sum += row[std::min(x + radius + 1, width - 1)] - row[std::max(x - radius, 0)];
    }
    std::copy(line.begin(), line.begin() + width, row);
  }
  for (int x = 0; x < width; ++x) {
    auto at = [&](int y) -> int& { return px[static_cast<std::size_t>(y) * width + x]; };
    int sum = 0;
    for (int y = -radius; y <= radius; ++y) sum += at(std::clamp(y, 0, height - 1));
    for (int y = 0; y < height; ++y) {
      line[static_cast<std::size_t>(y)] = sum / n;
      sum += at(std::min(y + radius + 1, height - 1)) - at(std::max(y - radius, 0));
    }
    for (int y = 0; y < height; ++y) at(y) = line[static_cast<std::size_t>(y)];
  }
}

// Block-averaged copy of an image, so noise and JPEG grain average out and single-pixel noise
// cannot pile up at the angles of small integer gradients (45°, 135° …).
struct small_image {
  int step = 1;
  int width = 0;
  int height = 0;
  std::vector<int> pixels;
  int at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

small_image block_average(const std::uint8_t* data, int width, int height, int row_stride,
                          int pixel_stride, int max_samples) {
  small_image s;
  const double pixels = static_cast<double>(width) * height;
  s.step = std::max(1, static_cast<int>(std::ceil(std::sqrt(pixels / max_samples))));
  s.width = width / s.step;
  s.height = height / s.step;
  s.pixels.resize(static_cast<std::size_t>(s.width) * s.height);
  for (int by = 0; by < s.height; ++by) {
    for (int bx = 0; bx < s.width; ++bx) {
      int sum = 0;
      for (int y = by * s.step; y < (by + 1) * s.step; ++y) {
        const std::uint8_t* row = data + static_cast<std::ptrdiff_t>(y) * row_stride;
        for (int x = bx * s.step; x < (bx + 1) * s.step; ++x) sum += row[x * pixel_stride];
      }
      s.pixels[static_cast<std::size_t>(by) * s.width + bx] = sum / (s.step * s.step);
    }
  }
  return s;
}

// Scharr responses below this (about 40 grey levels of contrast) are shading or noise.
constexpr double min_magnitude = 640.0;
// Matrix candidates: cells of this many samples, with this share of strong, crossing edges.
constexpr int cell = 8;
constexpr double min_cell_energy = 0.25;
constexpr double max_cell_coherence = 0.6;
constexpr std::size_t max_candidates = 6;
constexpr int max_candidate_aspect = 3;
// Content box: cells with at least this share of strong edges, plus a margin of cells.
constexpr double min_busy_share = 0.08;
constexpr int content_margin_cells = 2;

}  // namespace

grey_image enhance_grey(const std::uint8_t* data, int width, int height, int row_stride,
                        int pixel_stride, int radius, double amount) {
  grey_image out;
  if (width <= 0 || height <= 0) return out;
  std::vector<int> src(static_cast<std::size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      src[static_cast<std::size_t>(y) * width + x] =
          data[static_cast<std::ptrdiff_t>(y) * row_stride + x * pixel_stride];
    }
  }
  std::vector<int> blurred = src;
  box_blur(blurred, width, height, radius);
  box_blur(blurred, width, height, radius);
  const int gain = static_cast<int>(std::lround(amount * 256));
  std::array<std::size_t, 256> hist{};
  for (std::size_t i = 0; i < src.size(); ++i) {
    const int v = std::clamp(src[i] + ((src[i] - blurred[i]) * gain >> 8), 0, 255);
    src[i] = v;
    ++hist[static_cast<std::size_t>(v)];
  }
  // Stretch between the 1st and 99th percentile.
  const std::size_t total = src.size();
  std::size_t acc = 0;
  int lo = 0;
  while (lo < 255 && (acc += hist[static_cast<std::size_t>(lo)]) < total / 100) ++lo;
  acc = 0;
  int hi = 255;
  while (hi > 0 && (acc += hist[static_cast<std::size_t>(hi)]) < total / 100) --hi;
  if (hi <= lo) {
    lo = 0;
    hi = 255;
  }
  out.width = width;
  out.height = height;
  out.pixels.resize(total);
  for (std::size_t i = 0; i < total; ++i) {
    out.pixels[i] = static_cast<std::uint8_t>(std::clamp((src[i] - lo) * 255 / (hi - lo), 0, 255));
  }
  return out;
}

image_analysis analyse_image(const std::uint8_t* data, int width, int height, int row_stride,
                             int pixel_stride, int max_samples) {
  image_analysis out;
  const small_image s = block_average(data, width, height, row_stride, pixel_stride, max_samples);
  if (s.width < 3 * cell || s.height < 3 * cell) return out;
  constexpr int bins = 180;
  std::array<double, bins> hist{};
  long strong = 0;
  // Per cell: structure tensor sums (jxx, jyy, jxy) and the count of strong edges.
  const int cw = s.width / cell;
  const int ch = s.height / cell;
  struct tensor {
    double xx = 0, yy = 0, xy = 0;
    int edges = 0;
  };
  std::vector<tensor> cells(static_cast<std::size_t>(cw) * ch);
  for (int y = 1; y + 1 < s.height; ++y) {
    for (int x = 1; x + 1 < s.width; ++x) {
      // Scharr kernels: their angle error on oblique edges is far smaller than Sobel's.
      const int gx = (3 * s.at(x + 1, y - 1) + 10 * s.at(x + 1, y) + 3 * s.at(x + 1, y + 1)) -
                     (3 * s.at(x - 1, y - 1) + 10 * s.at(x - 1, y) + 3 * s.at(x - 1, y + 1));
      const int gy = (3 * s.at(x - 1, y + 1) + 10 * s.at(x, y + 1) + 3 * s.at(x + 1, y + 1)) -
                     (3 * s.at(x - 1, y - 1) + 10 * s.at(x, y - 1) + 3 * s.at(x + 1, y - 1));
      const double m = std::sqrt(static_cast<double>(gx) * gx + static_cast<double>(gy) * gy);
      if (m < min_magnitude) continue;
      double a =
          std::atan2(static_cast<double>(gy), static_cast<double>(gx)) * 180.0 / std::numbers::pi;
      if (a < 0) a += 180.0;
      if (a >= 180.0) a -= 180.0;
      // Split the vote between the two nearest bins.
      const double pos = a - 0.5;
      const int lo = static_cast<int>(std::floor(pos));
      const double frac = pos - lo;
      hist[static_cast<std::size_t>((lo + bins) % bins)] += m * (1.0 - frac);
      hist[static_cast<std::size_t>((lo + 1) % bins)] += m * frac;
      ++strong;
      const int cx = x / cell;
      const int cy = y / cell;
      if (cx < cw && cy < ch) {
        // Unit gradient vectors: every strong edge counts the same, whatever its contrast.
        const double ux = gx / m;
        const double uy = gy / m;
        tensor& t = cells[static_cast<std::size_t>(cy) * cw + cx];
        t.xx += ux * ux;
        t.yy += uy * uy;
        t.xy += ux * uy;
        ++t.edges;
      }
    }
  }
  if (strong >= 100) {
    // Smooth circularly over ±2° and take the peak, refined by a parabola through it.
    auto smoothed = [&](int b) {
      double sum = 0;
      for (int d = -2; d <= 2; ++d) {
        sum += hist[static_cast<std::size_t>((b + d + 2 * bins) % bins)];
      }
      return sum;
    };
    double best = -1;
    int best_bin = 0;
    for (int b = 0; b < bins; ++b) {
      const double v = smoothed(b);
      if (v > best) {
        best = v;
        best_bin = b;
      }
    }
    const double l = smoothed(best_bin - 1);
    const double r = smoothed(best_bin + 1);
    const double denom = l - 2 * best + r;
    const double offset = std::clamp(denom < 0 ? 0.5 * (l - r) / denom : 0.0, -0.5, 0.5);
    double angle = best_bin + 0.5 + offset;
    if (angle < 0) angle += 180.0;
    if (angle >= 180.0) angle -= 180.0;
    out.edge_angle = angle;
  }

  // The content box: cells with a fair share of strong edges and at least two such neighbours
  // (lone busy cells are noise or texture).
  {
    out.content = rect{0, 0, width, height};
    std::vector<char> busy(cells.size(), 0);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      busy[i] = cells[i].edges >= min_busy_share * cell * cell ? 1 : 0;
    }
    int x0 = cw, y0 = ch, x1 = -1, y1 = -1;
    for (int cy = 0; cy < ch; ++cy) {
      for (int cx = 0; cx < cw; ++cx) {
        if (!busy[static_cast<std::size_t>(cy) * cw + cx]) continue;
        int neighbours = 0;
        for (int dy = -1; dy <= 1; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) {
            const int nx = cx + dx;
            const int ny = cy + dy;
            if ((dx != 0 || dy != 0) && nx >= 0 && ny >= 0 && nx < cw && ny < ch &&
                busy[static_cast<std::size_t>(ny) * cw + nx]) {
              ++neighbours;
            }
          }
        }
        if (neighbours < 2) continue;
        x0 = std::min(x0, cx);
        y0 = std::min(y0, cy);
        x1 = std::max(x1, cx);
        y1 = std::max(y1, cy);
      }
    }
    if (x1 >= 0) {
      const int unit = cell * s.step;
      const int left = std::max(0, (x0 - content_margin_cells) * unit);
      const int top = std::max(0, (y0 - content_margin_cells) * unit);
      const int right = std::min(width, (x1 + 1 + content_margin_cells) * unit);
      const int bottom = std::min(height, (y1 + 1 + content_margin_cells) * unit);
      out.content = rect{left, top, right - left, bottom - top};
    }
  }

  // Cells full of edges that run in two directions (low coherence) are matrix-like; group
  // neighbouring ones and report each group's bounding box.
  std::vector<char> mark(cells.size(), 0);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const tensor& t = cells[i];
    if (t.edges < min_cell_energy * cell * cell) continue;
    const double trace = t.xx + t.yy;
    const double coherence = std::sqrt((t.xx - t.yy) * (t.xx - t.yy) + 4 * t.xy * t.xy) / trace;
    if (coherence <= max_cell_coherence) mark[i] = 1;
  }
  struct group {
    rect box;
    int cells = 0;
  };
  std::vector<group> groups;
  std::vector<int> stack;
  for (int start = 0; start < cw * ch; ++start) {
    if (mark[static_cast<std::size_t>(start)] != 1) continue;
    int x0 = cw, y0 = ch, x1 = -1, y1 = -1, n = 0;
    stack.push_back(start);
    mark[static_cast<std::size_t>(start)] = 2;
    while (!stack.empty()) {
      const int c = stack.back();
      stack.pop_back();
      const int cx = c % cw;
      const int cy = c / cw;
      x0 = std::min(x0, cx);
      y0 = std::min(y0, cy);
      x1 = std::max(x1, cx);
      y1 = std::max(y1, cy);
      ++n;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = cx + dx;
          const int ny = cy + dy;
          if (nx < 0 || ny < 0 || nx >= cw || ny >= ch) continue;
          const auto ni = static_cast<std::size_t>(ny * cw + nx);
          if (mark[ni] == 1) {
            mark[ni] = 2;
            stack.push_back(static_cast<int>(ni));
          }
        }
      }
    }
    const int unit = cell * s.step;
    groups.push_back({rect{x0 * unit, y0 * unit, (x1 - x0 + 1) * unit, (y1 - y0 + 1) * unit}, n});
  }
  std::sort(groups.begin(), groups.end(),
            [](const group& a, const group& b) { return a.cells > b.cells; });
  for (const auto& g : groups) {
    if (out.matrix_candidates.size() == max_candidates) break;
    // Matrix symbols are square or at most 1:2 (rectangular DataMatrix); lines of text are
    // long and thin.
    const int lo = std::min(g.box.width, g.box.height);
    const int hi = std::max(g.box.width, g.box.height);
    if (lo < 2 * cell * s.step || hi > max_candidate_aspect * lo) continue;
    out.matrix_candidates.push_back(g.box);
  }
  return out;
}

}  // namespace provstation::scanner::detail
