// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/tftpd/file_source.hpp>
#include <provstation/tftpd/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provstation::tftpd {

/// @brief What the server does with a client's RFC 2349 `timeout` option.
enum class timeout_policy {
  decline,  ///< Leave it out of the OACK (RFC 2347 allows it); the adaptive timer governs.
  honour,   ///< Echo it and retransmit after exactly that many seconds.
};

/// @brief Where the 16-bit block number goes after 65535.
enum class rollover_mode { to_zero, to_one };

/// @brief Server-side limits applied while negotiating.
struct negotiation_limits {
  std::uint16_t max_blksize = 1468;        ///< Clamp for `blksize` (path MTU setting).
  std::uint16_t max_windowsize = 64;       ///< Clamp for `windowsize`.
  /// Receive-buffer budget of the client, in kernel bytes (truesize), that one window may fill;
  /// the window is clamped so window × per-packet cost stays within it.
  std::size_t window_budget_bytes = 131072;
  timeout_policy timeout = timeout_policy::decline;  ///< Client `timeout` policy.
  rollover_mode rollover = rollover_mode::to_zero;   ///< Default when no `rollover` option.
  std::uint64_t max_upload_bytes = 0;      ///< WRQ `tsize` above this is refused (0 = no limit).
};

/// @brief The outcome of option negotiation for one request.
struct negotiated {
  std::uint16_t blksize = default_blksize;  ///< Block size to use.
  std::uint16_t windowsize = 1;             ///< Window size to use.
  std::optional<std::uint8_t> timeout_s;    ///< Accepted client `timeout`, seconds.
  rollover_mode rollover = rollover_mode::to_zero;  ///< Block-number wrap.
  std::optional<std::uint64_t> upload_size;  ///< WRQ `tsize` announced by the client.
  std::vector<option> oack;  ///< Options to put in the OACK, in the client's order; empty = none.
  std::optional<error_code> refusal;  ///< Set when the request must be refused.
  std::string refusal_message;        ///< Message for the refusal.
};

/// @brief Negotiates the options of `request` (RFC 2347/2348/2349/7440, tftpd-hpa `rollover`).
/// Only options the client sent can appear in the OACK; unknown or malformed options are
/// silently ignored. `file_size` answers an RRQ `tsize` (ignored for WRQ).
negotiated negotiate(const request_packet& request, std::uint64_t file_size,
                     const negotiation_limits& limits);

/// @brief Estimated kernel receive-buffer cost (truesize) of one DATA datagram of `blksize`.
std::size_t estimated_packet_cost(std::uint16_t blksize);

/// @brief Largest window of `blksize` blocks that fits `budget_bytes` of receive buffer (≥ 1).
std::uint16_t window_limit(std::uint16_t blksize, std::size_t budget_bytes);

/// @brief Parses a decimal option value: digits only, no sign, no spaces, ≤ 20 digits.
std::optional<std::uint64_t> parse_decimal(std::string_view text);

}  // namespace provstation::tftpd
