// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/tftpd/packet.hpp>
#include <provstation/tftpd/server.hpp>
#include <provstation/tftpd/transfer.hpp>

#include "connection_manager.hpp"
#include "fs_util.hpp"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/strand.hpp>

#include <spdlog/logger.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

namespace provstation::tftpd::detail {

namespace net = boost::asio;
using udp = net::ip::udp;
using strand_type = net::any_io_executor;

/// @brief A strand on `ex`, built on the concrete io_context executor when that is what `ex`
/// holds (one layer of type erasure less on every handler).
net::any_io_executor make_io_strand(const net::any_io_executor& ex);

/// @brief What the listener needs from a running transfer, download or upload.
class transfer_io {
 public:
  virtual ~transfer_io() = default;
  /// @brief The same request came again from the same client port (any thread).
  virtual void duplicate_request() = 0;
  /// @brief Ends the transfer with `reason` (any thread).
  virtual void abort(std::string reason) = 0;
  /// @brief The client endpoint (immutable).
  virtual const udp::endpoint& client() const = 0;
  /// @brief A packet came from the client's port to the transfer's (listener strand): the
  /// client saw our answer, so a later request from that port is a new one, not a late copy.
  virtual bool heard_from_client() const = 0;
};

/// @brief Counters shared by the listener and every session (relaxed atomics).
struct counters {
  std::atomic<std::size_t> active{0};
  std::atomic<std::uint64_t> started{0}, completed{0}, unconfirmed{0}, failed{0}, refused{0},
      dropped_busy{0}, duplicates{0}, malformed{0}, wrong_tid{0}, blocks_sent{0},
      blocks_retransmitted{0}, bytes_sent{0};
};

/// @brief Hash of an IP address (Boost 1.74 has no std::hash for it).
struct address_hash {
  std::size_t operator()(const net::ip::address& a) const noexcept {
    if (a.is_v4()) return std::hash<std::uint32_t>()(a.to_v4().to_uint());
    const auto b = a.to_v6().to_bytes();
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    for (std::size_t i = 0; i < 8; ++i) hi = (hi << 8U) | b[i];
    for (std::size_t i = 8; i < 16; ++i) lo = (lo << 8U) | b[i];
    return std::hash<std::uint64_t>()(hi * 0x9E3779B97F4A7C15ULL ^ lo);
  }
};

/// @brief Hash of a UDP endpoint.
struct endpoint_hash {
  std::size_t operator()(const udp::endpoint& e) const noexcept {
    return address_hash()(e.address()) * 31U + e.port();
  }
};

/// @brief Requests read per recvmmsg() call.
inline constexpr std::size_t request_batch = 16;
/// @brief RFC 2347 caps a request at 512 bytes; a slot is larger so that an oversized one is
/// seen whole and refused rather than silently cut.
inline constexpr std::size_t request_slot_bytes = 2048;

/// @brief One receive slot of the request socket.
struct request_slot {
  std::array<std::byte, request_slot_bytes> data;  ///< Datagram.
  sockaddr_storage from;                           ///< Sender.
  alignas(cmsghdr) std::array<char, 256> control;  ///< IP_PKTINFO / IPV6_PKTINFO.
  iovec iov;                                       ///< Points at data.
};

/// @brief What the dedup table remembers per client endpoint.
struct request_entry {
  std::shared_ptr<transfer_io> active;  ///< The running transfer, if any.
  std::string path;                     ///< The file it was for.
  time_point requested_at{};            ///< When the first request came.
  bool answered = false;                ///< The ended transfer heard from the client.
};

/// @brief State shared by the listener and the sessions; outlives both through shared_ptr.
///
/// Everything below "listener strand only" is touched only from `listener_strand`, which is also
/// the strand of the connection_manager and so of every transfer.
struct server_core : std::enable_shared_from_this<server_core> {
  server_core(net::any_io_executor executor, server_options opts, file_source& file_source,
              transfer_observer& transfer_observer);

  net::any_io_executor ex;
  server_options options;
  negotiation_limits limits;
  file_source& files;
  transfer_observer& observer;
  std::shared_ptr<spdlog::logger> log;
  counters stats;
  unique_fd upload_root;  ///< The upload directory (O_PATH), when uploads are enabled.
  std::atomic<std::uint64_t> next_id{1};

  std::shared_ptr<connection_manager> manager;  ///< Every transfer socket; its strand runs them.

  // Listener strand only.
  strand_type listener_strand;
  udp::socket listener;
  udp::endpoint local;
  bool started = false;
  bool stopped = false;
  std::unordered_map<udp::endpoint, request_entry, endpoint_hash> requests;
  std::size_t next_sweep = 0;  ///< Sweep `requests` once it holds this many entries.
  std::unordered_set<std::shared_ptr<transfer_io>> sessions;
  std::unordered_map<net::ip::address, std::size_t, address_hash> per_client;
  std::unique_ptr<std::array<request_slot, request_batch>> slots;
  std::unordered_map<int, std::pair<int, time_point>> mtu_cache;  ///< ifindex -> (MTU, read at)

  /// @brief Creates the transfer socket set and opens and binds the request socket (before
  /// start); returns an error message, empty on success.
  std::string open();
  /// @brief Begins reading requests (listener strand).
  void do_receive();
  /// @brief Handles what the listener socket has queued (listener strand).
  void on_receive(const boost::system::error_code& ec);
  /// @brief Handles one request datagram (listener strand).
  void handle_datagram(std::span<const std::byte> bytes, const udp::endpoint& client,
                       const net::ip::address& local_address, int ifindex, bool to_broadcast,
                       bool truncated);
  /// @brief The largest blksize that fits the MTU of interface `ifindex` (listener strand);
  /// max_blksize_rfc when unknown or when the clamp is off.
  std::uint16_t interface_blksize_cap(int ifindex, bool v6);
  /// @brief Sends an ERROR from the request socket and reports the refusal (any thread).
  void refuse(const udp::endpoint& client, const std::string& path, error_code code,
              const std::string& message);
  /// @brief A session has ended: forget it, keep its endpoint for duplicate detection (any thread).
  void session_finished(const std::shared_ptr<transfer_io>& s);
  /// @brief Closes everything (listener strand).
  void do_stop();
  /// @brief Closes the transfer socket set once the last transfer is gone (any thread).
  void close_manager();
  /// @brief Opens a non-blocking transfer socket bound on `local_address`, in the port range;
  /// returns its descriptor, or -1 with `ec` set.
  int open_transfer_socket(const net::ip::address& local_address, boost::system::error_code& ec);
};

/// @brief Calls an observer method, logging instead of propagating any exception.
template <class F>
void notify(server_core& core, const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    core.log->error("transfer observer threw in {}: {}", what, e.what());
  }
}

}  // namespace provstation::tftpd::detail
