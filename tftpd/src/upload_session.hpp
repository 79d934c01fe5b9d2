// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "server_core.hpp"
#include "upload_target.hpp"

#include <provstation/tftpd/netascii.hpp>
#include <provstation/tftpd/write_transfer.hpp>

#include <boost/asio/steady_timer.hpp>

#include <optional>

namespace provstation::tftpd::detail {

/// @brief One WRQ's I/O (only when an upload directory is configured): its socket (watched by
/// the connection_manager) and timer, on the server's strand; decisions come from the
/// write_transfer state machine.
class upload_session final : public transfer_io,
                             public readiness_handler,
                             public std::enable_shared_from_this<upload_session> {
 public:
  upload_session(std::shared_ptr<server_core> core, request_packet request, udp::endpoint client,
                 net::ip::address local_address, std::uint16_t blksize_cap);
  upload_session(const upload_session&) = delete;
  upload_session& operator=(const upload_session&) = delete;

  /// @brief Creates the target file and answers the request (call once, after registration).
  void begin();
  void duplicate_request() override;
  void abort(std::string reason) override;
  const udp::endpoint& client() const override { return client_; }
  bool heard_from_client() const override { return heard_; }
  /// @brief The connection_manager saw the socket readable.
  void on_readable() override;

 private:
  void start();
  negotiation_limits limits() const;
  void transmit(const receive_batch& batch);
  void send_raw(std::span<const std::byte> bytes, const sockaddr* to, socklen_t to_len);
  bool store(std::span<const std::byte> payload, bool last);
  void drain();
  void arm_timer();
  void on_timer(const boost::system::error_code& ec, std::uint64_t generation);
  void report();
  void finish();

  std::shared_ptr<server_core> core_;
  strand_type strand_;
  unique_fd fd_;
  net::steady_timer timer_;
  request_packet request_;
  udp::endpoint client_;
  bool heard_ = false;  // A packet came from client_ (see heard_from_client()).
  net::ip::address local_address_;
  std::uint16_t blksize_cap_;
  transfer_info info_;

  std::optional<write_transfer> machine_;
  std::optional<upload_target> target_;
  netascii_decoder netascii_;
  std::vector<std::byte> converted_;
  std::vector<std::byte> oack_;
  std::vector<std::byte> rx_;
  time_point started_at_{};
  bool done_ = false;
  bool reported_ = false;
  bool timer_pending_ = false;
  time_point timer_due_{};
  std::uint64_t timer_generation_ = 0;
};

}  // namespace provstation::tftpd::detail
