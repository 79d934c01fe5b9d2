// SPDX-License-Identifier: Apache-2.0
#include <provstation/tftpd/server.hpp>

#include "log.hpp"
#include "server_core.hpp"
#include "session.hpp"
#include "upload_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <netinet/in.h>
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
      listener_strand(net::make_strand(ex)),
      listener(listener_strand),
      slots(std::make_unique<std::array<request_slot, request_batch>>()) {
  limits.max_blksize = options.max_blksize;
  limits.max_windowsize = std::max<std::uint16_t>(1, options.max_windowsize);
  limits.window_budget_bytes = options.window_budget_bytes;
  limits.timeout = options.client_timeout;
  limits.rollover = options.rollover_to_zero ? rollover_mode::to_zero : rollover_mode::to_one;
  limits.max_upload_bytes = options.max_upload_bytes;
}

void server_core::do_receive() {
  if (stopped) return;
  listener.async_wait(udp::socket::wait_read,
                      [self = shared_from_this()](const boost::system::error_code& ec) {
                        self->on_receive(ec);
                      });
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
    const int n = ::recvmmsg(listener.native_handle(), msgs.data(), request_batch, MSG_DONTWAIT,
                             nullptr);
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
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr;
           c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          in_pktinfo pi{};
          std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
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
                      to_broadcast, truncated);
    }
    if (static_cast<std::size_t>(n) < request_batch) break;
  }
  do_receive();
}

void server_core::handle_datagram(std::span<const std::byte> bytes, const udp::endpoint& client,
                                  const net::ip::address& local_address, bool to_broadcast,
                                  bool truncated) {
  // RFC 1123 §4.2.3.5: a request sent to a broadcast address should be ignored.
  if (to_broadcast || client.port() == 0) {
    stats.malformed.fetch_add(1, std::memory_order_relaxed);
    log->debug("ignoring a datagram from {}:{} sent to a broadcast address or from port 0",
               client.address().to_string(), client.port());
    return;
  }
  const bool looks_like_request =
      bytes.size() >= 2 && bytes[0] == std::byte{0} &&
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
  if (auto it = requests.find(client); it != requests.end() && it->second.path == request->filename &&
                                       (it->second.active ||
                                        now - it->second.finished_at < options.duplicate_linger)) {
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
      log->warn("transfer cap reached ({} active); dropping requests ({} so far)",
                sessions.size(), dropped + 1);
    }
    return;
  }

  const std::string path = request->filename;
  std::shared_ptr<transfer_io> s;
  if (request->op == opcode::wrq) {
    auto u = std::make_shared<upload_session>(shared_from_this(), std::move(*request), client,
                                              local_address);
    u->begin();
    s = u;
  } else {
    auto d = std::make_shared<session>(shared_from_this(), std::move(*request), client,
                                       local_address);
    d->begin();
    s = d;
  }
  ++per_ip;
  sessions.insert(s);
  stats.active.store(sessions.size(), std::memory_order_relaxed);
  if (requests.size() > sessions.size() + request_table_slack) {
    std::erase_if(requests, [&](const auto& kv) {
      return !kv.second.active && now - kv.second.finished_at >= options.duplicate_linger;
    });
  }
  requests[client] = request_entry{s, path, {}};
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
    if (auto it = self->requests.find(s->client()); it != self->requests.end() &&
                                                    it->second.active == s) {
      it->second.active.reset();
      it->second.finished_at = transfer_clock::now();
    }
  });
}

void server_core::do_stop() {
  if (stopped) return;
  stopped = true;
  boost::system::error_code ignored;
  listener.close(ignored);
  for (const auto& s : sessions) s->abort("shutdown");
  requests.clear();
}

