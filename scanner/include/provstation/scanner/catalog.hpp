// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace provstation::scanner {

/// @brief The serial-number forms a vendor prints on its boxes (a bit set).
enum class serial_form : std::uint8_t {
  none = 0,
  /// @brief Cisco UDI serial `LLLYYWWSSSS`: 3 letters, year, week 01-53, 4 alphanumerics.
  cisco_udi = 1,
  /// @brief Linksys-era 12 alphanumerics (SPA9xx, SPA2102, PAP2T …); may look like a MAC.
  linksys12 = 2,
  /// @brief The serial is the MAC (Polycom/Poly).
  same_as_mac = 4,
  /// @brief Some other vendor form: accepted only behind an `SN:`-style prefix.
  prefixed_only = 8,
};

/// @brief Bitwise or of two serial forms.
constexpr serial_form operator|(serial_form a, serial_form b) {
  return static_cast<serial_form>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}

/// @brief True when `set` contains every bit of `form`.
constexpr bool has(serial_form set, serial_form form) {
  return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(form)) ==
             static_cast<std::uint8_t>(form) &&
         form != serial_form::none;
}

/// @brief A phone vendor: its name, its built-in OUIs and the words that identify it in the
/// IEEE registry's organisation names.
struct vendor_info {
  std::string_view name;                   ///< "Cisco", "Polycom", "Yealink" …
  std::span<const std::string_view> ouis;  ///< Built-in MA-L prefixes, 6 upper-case hex digits.
  std::span<const std::string_view> org_words;  ///< Lower-case whole words of registry org names.
};

/// @brief A family of models with a shared label layout.
struct model_info {
  std::string_view pattern;  ///< ECMAScript regex over the upper-case model text.
  std::string_view vendor;   ///< Name of a vendor_info.
  serial_form serials = serial_form::none;
  /// @brief For boxes that print only the last 6 hex digits of the MAC: the OUI to complete it
  /// with (ShoreTel/Mitel 400 series), else empty.
  std::string_view mac_suffix_oui;
};

/// @brief Every vendor the scanner knows.
std::span<const vendor_info> vendors();

/// @brief The vendor named `name` (case-insensitive), or nullptr.
const vendor_info* find_vendor(std::string_view name);

/// @brief The vendor whose built-in table holds `oui` (6 upper-case hex digits), or nullptr.
const vendor_info* find_vendor_by_oui(std::string_view oui);

/// @brief True when the registry organisation name `org` names `vendor` (whole-word match).
bool org_names_vendor(std::string_view org, const vendor_info& vendor);

/// @brief The model family matching `model` (any case; a trailing Cisco spare `=` is ignored),
/// or nullptr when the model is not in the catalogue.
const model_info* find_model(std::string_view model);

/// @brief Canonical form of a model text: upper case, trimmed, single spaces, no trailing `=`.
std::string normalize_model(std::string_view model);

}  // namespace provstation::scanner
