// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>
#include <provstation/result.hpp>
#include <provstation/scanner/field.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::scanner {

/// @brief Largest keyboard-wedge text parse_scan_text() accepts.
constexpr std::size_t max_scan_text_bytes = 8192;
/// @brief Most values (lines or barcodes) one scan may hold.
constexpr std::size_t max_scan_values = 32;

/// @brief One value of a scan as it arrived, and what it was taken for.
struct scanned_value {
  std::string text;       ///< As scanned (AIM identifier included), control bytes kept.
  std::string symbology;  ///< AIM identifier (`]C0` …) or empty.
  field_kind kind = field_kind::unknown;  ///< How it was used (`combined` when it held several).
  std::string note;  ///< Why it was ignored / not understood, or how it was read.
};

/// @brief The fields of one box, read from one scan.
struct scan_fields {
  std::optional<mac_address> mac;
  std::optional<std::string> serial;   ///< Upper case.
  std::optional<std::string> model;    ///< normalize_model()'d.
  std::optional<std::string> version;  ///< VID, upper case.
  /// @brief Vendor of the model per the catalogue ("Cisco" …), empty when not known.
  std::string vendor;
  /// @brief True when `model` came from label_context::model, not from the label.
  bool model_from_context = false;
  /// @brief Every value of the scan in arrival order, with how it was read.
  std::vector<scanned_value> values;
  /// @brief Things the operator should see that do not stop the scan (an OUI that does not
  /// fit the model's vendor, a value that was not understood …).
  std::vector<std::string> warnings;

  /// @brief True when MAC, serial and model are all known.
  bool complete() const { return mac && serial && model; }
};

/// @brief Reads the text a keyboard-wedge scanner typed: one or more lines (CR, LF, CRLF or TAB
/// ends a value), the fields of one box in any order, each with or without AIM identifier and
/// label prefix, possibly combined (`PID:…;SN:…;MAC:…`).
///
/// Errors (never guesses): two different MACs, serials or models; a value that could be either
/// the MAC or the serial and that the other values do not decide; a prefixed value that is
/// malformed; a serial that differs from the MAC for a model whose serial is its MAC; a MAC that
/// no device can have (multicast, all zeros). `context.model` is the batch's default model.
/// @return the fields (each optional), or an error written for the operator.
result<scan_fields> parse_scan_text(std::string_view text, const label_context& context = {});

/// @brief Like parse_scan_text(), for values that arrived separately (one per barcode; an AIM
/// identifier in front of each, as barcode::aim_text() gives it).
result<scan_fields> parse_scan_values(std::span<const std::string> values,
                                      const label_context& context = {});

}  // namespace provstation::scanner
