// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/tftpd/file_source.hpp>

#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace provstation::tftpd {

/// @brief One transfer as the observer sees it.
struct transfer_info {
  std::uint64_t id = 0;                   ///< Unique per server run.
  boost::asio::ip::udp::endpoint client;  ///< Client address and port.
  std::string path;                       ///< As requested.
  std::uint64_t size = 0;                 ///< File size in bytes.
  std::uint16_t blksize = 512;            ///< Negotiated block size.
  std::uint16_t windowsize = 1;           ///< Negotiated window size.
  bool upload = false;                    ///< A WRQ (client to server); size = bytes received.
};

/// @brief How a transfer ended.
enum class completion {
  confirmed,    ///< The client acknowledged the last block.
  unconfirmed,  ///< The last block was sent (and resent) but its ACK never came: the client
                ///< most likely has the file; later evidence decides.
};

/// @brief Receives transfer events. Called on the server's executor; must not block.
class transfer_observer {
 public:
  virtual ~transfer_observer() = default;
  /// @brief The file was opened and the first packet (OACK or DATA 1) is about to go out.
  virtual void on_started(const transfer_info& /*info*/) {}
  /// @brief Acknowledged bytes so far. Called at most every few hundred milliseconds per
  /// transfer, and not for small files.
  virtual void on_progress(const transfer_info& /*info*/, std::uint64_t /*bytes_acked*/) {}
  /// @brief The transfer ended with the whole file sent.
  virtual void on_completed(const transfer_info& /*info*/, completion /*how*/,
                            std::chrono::nanoseconds /*duration*/) {}
  /// @brief The transfer ended early (timeout, client error, shutdown).
  virtual void on_failed(const transfer_info& /*info*/, std::uint64_t /*bytes_acked*/,
                         const std::string& /*reason*/) {}
  /// @brief A request was refused with an error packet (file source said no, bad request).
  virtual void on_refused(const boost::asio::ip::udp::endpoint& /*client*/,
                          const std::string& /*path*/, error_code /*code*/,
                          const std::string& /*message*/) {}
};

}  // namespace provstation::tftpd