bool server_core::bind_transfer_socket(udp::socket& socket, const net::ip::address& local_address,
                                       boost::system::error_code& ec) {
  socket.open(local_address.is_v4() ? udp::v4() : udp::v6(), ec);
  if (ec) return false;
  socket.non_blocking(true, ec);
  if (ec) return false;
  if (local_address.is_v4()) {
    // Blocks bigger than the path MTU are fragmented rather than refused (as dnsmasq does:
    // the DF bit confuses some boot ROMs).
    set_int_option(socket.native_handle(), IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
  }
  const auto first = options.port_range_first;
  const auto last = options.port_range_last;
  if (first == 0 && last == 0) {
    socket.bind(udp::endpoint(local_address, 0), ec);
    return !ec;
  }
  thread_local std::minstd_rand rng(std::random_device{}());
  const std::size_t span = last >= first ? static_cast<std::size_t>(last - first) + 1 : 1;
  const std::size_t start = rng() % span;
  for (std::size_t i = 0; i < std::min(span, max_bind_attempts); ++i) {
    const auto port = static_cast<std::uint16_t>(first + (start + i) % span);
    socket.bind(udp::endpoint(local_address, port), ec);
    if (!ec) return true;
    if (ec != net::error::address_in_use && ec != net::error::access_denied) break;
  }
  boost::system::error_code ignored;
  socket.close(ignored);
  if (!ec) ec = net::error::address_in_use;
  return false;
}

}  // namespace detail

server::server(std::shared_ptr<detail::server_core> core) : core_(std::move(core)) {}

server::~server() { stop(); }

result<std::unique_ptr<server>> server::create(boost::asio::any_io_executor ex,
                                               server_options options, file_source& files,
                                               transfer_observer& observer) {
  auto core = std::make_shared<detail::server_core>(std::move(ex), std::move(options), files,
                                                    observer);
  auto& sock = core->listener;
  const auto& listen = core->options.listen;
  boost::system::error_code ec;
  auto describe = [&](const char* what) {
    return make_error(std::string("tftpd: cannot ") + what + " request socket " +
                      listen.address().to_string() + ":" + std::to_string(listen.port()) + ": " +
                      ec.message());
  };
  sock.open(listen.protocol(), ec);
  if (ec) return describe("open");
  const int fd = sock.native_handle();
  if (listen.address().is_v4()) {
    detail::set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1);
  } else {
    detail::set_int_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
    detail::set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1);
  }
  // SO_RCVBUFFORCE passes rmem_max when we are root; otherwise the plain request is capped.
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &detail::request_rcvbuf_bytes,
                   sizeof detail::request_rcvbuf_bytes) != 0) {
    detail::set_int_option(fd, SOL_SOCKET, SO_RCVBUF, detail::request_rcvbuf_bytes);
  }
  sock.non_blocking(true, ec);
  if (ec) return describe("configure");
  sock.bind(listen, ec);
  if (ec) return describe("bind");
  if (!core->options.upload_dir.empty()) {
    core->upload_root = detail::unique_fd(
        ::open(core->options.upload_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!core->upload_root.valid()) {
      return make_error("tftpd: cannot open upload directory " + core->options.upload_dir + ": " +
                        std::strerror(errno));
    }
  }
  core->local = sock.local_endpoint(ec);
  if (ec) return describe("read back");
  return std::unique_ptr<server>(new server(std::move(core)));
}

void server::start() {
  boost::asio::dispatch(core_->listener_strand, [core = core_] {
    if (core->started || core->stopped) return;
    core->started = true;
    core->do_receive();
  });
}

void server::stop() {
  boost::asio::dispatch(core_->listener_strand, [core = core_] { core->do_stop(); });
}

boost::asio::ip::udp::endpoint server::local_endpoint() const { return core_->local; }

std::size_t server::active_transfers() const {
  return core_->stats.active.load(std::memory_order_relaxed);
}

server_statistics server::statistics() const {
  const auto& s = core_->stats;
  constexpr auto r = std::memory_order_relaxed;
  server_statistics out;
  out.active = s.active.load(r);
  out.started = s.started.load(r);
  out.completed = s.completed.load(r);
  out.completed_unconfirmed = s.unconfirmed.load(r);
  out.failed = s.failed.load(r);
  out.refused = s.refused.load(r);
  out.dropped_busy = s.dropped_busy.load(r);
  out.duplicate_requests = s.duplicates.load(r);
  out.malformed = s.malformed.load(r);
  out.wrong_tid = s.wrong_tid.load(r);
  out.blocks_sent = s.blocks_sent.load(r);
  out.blocks_retransmitted = s.blocks_retransmitted.load(r);
  out.bytes_sent = s.bytes_sent.load(r);
  return out;
}

}  // namespace provstation::tftpd
