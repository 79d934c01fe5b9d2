// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace provstation::phonesim {

/// @brief How the phone's TFTP client behaves.
struct tftp_options {
  std::string local_ip;                        ///< Source address ("" = any).
  std::uint16_t blksize = 1468;                ///< Asked for with RFC 2348 (0 = do not ask).
  std::chrono::milliseconds timeout{1000};     ///< Per-packet retransmission timeout.
  int retries = 5;                             ///< Retransmissions before giving up.
  std::size_t max_bytes = 64 * 1024 * 1024;    ///< Larger files are refused.
  std::chrono::milliseconds deadline{300000};  ///< Whole transfer.
};

/// @brief The result of a TFTP read.
struct tftp_outcome {
  bool ok = false;
  std::string data;
  int error_code = -1;          ///< The server's ERROR code, -1 when none was received.
  std::string error_message;    ///< The server's ERROR text, or what went wrong locally.
  std::uint16_t blksize = 512;  ///< The block size actually used.
};

/// @brief Reads `path` from a TFTP server (RRQ, octet mode) the way an SPA phone does: it
/// asks for `blksize`, accepts an OACK (answered with ACK 0) or a plain DATA 1 (blksize 512),
/// locks onto the server's transfer port, answers strays with ERROR 5, retransmits its last
/// packet on timeout and gives up after `retries`. `should_stop` is polled between packets.
tftp_outcome tftp_get(const std::string& server_ip, std::uint16_t port, std::string_view path,
                      const tftp_options& options, const std::function<bool()>& should_stop = {});

}  // namespace provstation::phonesim
