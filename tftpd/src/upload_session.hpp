// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "server_core.hpp"
#include "upload_target.hpp"

#include <provstation/tftpd/netascii.hpp>

#include <boost/asio/steady_timer.hpp>

#include <optional>

namespace provstation::tftpd::detail {

/// @brief One WRQ's I/O (only when an upload directory is configured): its socket, timer and
/// strand; decisions come from the write_transfer state machine.
class upload_session final : public transfer_io,
                             public std::enable_shared_from_this<upload_session> {
 public:
  upload_session(std::shared_ptr<server_core> core, request_packet request, udp::endpoint client,
                 net::ip::address local_address);
  upload_session(const upload_session&) = delete;
  upload_session& operator=(const upload_session&) = delete;

  /// @brief Creates the target file and answers the request (call once, after registration).
  void begin();
  void duplicate_request() override;
  void abort(std::string reason) override;
  const udp::endpoint& client() const override { return client_; }

 private:
  void start();
  void transmit(const receive_batch& batch);
  void send_raw(std::span<const std::byte> bytes, const sockaddr* to, socklen_t to_len);
  bool store(std::span<const std::byte> payload, bool last);
  void do_read();
  void on_readable(const boost::system::error_code& ec);
  void arm_timer();
  void on_timer(const boost::system::error_code& ec, std::uint64_t generation);
  void report();
  void finish();

  std::shared_ptr<server_core> core_;
  strand_type strand_;
  udp::socket socket_;
  net::steady_timer timer_;
  request_packet request_;
  udp::endpoint client_;
  net::ip::address local_address_;
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
  bool reading_ = false;
  bool timer_pending_ = false;
  time_point timer_due_{};
  std::uint64_t timer_generation_ = 0;
};

}  // namespace provstation::tftpd::detail
