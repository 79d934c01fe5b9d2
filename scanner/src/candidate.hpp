// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "value_splitter.hpp"

#include <provstation/mac.hpp>

#include <optional>
#include <string>
#include <vector>

namespace provstation::scanner {
struct model_info;
class oui_registry;
}  // namespace provstation::scanner

namespace provstation::scanner::detail {

/// The readings a part may have; more than one bit set means "not decided yet".
enum kind_bits : unsigned {
  as_mac = 1,
  as_serial = 2,
  as_model = 4,
  as_version = 8,
  as_upc = 16,  ///< A UPC-A code: read, then ignored.
};

/// One part of a scanned value with every reading it could have in the given context.
struct candidate {
  std::size_t value_index = 0;  ///< Which scanned value it came from.
  std::string text;             ///< The part's text (original case).
  std::string symbology;
  key_kind key = key_kind::none;
  unsigned kinds = 0;
  std::optional<mac_address> mac;  ///< Set when as_mac is possible.
  std::string serial;              ///< Set when as_serial is possible.
  std::string model;               ///< Set when as_model is possible.
  std::string version;             ///< Set when as_version is possible.
  const model_info* model_entry = nullptr;
  bool mac_is_serial = false;  ///< Model whose serial is its MAC: both fields at once.
  bool ignored = false;        ///< GTIN, EAN/UPC and other parts read on purpose but unused.
  std::string note;            ///< Why ignored/unknown, or how a MAC was completed.
  std::string error;           ///< A prefixed value that is malformed.
};

/// The model the box is known to be, for context-dependent readings.
struct model_context {
  std::string name;                   ///< Normalised, empty when unknown.
  const model_info* entry = nullptr;  ///< Catalogue entry, nullptr when not in it.
};

/// True when `digits` (12 decimal digits) carries a valid UPC-A check digit.
bool upc_check_ok(std::string_view digits);

/// True when the MAC's OUI belongs to a phone vendor (built-in table or registry).
bool phone_vendor_oui(const mac_address& mac, const oui_registry& ouis);

/// Every reading of one part. A bare part with no reading that holds blanks is tried word by
/// word, so one line may yield several candidates.
std::vector<candidate> make_candidates(const value_part& part, std::size_t value_index,
                                       std::string_view symbology, const model_context& model);

}  // namespace provstation::scanner::detail
