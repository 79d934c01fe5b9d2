// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

namespace provstation::kea {

/// @brief Which matching phones get the provisioning options.
enum class policy_mode {
  all,          ///< Every phone the hook matches.
  scanned,      ///< Only MACs the station lists as scanned.
  not_shipped,  ///< Every phone except MACs the station lists as shipped.
  deny_all,     ///< Nobody (only used when the file is missing and the hook says "deny-all").
};

/// @brief The spelling of a mode, as in the policy file ("all", "scanned", "not-shipped").
std::string_view to_string(policy_mode mode);

/// @brief A MAC address as a 48-bit number (the first byte in the most significant position).
using mac48 = std::uint64_t;

/// @brief Packs six bytes into a mac48.
constexpr mac48 to_mac48(const std::array<std::uint8_t, 6>& b) {
  mac48 v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  return v;
}

/// @brief The station's decision of which phones get provisioning options, as read from the
/// policy file (see policy_file.hpp for the format). Immutable once built; shared between
/// threads through a shared_ptr<const policy>.
class policy {
 public:
  /// @brief A policy that lets every matching phone through.
  static policy allow_all() { return policy(policy_mode::all); }
  /// @brief A policy that lets no phone through.
  static policy deny_all() { return policy(policy_mode::deny_all); }

  /// @brief Parses the text of a policy file. Never throws; errors name the line.
  static result<policy> parse(std::string_view text);

  /// @brief True when a matching phone with this MAC should get the options.
  bool allows(mac48 mac) const;

  policy_mode mode() const { return mode_; }
  std::size_t scanned_count() const { return scanned_.size(); }
  std::size_t shipped_count() const { return shipped_.size(); }

 private:
  explicit policy(policy_mode mode) : mode_(mode) {}

  policy_mode mode_;
  std::unordered_set<mac48> scanned_;
  std::unordered_set<mac48> shipped_;
};

}  // namespace provstation::kea
