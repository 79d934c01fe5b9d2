// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/kea/lease_event.hpp>
#include <provstation/mac.hpp>
#include <provstation/result.hpp>

#include <cstddef>
#include <span>

namespace provstation {

/// @brief A lease event as the station understands it: the wire struct plus a parsed MAC.
struct parsed_lease_event {
  kea::lease_event event;
  mac_address mac;
};

/// @brief Decodes one wire-format v1 datagram from the hook. Every field is checked (types,
/// lengths, the MAC and the IPv4 address); anything wrong is an error naming the field.
result<parsed_lease_event> parse_lease_event(std::span<const std::byte> datagram);

}  // namespace provstation
