// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace provstation::scanner::detail {

/// Longest scanned value (one line or one barcode) we look at.
constexpr std::size_t max_value_bytes = 512;

/// The label prefix a part carried, which fixes what it is.
enum class key_kind { none, mac, serial, model, version, ignored };

/// One piece of a scanned value: a bare text or a prefixed (keyed) one.
struct value_part {
  key_kind key = key_kind::none;
  std::string text;   ///< Trimmed value text, original case, prefix removed.
  std::string label;  ///< What the key was ("MAC", "GS1 AI 21" …), for messages.
};

/// A scanned value taken apart.
struct split_value {
  std::string symbology;  ///< AIM identifier (`]C0`) or empty.
  std::string body;       ///< The value without AIM identifier.
  std::vector<value_part> parts;
  bool combined = false;  ///< The payload held separators or several keys.
  std::string problem;    ///< Non-empty when the value cannot be used at all (why).
};

/// True for AIM identifiers of EAN/UPC symbols (`]E0` … `]E4`).
bool is_ean_upc_symbology(std::string_view symbology);
/// True for AIM identifiers of GS1 symbols (`]C1`, `]d2`, `]Q3`, `]e0`, `]J1`).
bool is_gs1_symbology(std::string_view symbology);

/// Takes one scanned value apart: strips the AIM identifier, parses GS1 element strings, splits
/// combined payloads at `;` `,` `|` GS RS TAB, and recognises label prefixes (`MAC:`, `S/N`,
/// `PID` …) at the start of each piece.
split_value split_scanned_value(std::string_view raw);

}  // namespace provstation::scanner::detail
