// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/evidence.hpp>
#include <provstation/mac.hpp>
#include <provstation/result.hpp>

#include <cstddef>
#include <span>
#include <string>

namespace provstation {

/// @brief Datagrams longer than this are refused unread.
inline constexpr std::size_t max_syslog_bytes = 2048;

/// @brief What one SPA syslog line says (spa-provisioning.md §6).
struct syslog_report {
  evidence_kind kind = evidence_kind::resync_requested;  ///< resync_* or upgrade_*.
  std::string product;                                   ///< $PN, e.g. "SPA525G2".
  mac_address mac;                                       ///< $MAC (or $MA in our trailer).
  std::string url;                                       ///< For requests and successes.
  std::string err;      ///< $ERR: failure text, or the new version after an upgrade.
  std::string serial;   ///< From the station's trailer `[ps ma=… sn=… fw=…]`, if present.
  std::string version;  ///< From the trailer.
};

/// @brief Parses one datagram. Accepts an optional `<PRI>` and RFC 3164 header, the default
/// Log_* templates (with "--" or an en dash) and the station's trailer. Anything else is an
/// error saying why.
result<syslog_report> parse_syslog(std::span<const std::byte> datagram);

}  // namespace provstation
