// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::phonesim {

/// @brief Parameter name (the XML element name, case-sensitive) → value.
using parameter_map = std::map<std::string, std::string, std::less<>>;

/// @brief Profiles larger than this (after decompression) are refused.
inline constexpr std::size_t max_profile_bytes = 4 * 1024 * 1024;
/// @brief At most this many parameters can be remapped by an alias map (the guides' limit).
inline constexpr std::size_t max_alias_entries = 30;

/// @brief One entry of a `--alias` map: an element path (possibly partial, matched as a
/// suffix of the element's path from the root) and the parameter it sets.
struct alias_entry {
  std::vector<std::string> source_path;  ///< e.g. {"customer-account", "SIP-number"}.
  std::string target;                    ///< e.g. "User_ID_1_".
};

/// @brief Parses an alias map as stored in a GPP, e.g.
/// `/customer-account/SIP-number = /flat-profile/User_ID_1_ ;`.
result<std::vector<alias_entry>> parse_alias_map(std::string_view text);

/// @brief Parses an XML profile and returns the parameters it sets.
///
/// Parameters are the leaf elements anywhere inside a `<flat-profile>` element, which may be
/// wrapped in other elements. The value is the element's text with surrounding white space
/// removed; character references are translated. If an element occurs more than once, the
/// last occurrence wins. A self-closing element sets the empty string, except one carrying a
/// `ua` attribute, which leaves the value unchanged (it is not returned). Unknown names are
/// returned like any other. With `aliases`, elements anywhere in the document whose path ends
/// with an alias path set the alias target too (and then `<flat-profile>` may be absent).
result<parameter_map> parse_flat_profile(std::string_view xml,
                                         std::span<const alias_entry> aliases = {});

}  // namespace provstation::phonesim
