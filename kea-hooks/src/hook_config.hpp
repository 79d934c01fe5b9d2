// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "phone_matcher.hpp"

#include <cc/data.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace provstation::kea {

/// @brief What the hook does while the policy file is missing, unreadable or invalid.
enum class policy_missing_action { allow_all, deny_all };

/// @brief The hook's parameters after validation (see kea-hooks/README.md for each one).
struct hook_config {
  std::string station_address;                                     ///< Option 66 text.
  std::vector<std::array<std::uint8_t, 4>> tftp_server_addresses;  ///< Option 150.
  std::string provisioning_url_159;                   ///< Option 159 text, if not empty.
  std::string provisioning_url;                       ///< Option 160 text, if not empty.
  std::vector<vendor_pattern> vendor_class_patterns;  ///< Option 60 prefixes.
  std::vector<std::uint32_t> mac_ouis;                ///< Hardware address prefixes.
  std::string event_socket;                           ///< Empty: no events.
  std::string policy_file;                            ///< Empty: every phone allowed.
  policy_missing_action policy_missing = policy_missing_action::allow_all;
  bool honour_prl = false;  ///< Send only requested options.
  std::size_t event_queue_capacity = 65536;
  std::chrono::milliseconds policy_check_interval{250};
};

/// @brief The parsed parameters, or every mistake found in them.
struct parsed_config {
  hook_config config;               ///< Meaningful only when errors is empty.
  std::vector<std::string> errors;  ///< One message per mistake, written for an operator.
};

/// @brief The names of every parameter the hook accepts.
const std::vector<std::string>& known_parameters();

/// @brief Validates the hook's "parameters" map from Kea's configuration. Never throws.
/// @param parameters The map (null means "no parameters", which lacks station-address).
parsed_config parse_hook_config(const isc::data::ConstElementPtr& parameters);

}  // namespace provstation::kea
