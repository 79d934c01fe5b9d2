// SPDX-License-Identifier: Apache-2.0
#pragma once

// Generates box-label images at test time with zint and ImageMagick (both Debian packages), so
// no large binaries are committed: a recipe names the label style, its fields and the
// distortions of a "photo" of it.

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::scanner::test {

/// What to draw and how to photograph it.
struct label_recipe {
  std::string name;
  /// cisco (PID, SN, MAC as Code 128 + UPC-A), linksys (model, serial, MAC Code 128), polycom
  /// (part number + MAC Code 128), qr / datamatrix (one "PID:…;SN:…;MAC:…" symbol + UPC-A),
  /// gs1-datamatrix (GS1 DataMatrix with GTIN, serial, model + MAC Code 128).
  std::string style = "cisco";
  std::string model = "SPA525G2";
  std::string serial = "CCQ17410ABC";
  std::string mac = "0023AB1C2D3E";  ///< As printed: 12 upper-case hex digits.
  bool upc = true;                   ///< Add the box's UPC-A (cisco, qr, datamatrix).
  double module_px = 3;              ///< Pixels per module in the final image (before warping).
  int canvas_width = 0;              ///< 0: the flat label alone (no photo effects).
  int canvas_height = 0;
  double rotate = 0;       ///< Degrees.
  double perspective = 0;  ///< Keystone: how much shorter the far edge looks (0 … 0.3).
  double blur = 0;         ///< Gaussian sigma in pixels.
  double noise = 0;        ///< ImageMagick -attenuate for Gaussian noise (0 … 3).
  double glare = 0;        ///< Strength of a bright spot on the label (0 … 1).
  double dim = 0;          ///< Darkening of the whole photo (0 … 0.6).
  int jpeg_quality = 0;    ///< 0: PNG.
  double center_x = 0.5;   ///< Label centre in the canvas (fractions).
  double center_y = 0.5;
  unsigned seed = 1;  ///< Drives the perspective corners and glare position.
};

/// Fields a case must read, or the error it must give.
struct expected_fields {
  std::string mac;  ///< Canonical (12 lower-case hex).
  std::string serial;
  std::string model;
  std::string error;  ///< Non-empty: reading the label must fail with a message containing it.
};

/// Thrown when a tool fails or a recipe is malformed.
class label_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses `key = value` lines (# comments) into a recipe; unknown keys are errors.
label_recipe parse_recipe(std::string_view text, std::string name);

/// Reads `{"mac": "…", "serial": "…", "model": "…"}` or `{"error": "…"}` (a flat JSON object of
/// strings without escapes).
expected_fields parse_expected(std::string_view json);

/// Draws the label (and its photo) into `dir`; returns the image path.
std::string make_label(const label_recipe& recipe, const std::string& dir);

/// True when zint and ImageMagick's convert are installed.
bool label_tools_available();

/// Runs a program (no shell) and returns its exit status; throws when it cannot be started.
int run_program(const std::vector<std::string>& argv);

}  // namespace provstation::scanner::test
