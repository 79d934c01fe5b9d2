// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <string>

namespace provstation::scanner {

/// @brief A pixel position in the decoded image (full-resolution coordinates).
struct point {
  int x = 0;
  int y = 0;
};

/// @brief One symbol found in an image.
struct barcode {
  std::string format;              ///< "Code128", "DataMatrix", "QRCode", "EAN-13", "UPC-A" …
  std::string text;                ///< Decoded content (UTF-8; GS1 FNC1 kept as GS, 0x1D).
  std::string symbology;           ///< AIM identifier (`]C0`, `]d2`, `]Q1`, `]E0` …).
  std::array<point, 4> corners{};  ///< Top-left, top-right, bottom-right, bottom-left.
  int orientation = 0;             ///< Degrees the symbol is rotated by.
  std::string pass;  ///< The decoding pass that found it ("base", "full", "dm-band" …).

  /// @brief The content as a keyboard-wedge scanner with AIM ids would type it; feed these to
  /// parse_scan_values().
  std::string aim_text() const { return symbology + text; }
};

}  // namespace provstation::scanner
