// SPDX-License-Identifier: Apache-2.0
// The listener side of the server: the request socket, duplicate detection, caps, refusals and
// the opening of transfer sockets.
#include "server_core.hpp"

#include "log.hpp"
#include "session.hpp"
#include "upload_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace provstation::tftpd {

namespace detail {

namespace {

// recvmmsg() calls per wake-up before yielding to the transfers.
constexpr int request_rounds_per_wakeup = 4;
// The request socket's buffer, so a boot storm of RRQs is queued rather than dropped.
constexpr int request_rcvbuf_bytes = 4 << 20;
// Binding attempts in a configured port range before giving up.
constexpr std::size_t max_bind_attempts = 512;
// Interface MTUs are read again after this long.
constexpr std::chrono::seconds mtu_cache_time{10};
// Sweep the duplicate-request table once it holds this many more entries than transfers.
constexpr std::size_t request_table_slack = 1024;

void set_int_option(int fd, int level, int name, int value) {
  static_cast<void>(::setsockopt(fd, level, name, &value, sizeof value));
}

}  // namespace

server_core::server_core(net::any_io_executor executor, server_options opts,
                         file_source& file_source, transfer_observer& transfer_observer)
    : ex(std::move(executor)),
      options(std::move(opts)),
      files(file_source),
      observer(transfer_observer),
      log(logger()),
      listener_strand(make_io_strand(ex)),
      listener(listener_strand),
      slots(std::make_unique<std::array<request_slot, request_batch>>()) {
  limits.max_blksize = options.max_blksize;
  limits.max_windowsize = std::max<std::uint16_t>(1, options.max_windowsize);
  limits.window_budget_bytes = options.window_budget_bytes;
  limits.timeout = options.client_timeout;
  limits.rollover = options.rollover_to_zero ? rollover_mode::to_zero : rollover_mode::to_one;
  limits.max_upload_bytes = options.max_upload_bytes;
}

net::any_io_executor make_io_strand(const net::any_io_executor& ex) {
  if (const auto* io = ex.target<net::io_context::executor_type>()) {
    return net::make_strand(*io);
  }
  return net::make_strand(ex);
}

std::string server_core::open() {
  boost::system::error_code ec;
  // One strand for the request socket and every transfer: a file source that answers at once
  // then completes inline, and the first packet leaves without another trip through the queue.
  manager = connection_manager::create(listener_strand, log, ec);
  if (!manager) return "tftpd: cannot create the transfer socket set: " + ec.message();
  const auto& listen = options.listen;
  auto describe = [&](const char* what) {
    return std::string("tftpd: cannot ") + what + " request socket " +
           listen.address().to_string() + ":" + std::to_string(listen.port()) + ": " + ec.message();
  };
  listener.open(listen.protocol(), ec);
  if (ec) return describe("open");
  const int fd = listener.native_handle();
  if (listen.address().is_v4()) {
    set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1);
  } else {
    set_int_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
    set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1);
  }
  // SO_RCVBUFFORCE passes rmem_max when we are root; otherwise the plain request is capped.
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &request_rcvbuf_bytes,
                   sizeof request_rcvbuf_bytes) != 0) {
    set_int_option(fd, SOL_SOCKET, SO_RCVBUF, request_rcvbuf_bytes);
  }
  listener.non_blocking(true, ec);
  if (ec) return describe("configure");
  listener.bind(listen, ec);
  if (ec) return describe("bind");
  if (!options.upload_dir.empty()) {
    upload_root = unique_fd(::open(options.upload_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!upload_root.valid()) {
      return "tftpd: cannot open upload directory " + options.upload_dir + ": " +
             std::strerror(errno);
    }
  }
  local = listener.local_endpoint(ec);
  if (ec) return describe("read back");
  return {};
}

void server_core::do_receive() {
  if (stopped) return;
  listener.async_wait(
      udp::socket::wait_read,
      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_receive(ec); });
}

