// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::scanner {

class oui_registry;

/// @brief What one scanned value is.
enum class field_kind {
  mac,         ///< A MAC address; `value` is 12 lower-case hex digits.
  mac_serial,  ///< A MAC that is also the serial (models whose serial is the MAC, e.g. Polycom).
  serial,      ///< A serial number; `value` is upper case.
  model,       ///< A model / PID / part number; `value` is normalize_model()'d.
  version,     ///< A Cisco VID (`V02`) or other hardware version.
  combined,    ///< Several fields in one payload (`PID:…;SN:…;MAC:…`); see `parts`.
  ignored,     ///< Recognised and deliberately not used (UPC/EAN, GTIN); see `note`.
  unknown,     ///< Not recognised; see `note`.
};

/// @brief The name of a kind as used in JSON and messages ("mac", "serial" …).
std::string_view to_string(field_kind kind);

/// @brief One scanned value, understood.
struct field {
  field_kind kind = field_kind::unknown;
  /// @brief Canonical value (see field_kind); for `combined`, `ignored` and `unknown` the text
  /// without AIM identifier and prefix.
  std::string value;
  /// @brief The AIM symbology identifier the value arrived with (`]C0`, `]d2` …), or empty.
  std::string symbology;
  /// @brief For `model`: the catalogue vendor ("Cisco" …), empty when the model is not in it.
  std::string vendor;
  /// @brief For `combined`: the fields it holds, each of a kind other than `combined`.
  std::vector<field> parts;
  /// @brief Why a value is `ignored`/`unknown`, or a remark (e.g. "model not in the catalogue").
  std::string note;
};

/// @brief What the scanner knows besides the value itself.
struct label_context {
  /// @brief The model of the box when it is known from elsewhere: the label's own model when
  /// classifying one value of a scan, or the batch's default model.
  std::optional<std::string> model;
  /// @brief Registry used to check OUIs; nullptr means oui_registry::system().
  const oui_registry* ouis = nullptr;
};

/// @brief Classifies one scanned value by its content: strips an AIM identifier (`]C0`), GS1
/// separators and a label prefix (`MAC:`, `S/N`, `SN:`, `PID:`, `VID:` …), splits combined
/// payloads, and recognises MACs, Cisco/Linksys/other serials, catalogue models and versions.
///
/// Never guesses: a value that fits two kinds in this context (a 12-hex value that could be a
/// Linksys serial or a MAC, a 12-digit UPC whose first digits are a phone vendor's OUI) is an
/// error naming both readings, and so is a prefixed value that is malformed (`MAC: 12345`).
/// @return the field, or an error written for the operator.
result<field> classify(std::string_view value, const label_context& context = {});

}  // namespace provstation::scanner
