// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace provstation::scanner::detail {

/// An owned 8-bit grey image, rows packed.
struct grey_image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
};

/// A rotated copy and how to map its coordinates back to the source.
struct rotated_image {
  grey_image image;
  double cos_a = 1.0;
  double sin_a = 0.0;
  double src_cx = 0.0, src_cy = 0.0;  ///< Centre of the source.
  double dst_cx = 0.0, dst_cy = 0.0;  ///< Centre of the rotated copy.

  /// Maps a point of the rotated copy to source coordinates.
  void to_source(double x, double y, double& sx, double& sy) const {
    const double dx = x - dst_cx;
    const double dy = y - dst_cy;
    sx = src_cx + cos_a * dx + sin_a * dy;
    sy = src_cy - sin_a * dx + cos_a * dy;
  }
};

/// Rotates a grey image (given by pointer, size, strides) by `degrees` clockwise as seen on
/// screen (y pointing down) into a copy large enough to hold all of it (white outside), with
/// bilinear interpolation.
rotated_image rotate_grey(const std::uint8_t* data, int width, int height, int row_stride,
                          int pixel_stride, double degrees);

/// A sharpened, contrast-stretched copy for blurred, dim or glared photos: unsharp mask (two
/// box blurs of `radius`, `amount` of the difference added back), then the 1st..99th
/// percentile of grey levels stretched to 0..255.
grey_image enhance_grey(const std::uint8_t* data, int width, int height, int row_stride,
                        int pixel_stride, int radius = 2, double amount = 1.5);

/// A rectangle in image pixels.
struct rect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

/// What a quick look at the edges of an image tells.
struct image_analysis {
  /// The dominant direction of strong edges in degrees [0, 180), measured clockwise on screen:
  /// for a barcode label the normal of its bars (or of its own edges, 90° away), i.e. how far
  /// the label is turned. nullopt when the image has too few strong edges.
  std::optional<double> edge_angle;
  /// Regions whose edges run in two directions (matrix symbols, also text): where a DataMatrix
  /// may be, strongest first.
  std::vector<rect> matrix_candidates;
  /// The part of the image that holds edges at all (the label), with a margin; the whole image
  /// when edges are everywhere or nowhere.
  rect content;
};

/// Analyses a grey image (given by pointer, size, strides) on a grid of about `max_samples`
/// block averages.
image_analysis analyse_image(const std::uint8_t* data, int width, int height, int row_stride,
                             int pixel_stride, int max_samples = 400'000);

}  // namespace provstation::scanner::detail
