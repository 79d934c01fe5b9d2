// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the grey-image helpers: rotation and the edge analysis that steers decoding.
#include "grey_image.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace provstation::scanner::detail {
namespace {

struct canvas {
  int width;
  int height;
  std::vector<std::uint8_t> px;
  canvas(int w, int h) : width(w), height(h), px(static_cast<std::size_t>(w) * h, 255) {}
  void fill(int x0, int y0, int w, int h, std::uint8_t v) {
    for (int y = y0; y < y0 + h; ++y) {
      for (int x = x0; x < x0 + w; ++x) px[static_cast<std::size_t>(y) * width + x] = v;
    }
  }
};

// Vertical bars of 1-4 modules of 3 px, like a 1-D code, at (x0, y0).
void draw_bars(canvas& c, int x0, int y0, int width, int height, unsigned seed) {
  std::mt19937 rng(seed);
  int x = x0;
  bool black = true;
  while (x < x0 + width) {
    const int w = 3 * (1 + static_cast<int>(rng() % 4));
    if (black) c.fill(x, y0, std::min(w, x0 + width - x), height, 0);
    x += w;
    black = !black;
  }
}

// A random matrix of 4-px modules, like a DataMatrix, at (x0, y0).
void draw_matrix(canvas& c, int x0, int y0, int modules, unsigned seed) {
  std::mt19937 rng(seed);
  for (int my = 0; my < modules; ++my) {
    for (int mx = 0; mx < modules; ++mx) {
      if (rng() % 2) c.fill(x0 + 4 * mx, y0 + 4 * my, 4, 4, 0);
    }
  }
}

double angle_difference(double a, double b) {
  double d = std::fmod(std::abs(a - b), 180.0);
  return std::min(d, 180.0 - d);
}

// Verify that a rotation by 0° is the identity, and rotated points map back to their source.
TEST(GreyImage, RotatesAndMapsBack) {
  canvas c(120, 80);
  c.fill(30, 20, 2, 2, 0);
  rotated_image same = rotate_grey(c.px.data(), c.width, c.height, c.width, 1, 0.0);
  ASSERT_EQ(same.image.width, 120);
  ASSERT_EQ(same.image.height, 80);
  EXPECT_EQ(same.image.pixels[20 * 120 + 30], 0);
  EXPECT_EQ(same.image.pixels[10 * 120 + 10], 255);

  for (double angle : {17.0, -40.0, 90.0}) {
    rotated_image r = rotate_grey(c.px.data(), c.width, c.height, c.width, 1, angle);
    // Find the darkest pixel of the copy; it must map back onto the dark square.
    std::size_t best = 0;
    for (std::size_t i = 0; i < r.image.pixels.size(); ++i) {
      if (r.image.pixels[i] < r.image.pixels[best]) best = i;
    }
    ASSERT_LT(r.image.pixels[best], 128) << angle;
    double sx = 0;
    double sy = 0;
    r.to_source(static_cast<double>(best % r.image.width) + 0.5,
                static_cast<double>(best / r.image.width) + 0.5, sx, sy);
    EXPECT_NEAR(sx, 31.0, 1.5) << angle;
    EXPECT_NEAR(sy, 21.0, 1.5) << angle;
  }
}

// Verify that the edge angle of bars turned by a known angle is that angle (clockwise).
TEST(GreyImage, FindsEdgeAngleOfTurnedBars) {
  canvas c(600, 400);
  draw_bars(c, 150, 120, 300, 90, 7);
  for (double angle : {0.0, 12.0, -25.0, 40.0, 63.0}) {
    rotated_image r = rotate_grey(c.px.data(), c.width, c.height, c.width, 1, angle);
    const image_analysis a =
        analyse_image(r.image.pixels.data(), r.image.width, r.image.height, r.image.width, 1);
    ASSERT_TRUE(a.edge_angle.has_value()) << angle;
    EXPECT_LT(angle_difference(*a.edge_angle, angle), 1.5)
        << "turned " << angle << " found " << *a.edge_angle;
  }
  canvas blank(300, 200);
  EXPECT_FALSE(analyse_image(blank.px.data(), 300, 200, 300, 1).edge_angle.has_value());
}

// Verify that a matrix symbol is a candidate, bars are not, and the content box holds both.
TEST(GreyImage, FindsMatrixCandidatesAndContent) {
  canvas c(800, 600);
  draw_bars(c, 80, 80, 300, 80, 3);
  draw_matrix(c, 560, 380, 24, 5);
  const image_analysis a = analyse_image(c.px.data(), c.width, c.height, c.width, 1);
  ASSERT_FALSE(a.matrix_candidates.empty());
  const rect& m = a.matrix_candidates.front();
  EXPECT_LE(m.x, 560 + 48);
  EXPECT_GE(m.x + m.width, 560 + 48);
  EXPECT_LE(m.y, 380 + 48);
  EXPECT_GE(m.y + m.height, 380 + 48);
  for (const auto& r : a.matrix_candidates) {
    // No candidate lies inside the bar region only.
    const bool inside_bars =
        r.x >= 80 && r.x + r.width <= 380 && r.y >= 80 && r.y + r.height <= 160;
    EXPECT_FALSE(inside_bars);
  }
  EXPECT_LE(a.content.x, 80);
  EXPECT_LE(a.content.y, 80);
  EXPECT_GE(a.content.x + a.content.width, 560 + 96);
  EXPECT_GE(a.content.y + a.content.height, 380 + 96);
  EXPECT_LT(static_cast<double>(a.content.width) * a.content.height, 0.9 * 800 * 600);
}

}  // namespace
}  // namespace provstation::scanner::detail
