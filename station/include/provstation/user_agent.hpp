// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace provstation {

/// @brief What an SPA phone's HTTP User-Agent says about it (spa-provisioning.md §7.1):
/// `Cisco/SPA504G-7.4.9c (649EF3788E6A)(CCQ162306EA)`, `Cisco/SPA525G-7.4.4 (CBT141900G7)`,
/// `Linksys/SPA-942-6.1.5(a) (88019FA42805)`.
struct user_agent_info {
  std::string vendor;   ///< "Cisco" or "Linksys".
  std::string model;    ///< "SPA504G", "SPA942" (dash removed).
  std::string version;  ///< "7.4.9c", "6.1.5(a)".
  std::string mac;      ///< Canonical, when present.
  std::string serial;   ///< When present.
};

/// @brief Parses a provisioning User-Agent; nullopt for anything else (browsers, curl).
std::optional<user_agent_info> parse_user_agent(std::string_view ua);

}  // namespace provstation