void server_core::on_receive(const boost::system::error_code& ec) {
  if (stopped) return;
  if (ec) {
    if (ec == net::error::operation_aborted) return;
    log->error("request socket error: {}", ec.message());
    do_receive();
    return;
  }
  std::array<mmsghdr, request_batch> msgs{};
  for (int round = 0; round < request_rounds_per_wakeup && !stopped; ++round) {
    for (std::size_t i = 0; i < request_batch; ++i) {
      auto& s = (*slots)[i];
      s.iov = iovec{s.data.data(), s.data.size()};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_name = &s.from;
      msgs[i].msg_hdr.msg_namelen = sizeof s.from;
      msgs[i].msg_hdr.msg_iov = &s.iov;
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = s.control.data();
      msgs[i].msg_hdr.msg_controllen = s.control.size();
    }
    const int n =
        ::recvmmsg(listener.native_handle(), msgs.data(), request_batch, MSG_DONTWAIT, nullptr);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (int i = 0; i < n; ++i) {
      auto& s = (*slots)[static_cast<std::size_t>(i)];
      const msghdr& h = msgs[static_cast<std::size_t>(i)].msg_hdr;
      udp::endpoint client;
      if (h.msg_namelen > client.capacity()) continue;
      std::memcpy(client.data(), &s.from, h.msg_namelen);
      client.resize(h.msg_namelen);
      net::ip::address local_address = local.address();
      bool to_broadcast = false;
      int ifindex = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr;
           c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          in_pktinfo pi{};
          std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
          ifindex = pi.ipi_ifindex;
          const std::uint32_t dst = ntohl(pi.ipi_addr.s_addr);
          to_broadcast = dst == INADDR_BROADCAST || IN_MULTICAST(dst) ||
                         pi.ipi_addr.s_addr != pi.ipi_spec_dst.s_addr;
          const net::ip::address_v4 v4(ntohl(pi.ipi_spec_dst.s_addr));
          if (local.address().is_v6()) {
            local_address = net::ip::make_address_v6(net::ip::v4_mapped, v4);
          } else {
            local_address = v4;
          }
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
          in6_pktinfo pi{};
          std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
          ifindex = static_cast<int>(pi.ipi6_ifindex);
          to_broadcast = IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr);
          net::ip::address_v6::bytes_type bytes;
          std::memcpy(bytes.data(), &pi.ipi6_addr, bytes.size());
          net::ip::address_v6 v6(bytes);
          if (v6.is_link_local()) v6.scope_id(pi.ipi6_ifindex);
          local_address = v6;
        }
      }
      const bool truncated = (h.msg_flags & MSG_TRUNC) != 0;
      const std::size_t len =
          std::min<std::size_t>(msgs[static_cast<std::size_t>(i)].msg_len, s.data.size());
      handle_datagram(std::span<const std::byte>(s.data.data(), len), client, local_address,
                      ifindex, to_broadcast, truncated);
    }
    if (static_cast<std::size_t>(n) < request_batch) break;
  }
  do_receive();
}

