// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "server_core.hpp"

#include <boost/asio/steady_timer.hpp>

#include <optional>

#include <sys/uio.h>

namespace provstation::tftpd::detail {

/// @brief One transfer's I/O: its socket (watched by the connection_manager) and timer, on the
/// server's strand. It only moves bytes; every decision comes from the read_transfer state
/// machine.
class session final : public transfer_io,
                      public readiness_handler,
                      public std::enable_shared_from_this<session> {
 public:
  session(std::shared_ptr<server_core> core, request_packet request, udp::endpoint client,
          net::ip::address local_address, std::uint16_t blksize_cap);
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// @brief Asks the file source for the file (call once, after registration).
  void begin();
  void duplicate_request() override;
  void abort(std::string reason) override;
  const udp::endpoint& client() const override { return client_; }
  bool heard_from_client() const override { return heard_; }
  /// @brief The connection_manager saw the socket readable: handle what is queued.
  void on_readable() override;
  /// @brief The requested path (immutable).
  const std::string& path() const { return request_.filename; }

 private:
  void on_open(open_result opened);
  void refuse(error_code code, const std::string& message);
  void prepare_buffers();
  negotiation_limits limits() const;
  void transmit(const send_batch& batch);
  void send_blocks(std::uint64_t first, std::uint32_t count);
  int send_gso(std::uint32_t chunk, std::size_t blksize);
  void send_raw(std::span<const std::byte> bytes, const sockaddr* to, socklen_t to_len);
  bool receive_one(time_point now);
  void handle_packet(std::span<const std::byte> bytes, time_point now);
  void arm_timer();
  void on_timer(const boost::system::error_code& ec, std::uint64_t generation);
  void report_progress(time_point now);
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

  std::shared_ptr<const readable> file_;
  std::span<const std::byte> contiguous_;
  std::optional<read_transfer> machine_;
  std::vector<std::byte> oack_;
  std::vector<std::array<std::byte, header_bytes>> headers_;
  std::vector<iovec> iovecs_;
  std::vector<mmsghdr> messages_;
  std::vector<std::byte> scratch_;
  std::array<std::byte, 1024> rx_{};

  time_point started_at_{};
  time_point last_progress_{};
  bool aborted_ = false;
  bool gso_ok_ = true;
  bool done_ = false;
  bool timer_pending_ = false;
  time_point timer_due_{};
  std::uint64_t timer_generation_ = 0;
  std::string abort_reason_;
};

}  // namespace provstation::tftpd::detail
