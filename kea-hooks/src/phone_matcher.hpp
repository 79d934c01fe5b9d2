// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::kea {

/// @brief One option-60 (vendor class) pattern: a prefix of the option's bytes.
struct vendor_pattern {
  std::string prefix;       ///< The bytes the option must start with.
  bool ignore_case = true;  ///< ASCII letters compare case-insensitively (text patterns).
  std::string text;         ///< The pattern as the operator wrote it (for logs).
};

/// @brief How a client was recognised as a phone.
enum class match_kind { none, vendor_class, oui };

/// @brief Decides whether a DHCP client is a phone: its option 60 starts with one of the
/// patterns, or its hardware address starts with one of the OUIs. Immutable after construction,
/// so any number of threads may call match() at once.
class phone_matcher {
 public:
  /// @brief The patterns used when the operator gives none.
  static const std::vector<std::string_view>& default_patterns();

  /// @brief Parses a pattern: plain text is a case-insensitive prefix ("Cisco SPA"); "0x"
  /// followed by an even number of hex digits is an exact byte prefix ("0x0000363d").
  static result<vendor_pattern> parse_pattern(std::string_view text);

  /// @brief Parses an OUI: three bytes as "00:04:f2", "00-04-F2" or "0004f2".
  static result<std::uint32_t> parse_oui(std::string_view text);

  phone_matcher(std::vector<vendor_pattern> patterns, std::vector<std::uint32_t> ouis);

  /// @brief Matches a client by its option 60 payload (empty when absent) and its hardware
  /// address (any length; only a 6-byte Ethernet address can match an OUI).
  match_kind match(std::span<const std::uint8_t> vendor_class,
                   std::span<const std::uint8_t> hwaddr) const;

  const std::vector<vendor_pattern>& patterns() const { return patterns_; }
  const std::vector<std::uint32_t>& ouis() const { return ouis_; }

 private:
  std::vector<vendor_pattern> patterns_;
  std::vector<std::uint32_t> ouis_;  // Sorted.
};

}  // namespace provstation::kea