void server_core::handle_datagram(std::span<const std::byte> bytes, const udp::endpoint& client,
                                  const net::ip::address& local_address, int ifindex,
                                  bool to_broadcast, bool truncated) {
  // RFC 1123 §4.2.3.5: a request sent to a broadcast address should be ignored.
  if (to_broadcast || client.port() == 0) {
    stats.malformed.fetch_add(1, std::memory_order_relaxed);
    log->debug("ignoring a datagram from {}:{} sent to a broadcast address or from port 0",
               client.address().to_string(), client.port());
    return;
  }
  const bool looks_like_request = bytes.size() >= 2 && bytes[0] == std::byte{0} &&
                                  (bytes[1] == std::byte{1} || bytes[1] == std::byte{2});
  if (truncated) {
    stats.malformed.fetch_add(1, std::memory_order_relaxed);
    if (looks_like_request) refuse(client, "", error_code::illegal_operation, "request too long");
    return;
  }
  auto decoded = decode_packet(bytes);
  if (!decoded) {
    stats.malformed.fetch_add(1, std::memory_order_relaxed);
    log->debug("malformed request from {}:{}: {}", client.address().to_string(), client.port(),
               decoded.message());
    if (looks_like_request) {
      refuse(client, "", error_code::illegal_operation, decoded.message());
    }
    return;
  }
  auto* request = std::get_if<request_packet>(&*decoded);
  if (request == nullptr) {
    // DATA, ACK, ERROR or OACK on the request port: not ours to answer (and answering an
    // ERROR could start a loop).
    stats.malformed.fetch_add(1, std::memory_order_relaxed);
    return;
  }

  const auto now = transfer_clock::now();
  // A copy of the request: while its transfer runs, or up to duplicate_window after the first
  // request when the transfer ended without ever hearing from the client (a late copy of the
  // RRQ). Once the client has answered, it has seen the transfer: the same request from the
  // same port is a new one (a kernel may hand the port out again at once).
  if (auto it = requests.find(client);
      it != requests.end() && it->second.path == request->filename &&
      (it->second.active ||
       (!it->second.answered && now - it->second.requested_at < options.duplicate_window))) {
    stats.duplicates.fetch_add(1, std::memory_order_relaxed);
    if (it->second.active) it->second.active->duplicate_request();
    return;
  }

  if (request->mode == transfer_mode::mail) {
    refuse(client, request->filename, error_code::illegal_operation, "mail mode is not supported");
    return;
  }
  if (request->op == opcode::wrq && !upload_root.valid()) {
    refuse(client, request->filename, error_code::access_violation, "uploads are disabled");
    return;
  }

  auto& per_ip = per_client[client.address()];
  if (sessions.size() >= options.max_transfers || per_ip >= options.max_transfers_per_client) {
    if (per_ip == 0) per_client.erase(client.address());
    // Dropped, not refused: the client retries its request and gets in once a slot frees up.
    const auto dropped = stats.dropped_busy.fetch_add(1, std::memory_order_relaxed);
    if (dropped % 1000 == 0) {
      log->warn("transfer cap reached ({} active); dropping requests ({} so far)", sessions.size(),
                dropped + 1);
    }
    return;
  }

  const std::string path = request->filename;
  const std::uint16_t blksize_cap = interface_blksize_cap(ifindex, local_address.is_v6());
  std::shared_ptr<transfer_io> s;
  std::shared_ptr<upload_session> upload;
  std::shared_ptr<session> download;
  if (request->op == opcode::wrq) {
    upload = std::make_shared<upload_session>(shared_from_this(), std::move(*request), client,
                                              local_address, blksize_cap);
    s = upload;
  } else {
    download = std::make_shared<session>(shared_from_this(), std::move(*request), client,
                                         local_address, blksize_cap);
    s = download;
  }
  ++per_ip;
  sessions.insert(s);
  stats.active.store(sessions.size(), std::memory_order_relaxed);
  // Forget ended transfers past the duplicate window, amortised: a sweep happens only after
  // the table has doubled since the last one.
  if (requests.size() >= next_sweep) {
    std::erase_if(requests, [&](const auto& kv) {
      return !kv.second.active && now - kv.second.requested_at >= options.duplicate_window;
    });
    next_sweep = 2 * requests.size() + request_table_slack;
  }
  requests[client] = request_entry{s, path, now};
  // Registered first: begin() may complete the open (and even refuse) inline.
  if (upload) {
    upload->begin();
  } else {
    download->begin();
  }
}

