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

/// Rotates a grey image (given by pointer, size, strides) by `degrees` counter-clockwise into a
/// copy large enough to hold all of it (white outside), with bilinear interpolation.
rotated_image rotate_grey(const std::uint8_t* data, int width, int height, int row_stride,
                          int pixel_stride, double degrees);

/// The dominant direction of strong edges in a grey image, in degrees [0, 180): for a barcode
/// label the normal of its bars (or of the label's own edges, 90° away). The image is sampled
/// on a grid of about `max_samples` points. nullopt when the image has too few strong edges.
std::optional<double> dominant_edge_angle(const std::uint8_t* data, int width, int height,
                                          int row_stride, int pixel_stride,
                                          int max_samples = 400'000);

}  // namespace provstation::scanner::detail
