// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>
#include <provstation/tftpd/file_source.hpp>
#include <provstation/tftpd/negotiation.hpp>
#include <provstation/tftpd/transfer_observer.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace provstation::tftpd {

/// @brief Server settings. Defaults suit a bench LAN of IP phones.
struct server_options {
  boost::asio::ip::udp::endpoint listen;        ///< Request socket (port 69 in production).
  std::uint16_t max_blksize = 1468;             ///< Clamp for negotiated blksize (MTU 1500).
  std::uint16_t max_windowsize = 64;            ///< Clamp for RFC 7440 windowsize.
  std::size_t max_transfers = 2000;             ///< Concurrent transfers cap (excess RRQs dropped).
  std::size_t max_transfers_per_client = 8;     ///< Per client IP (excess RRQs dropped).
  std::uint16_t port_range_first = 0;           ///< Transfer ports; 0,0 = kernel ephemeral.
  std::uint16_t port_range_last = 0;            ///< Last port of the range (inclusive).
  /// Retransmission timer before the first RTT sample of a transfer. After it, the timer adapts
  /// (srtt + 4·rttvar, floor min_rto), so one lost packet costs tens of milliseconds on a LAN.
  std::chrono::milliseconds initial_rto{200};
  std::chrono::seconds transfer_deadline{600};  ///< A transfer running longer fails.
  int max_retries = 8;                          ///< Consecutive timeouts before giving up.
  bool rollover_to_zero = true;                 ///< Block 65535 is followed by 0 (else by 1).

  std::chrono::milliseconds min_rto{20};        ///< Floor of the adaptive timer.
  /// Ceiling of the timer and its back-off. Above 5 s on purpose: atftp re-acknowledges only
  /// after 5 s without any packet, so repeats must eventually be spaced wider than that.
  std::chrono::milliseconds max_rto{10000};
  /// A transfer without progress is abandoned after max_retries timeouts *and* this long
  /// (except a missing final ACK, which ends "unconfirmed" after the retries alone).
  std::chrono::milliseconds min_retry_time{30000};
  /// Client `timeout` option: declined by default so the adaptive timer governs (curl always
  /// asks for 6 s, which would make every lost packet cost 6 s).
  timeout_policy client_timeout = timeout_policy::decline;
  /// Receive-buffer bytes of the client one window may fill; caps windowsize × blksize.
  std::size_t window_budget_bytes = 131072;
  /// A request repeated from the same client port for the same file is the same transfer
  /// while that transfer runs, and is ignored up to this long after the first request when the
  /// transfer ended without ever hearing from the client (a client repeats its RRQ only until
  /// it sees the first answer; once it has answered, the same request is a new transfer).
  std::chrono::milliseconds duplicate_window{1000};
  /// Directory for WRQ uploads; empty (the default) refuses every WRQ.
  std::string upload_dir;
  /// Largest upload accepted, bytes.
  std::uint64_t max_upload_bytes = 64ULL << 20U;
  /// Batch the packets of a window into one sendmmsg() call.
  bool batch_sends = true;
  /// Also clamp blksize to the MTU of the interface the request came in on, minus the IP, UDP
  /// and TFTP headers, so that no block needs IP fragmentation on the first hop.
  bool clamp_blksize_to_mtu = true;
  /// Send a window of full blocks as one UDP GSO super-packet (falls back by itself when the
  /// kernel or the path MTU refuses it).
  bool udp_gso = true;
};

/// @brief Counters since the server was created.
struct server_statistics {
  std::size_t active = 0;                 ///< Transfers in progress (including opening).
  std::uint64_t started = 0;              ///< Transfers that sent their first packet.
  std::uint64_t completed = 0;            ///< Ended with the final ACK.
  std::uint64_t completed_unconfirmed = 0;  ///< Ended with the final ACK missing.
  std::uint64_t failed = 0;               ///< Ended early.
  std::uint64_t refused = 0;              ///< Requests answered with an ERROR.
  std::uint64_t dropped_busy = 0;         ///< Requests dropped by the caps.
  std::uint64_t duplicate_requests = 0;   ///< Repeated requests folded into their transfer.
  std::uint64_t malformed = 0;            ///< Undecodable or stray packets.
  std::uint64_t wrong_tid = 0;            ///< Packets from a wrong port (answered with ERROR 5).
  std::uint64_t blocks_sent = 0;          ///< DATA packets sent, retransmissions included.
  std::uint64_t blocks_retransmitted = 0; ///< DATA packets sent again.
  std::uint64_t bytes_sent = 0;           ///< DATA payload bytes sent.
};

namespace detail {
struct server_core;
}

/// @brief The TFTP server: one request socket, one socket and timer per transfer.
///
/// How it works: the request socket is read with recvmmsg() (with each request's destination
/// address); repeated requests are folded into the running transfer, the caps are applied and
/// the file_source is asked for the file. Each transfer then negotiates its options, binds its
/// own port on the address the client talked to, and is driven by a read_transfer (or, with an
/// upload directory, write_transfer) state machine: every received packet and every timer expiry
/// is an event whose answer (OACK, a window of blocks, an ACK, an ERROR) is sent at once, blocks
/// straight from the file's memory with sendmsg, sendmmsg or one UDP GSO super-packet per
/// window. Transfer sockets are watched by one level-triggered epoll set (connection_manager)
/// that Asio waits on once per batch, so a lock-step block costs one recvfrom and one sendmsg.
/// Everything runs on one strand of the given executor. Nothing is allocated per block.
/// The file_source and the observer must outlive every handler of the executor; destroy the
/// server before its io_context.
class server {
 public:
  /// @brief Opens and binds the request socket now (so the caller can bind port 69, then drop
  /// root); transfers are served after start().
  static result<std::unique_ptr<server>> create(boost::asio::any_io_executor ex,
                                                server_options options, file_source& files,
                                                transfer_observer& observer);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// @brief Starts reading requests.
  void start();
  /// @brief Closes every socket and ends every transfer (observer gets on_failed "shutdown").
  /// Takes effect on the server's executor; the io_context runs out of work once all is closed.
  void stop();
  /// @brief The bound request endpoint (with the real port when 0 was asked for).
  boost::asio::ip::udp::endpoint local_endpoint() const;
  /// @brief A snapshot of the counters.
  server_statistics statistics() const;
  /// @brief Transfers in progress.
  std::size_t active_transfers() const;

 private:
  explicit server(std::shared_ptr<detail::server_core> core);
  std::shared_ptr<detail::server_core> core_;
};

}  // namespace provstation::tftpd