std::uint16_t server_core::interface_blksize_cap(int ifindex, bool v6) {
  if (!options.clamp_blksize_to_mtu || ifindex <= 0) return max_blksize_rfc;
  const auto now = transfer_clock::now();
  int mtu = 0;
  if (auto it = mtu_cache.find(ifindex);
      it != mtu_cache.end() && now - it->second.second < mtu_cache_time) {
    mtu = it->second.first;
  } else {
    char name[IF_NAMESIZE] = {};
    ifreq ifr{};
    if (::if_indextoname(static_cast<unsigned>(ifindex), name) != nullptr) {
      std::memcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
      if (::ioctl(listener.native_handle(), SIOCGIFMTU, &ifr) == 0) mtu = ifr.ifr_mtu;
    }
    mtu_cache[ifindex] = {mtu, now};
  }
  // IPv4 20 or IPv6 40 bytes, UDP 8, TFTP 4.
  const int overhead = (v6 ? 40 : 20) + 8 + static_cast<int>(header_bytes);
  if (mtu <= overhead + min_blksize_rfc) return max_blksize_rfc;
  return static_cast<std::uint16_t>(std::min<int>(mtu - overhead, max_blksize_rfc));
}

void server_core::refuse(const udp::endpoint& client, const std::string& path, error_code code,
                         const std::string& message) {
  stats.refused.fetch_add(1, std::memory_order_relaxed);
  net::dispatch(listener_strand, [self = shared_from_this(), client, path, code, message] {
    if (self->listener.is_open()) {
      const auto bytes = encode_error(code, message);
      static_cast<void>(::sendto(self->listener.native_handle(), bytes.data(), bytes.size(),
                                 MSG_DONTWAIT, client.data(),
                                 static_cast<socklen_t>(client.size())));
    }
    self->log->debug("refused {} for {}:{}: {} {}", path, client.address().to_string(),
                     client.port(), static_cast<int>(code), message);
    notify(*self, "on_refused", [&] { self->observer.on_refused(client, path, code, message); });
  });
}

void server_core::session_finished(const std::shared_ptr<transfer_io>& s) {
  net::post(listener_strand, [self = shared_from_this(), s] {
    if (self->sessions.erase(s) == 0) return;
    self->stats.active.store(self->sessions.size(), std::memory_order_relaxed);
    if (auto it = self->per_client.find(s->client().address()); it != self->per_client.end()) {
      if (--it->second == 0) self->per_client.erase(it);
    }
    if (auto it = self->requests.find(s->client());
        it != self->requests.end() && it->second.active == s) {
      it->second.answered = s->heard_from_client();
      it->second.active.reset();
    }
    if (self->stopped && self->sessions.empty()) self->close_manager();
  });
}

void server_core::do_stop() {
  if (stopped) return;
  stopped = true;
  boost::system::error_code ignored;
  listener.close(ignored);
  for (const auto& s : sessions) s->abort("shutdown");
  requests.clear();
  if (sessions.empty()) close_manager();
}

void server_core::close_manager() {
  net::post(manager->strand(), [m = manager] { m->close(); });
}

int server_core::open_transfer_socket(const net::ip::address& local_address,
                                      boost::system::error_code& ec) {
  const int family = local_address.is_v4() ? AF_INET : AF_INET6;
  unique_fd fd(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    ec.assign(errno, boost::system::system_category());
    return -1;
  }
  if (family == AF_INET) {
    // Blocks bigger than the path MTU are fragmented rather than refused (as dnsmasq does:
    // the DF bit confuses some boot ROMs).
    set_int_option(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
  }
  auto try_bind = [&](std::uint16_t port) {
    const udp::endpoint ep(local_address, port);
    if (::bind(fd.get(), ep.data(), static_cast<socklen_t>(ep.size())) == 0) return true;
    ec.assign(errno, boost::system::system_category());
    return false;
  };
  const auto first = options.port_range_first;
  const auto last = options.port_range_last;
  if (first == 0 && last == 0) return try_bind(0) ? fd.release() : -1;
  thread_local std::minstd_rand rng(std::random_device{}());
  const std::size_t span = last >= first ? static_cast<std::size_t>(last - first) + 1 : 1;
  const std::size_t start = rng() % span;
  for (std::size_t i = 0; i < std::min(span, max_bind_attempts); ++i) {
    if (try_bind(static_cast<std::uint16_t>(first + (start + i) % span))) return fd.release();
    if (ec != net::error::address_in_use && ec != net::error::access_denied) break;
  }
  return -1;
}

}  // namespace detail

}  // namespace provstation::tftpd
