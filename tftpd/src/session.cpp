// SPDX-License-Identifier: Apache-2.0
#include "session.hpp"

#include <provstation/tftpd/memory_file.hpp>
#include <provstation/tftpd/netascii.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <netinet/udp.h>  // UDP_SEGMENT

namespace provstation::tftpd::detail {

namespace {

using std::chrono::milliseconds;

// Progress is reported at most this often, and only for files at least this big.
constexpr milliseconds progress_interval{500};
constexpr std::uint64_t progress_min_bytes = 1U << 20U;
// UDP GSO limits: one super-packet stays below 64 KiB and the kernel's segment count.
constexpr std::size_t max_gso_bytes = 65000;
constexpr std::size_t max_gso_segments = 64;
// Datagrams read on a timer expiry before deciding that a packet was lost.
constexpr int max_drain_packets = 16;
// netascii is translated in memory; larger files are refused in that mode.
constexpr std::uint64_t max_netascii_bytes = 64ULL << 20U;

bool same_endpoint(const sockaddr_storage& from, socklen_t len, const udp::endpoint& peer) {
  const sockaddr* p = peer.data();
  if (from.ss_family != p->sa_family) return false;
  if (from.ss_family == AF_INET) {
    if (len < static_cast<socklen_t>(sizeof(sockaddr_in))) return false;
    const auto* a = reinterpret_cast<const sockaddr_in*>(&from);
    const auto* b = reinterpret_cast<const sockaddr_in*>(p);
    return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (from.ss_family == AF_INET6) {
    if (len < static_cast<socklen_t>(sizeof(sockaddr_in6))) return false;
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&from);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(p);
    return a->sin6_port == b->sin6_port &&
           std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
  }
  return false;
}

}  // namespace

session::session(std::shared_ptr<server_core> core, request_packet request, udp::endpoint client,
                 net::ip::address local_address, std::uint16_t blksize_cap)
    : core_(std::move(core)),
      strand_(core_->manager->strand()),
      timer_(strand_),
      request_(std::move(request)),
      client_(client),
      local_address_(local_address),
      blksize_cap_(blksize_cap) {
  info_.id = core_->next_id.fetch_add(1, std::memory_order_relaxed);
  info_.client = client_;
  info_.path = request_.filename;
}

negotiation_limits session::limits() const {
  negotiation_limits l = core_->limits;
  l.max_blksize = std::min(l.max_blksize, blksize_cap_);
  return l;
}

void session::begin() {
  auto self = shared_from_this();
  try {
    // dispatch: when the source answers synchronously we are already on the strand.
    core_->files.async_open(open_request{request_.filename, client_}, [self](open_result r) {
      net::dispatch(self->strand_,
                    [self, r = std::move(r)]() mutable { self->on_open(std::move(r)); });
    });
  } catch (const std::exception& e) {
    core_->log->error("file source threw opening {}: {}", request_.filename, e.what());
    net::post(strand_, [self] {
      self->on_open(open_result{nullptr, error_code::not_defined, "internal error"});
    });
  }
}

void session::duplicate_request() {
  net::post(strand_, [self = shared_from_this()] {
    if (self->done_ || !self->machine_) return;
    self->transmit(self->machine_->on_duplicate_request(transfer_clock::now()));
    self->arm_timer();
  });
}

void session::abort(std::string reason) {
  net::post(strand_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
    if (self->done_) return;
    if (!self->machine_) {
      self->aborted_ = true;
      self->abort_reason_ = std::move(reason);
      return;
    }
    // Tell the client, so it stops retrying instead of waiting for its own timeout.
    const auto bytes = encode_error(error_code::not_defined, "server shutting down");
    self->send_raw(bytes, self->client_.data(), static_cast<socklen_t>(self->client_.size()));
    self->machine_->abort(std::move(reason));
    self->finish();
  });
}

void session::on_open(open_result opened) {
  if (aborted_) {
    done_ = true;
    core_->session_finished(shared_from_this());
    return;
  }
  if (!opened.file) {
    refuse(opened.code, opened.message.empty() ? "file not found" : opened.message);
    return;
  }
  file_ = std::move(opened.file);
  if (request_.mode == transfer_mode::netascii) {
    if (file_->size() > max_netascii_bytes) {
      refuse(error_code::not_defined, "file too large for netascii, use octet");
      return;
    }
    std::vector<std::byte> local(static_cast<std::size_t>(file_->size()));
    local.resize(file_->read(0, local));
    file_ = make_memory_file(encode_netascii(local));
  }

  const auto neg = negotiate(request_, file_->size(), limits());
  if (neg.refusal) {
    refuse(*neg.refusal, neg.refusal_message);
    return;
  }
  contiguous_ = file_->contiguous();
  if (contiguous_.size() != file_->size()) contiguous_ = {};

  read_config cfg;
  cfg.size = file_->size();
  cfg.blksize = neg.blksize;
  cfg.windowsize = neg.windowsize;
  cfg.oack = !neg.oack.empty();
  cfg.rollover = neg.rollover;
  cfg.retransmit.initial = core_->options.initial_rto;
  cfg.retransmit.min = core_->options.min_rto;
  cfg.retransmit.max = core_->options.max_rto;
  cfg.retransmit.max_retries = core_->options.max_retries;
  cfg.retransmit.min_retry_time = core_->options.min_retry_time;
  if (neg.timeout_s) cfg.retransmit.fixed = std::chrono::seconds(*neg.timeout_s);
  cfg.deadline = core_->options.transfer_deadline;
  machine_.emplace(cfg);
  if (cfg.oack) oack_ = encode_oack(neg.oack);

  boost::system::error_code ec;
  fd_ = unique_fd(core_->open_transfer_socket(local_address_, ec));
  if (!fd_.valid() || !core_->manager->add(fd_.get(), shared_from_this())) {
    core_->log->warn("no transfer socket for {}:{}: {}", client_.address().to_string(),
                     client_.port(), ec.message());
    fd_.reset();
    machine_.reset();
    refuse(error_code::not_defined, "no transfer port available");
    return;
  }
  prepare_buffers();

  info_.size = cfg.size;
  info_.blksize = cfg.blksize;
  info_.windowsize = cfg.windowsize;
  const auto now = transfer_clock::now();
  started_at_ = now;
  last_progress_ = now;
  core_->stats.started.fetch_add(1, std::memory_order_relaxed);
  core_->log->debug("transfer {} {} to {}:{} size {} blksize {} windowsize {}", info_.id,
                    info_.path, client_.address().to_string(), client_.port(), info_.size,
                    info_.blksize, info_.windowsize);
  notify(*core_, "on_started", [&] { core_->observer.on_started(info_); });

  transmit(machine_->start(now));
  if (machine_->finished()) {
    finish();
    return;
  }
  arm_timer();
}

void session::refuse(error_code code, const std::string& message) {
  done_ = true;
  file_.reset();
  core_->refuse(client_, request_.filename, code, message);
  core_->session_finished(shared_from_this());
}

void session::prepare_buffers() {
  const std::size_t window = machine_->config().windowsize;
  headers_.resize(window);
  iovecs_.resize(2 * window);
  messages_.resize(window);
  if (contiguous_.empty() && machine_->config().size > 0) {
    scratch_.resize(window * machine_->config().blksize);
  }
}

void session::send_raw(std::span<const std::byte> bytes, const sockaddr* to, socklen_t to_len) {
  if (!fd_.valid()) return;
  for (;;) {
    const ssize_t n = ::sendto(fd_.get(), bytes.data(), bytes.size(), MSG_DONTWAIT, to, to_len);
    if (n < 0 && errno == EINTR) continue;
    return;
  }
}

void session::transmit(const send_batch& batch) {
  const auto* peer = client_.data();
  const auto peer_len = static_cast<socklen_t>(client_.size());
  if (batch.oack) send_raw(oack_, peer, peer_len);
  if (batch.count > 0) {
    send_blocks(batch.first, batch.count);
    if (batch.retransmission) {
      core_->stats.blocks_retransmitted.fetch_add(batch.count, std::memory_order_relaxed);
    }
  }
  if (batch.error) send_raw(encode_error(*batch.error, batch.error_message), peer, peer_len);
}

void session::send_blocks(std::uint64_t first, std::uint32_t count) {
  const read_transfer& m = *machine_;
  const auto window = static_cast<std::uint32_t>(headers_.size());
  const std::size_t blksize = m.config().blksize;
  std::uint32_t done = 0;
  std::uint64_t payload_bytes = 0;
  std::uint64_t packets = 0;
  while (done < count) {
    const std::uint32_t chunk = std::min(count - done, window);
    for (std::uint32_t i = 0; i < chunk; ++i) {
      const std::uint64_t n = first + done + i;
      const std::size_t len = m.block_length(n);
      const std::uint64_t offset = m.block_offset(n);
      write_header(opcode::data, m.wire_block(n), headers_[i]);
      const std::byte* payload = nullptr;
      if (len > 0 && !contiguous_.empty()) {
        payload = contiguous_.data() + offset;
      } else if (len > 0) {
        std::byte* dst = scratch_.data() + i * blksize;
        if (file_->read(offset, std::span<std::byte>(dst, len)) != len) {
          machine_->abort("file shrank during the transfer");
          return;
        }
        payload = dst;
      }
      iovecs_[2 * i] = iovec{headers_[i].data(), header_bytes};
      iovecs_[2 * i + 1] = iovec{const_cast<std::byte*>(payload), len};
      msghdr& h = messages_[i].msg_hdr;
      h = msghdr{};
      h.msg_name = client_.data();
      h.msg_namelen = static_cast<socklen_t>(client_.size());
      h.msg_iov = &iovecs_[2 * i];
      h.msg_iovlen = len > 0 ? 2 : 1;
      messages_[i].msg_len = 0;
    }
    int sent = 0;
    if (chunk > 1 && gso_ok_ && core_->options.udp_gso) {
      sent = send_gso(chunk, blksize);
    }
    if (sent > 0) {
      // All of the chunk went out as one GSO super-packet (or its groups).
    } else if (chunk == 1 || !core_->options.batch_sends) {
      for (std::uint32_t i = 0; i < chunk; ++i) {
        ssize_t r = 0;
        do {
          r = ::sendmsg(fd_.get(), &messages_[i].msg_hdr, MSG_DONTWAIT);
        } while (r < 0 && errno == EINTR);
        if (r < 0) break;
        ++sent;
      }
    } else {
      do {
        sent = ::sendmmsg(fd_.get(), messages_.data(), chunk, MSG_DONTWAIT);
      } while (sent < 0 && errno == EINTR);
    }
    const int err = errno;
    for (int i = 0; i < sent; ++i) payload_bytes += iovecs_[2 * static_cast<std::size_t>(i) + 1].iov_len;
    if (sent > 0) packets += static_cast<std::uint64_t>(sent);
    if (sent < static_cast<int>(chunk)) {
      // The mapping lost its pages: the file was truncated under us.
      if (err == EFAULT) {
        machine_->abort("file changed during the transfer");
        break;
      }
      // A full socket buffer or a filtered packet is a loss; the timer repairs it.
      core_->log->trace("transfer {}: send stopped after {} of {}: {}", info_.id, sent, chunk,
                        std::strerror(err));
      break;
    }
    done += chunk;
  }
  core_->stats.blocks_sent.fetch_add(packets, std::memory_order_relaxed);
  core_->stats.bytes_sent.fetch_add(payload_bytes, std::memory_order_relaxed);
}

int session::send_gso(std::uint32_t chunk, std::size_t blksize) {
  // Every block but the last of the chunk must be full: GSO cuts the byte stream into equal
  // segments, only the last may be shorter.
  for (std::uint32_t i = 0; i + 1 < chunk; ++i) {
    if (iovecs_[2 * i + 1].iov_len != blksize) return 0;
  }
  const std::size_t segment = header_bytes + blksize;
  const auto per_send = static_cast<std::uint32_t>(
      std::min<std::size_t>(max_gso_segments, max_gso_bytes / segment));
  if (per_send < 2) return 0;
  std::uint32_t done = 0;
  while (done < chunk) {
    const std::uint32_t n = std::min(chunk - done, per_send);
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(std::uint16_t))> control{};
    msghdr h{};
    h.msg_name = client_.data();
    h.msg_namelen = static_cast<socklen_t>(client_.size());
    h.msg_iov = &iovecs_[2 * done];
    h.msg_iovlen = 2 * n;
    h.msg_control = control.data();
    h.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&h);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
    const auto seg = static_cast<std::uint16_t>(segment);
    std::memcpy(CMSG_DATA(c), &seg, sizeof seg);
    ssize_t r = 0;
    do {
      r = ::sendmsg(fd_.get(), &h, MSG_DONTWAIT);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
      // Not supported here (or segments above the path MTU): per-packet sends from now on.
      if (errno == EINVAL || errno == EIO || errno == EOPNOTSUPP || errno == ENOPROTOOPT) {
        gso_ok_ = false;
      }
      return static_cast<int>(done);
    }
    done += n;
  }
  return static_cast<int>(done);
}

bool session::receive_one(time_point now) {
  sockaddr_storage from{};
  socklen_t from_len = sizeof from;
  ssize_t n = 0;
  do {
    n = ::recvfrom(fd_.get(), rx_.data(), rx_.size(), MSG_DONTWAIT,
                   reinterpret_cast<sockaddr*>(&from), &from_len);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return false;
  const std::span<const std::byte> bytes(rx_.data(), static_cast<std::size_t>(n));
  if (!same_endpoint(from, from_len, client_)) {
    core_->stats.wrong_tid.fetch_add(1, std::memory_order_relaxed);
    // Never answer an ERROR with an ERROR: two servers could loop.
    const bool is_error = bytes.size() >= 2 && bytes[0] == std::byte{0} &&
                          bytes[1] == std::byte{static_cast<unsigned char>(opcode::error)};
    if (!is_error) {
      static const auto unknown_tid =
          encode_error(error_code::unknown_transfer_id, "unknown transfer ID");
      send_raw(unknown_tid, reinterpret_cast<const sockaddr*>(&from), from_len);
    }
    return true;
  }
  heard_ = true;
  handle_packet(bytes, now);
  return true;
}

void session::on_readable() {
  if (done_ || !machine_ || !fd_.valid()) return;
  // One datagram per readiness event: the set is level-triggered, so anything still queued is
  // reported again in the next round, and no second call is spent learning the queue is empty.
  const auto now = transfer_clock::now();
  if (!receive_one(now)) return;
  if (machine_->finished()) {
    finish();
    return;
  }
  report_progress(now);
  arm_timer();
}

void session::handle_packet(std::span<const std::byte> bytes, time_point now) {
  // ACKs are nearly every packet: parse them without building a variant.
  if (bytes.size() >= header_bytes && bytes[0] == std::byte{0} &&
      bytes[1] == std::byte{static_cast<unsigned char>(opcode::ack)}) {
    const auto block = static_cast<std::uint16_t>((std::to_integer<unsigned>(bytes[2]) << 8U) |
                                                  std::to_integer<unsigned>(bytes[3]));
    transmit(machine_->on_ack(block, now));
    return;
  }
  auto decoded = decode_packet(bytes);
  if (!decoded) {
    core_->stats.malformed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (const auto* e = std::get_if<error_packet>(&*decoded)) {
    machine_->on_error(e->code, e->message);
    return;
  }
  core_->stats.malformed.fetch_add(1, std::memory_order_relaxed);
}

void session::arm_timer() {
  if (done_ || !machine_) return;
  const time_point due = machine_->next_deadline();
  if (due == time_point::max()) return;
  // A pending wait that fires earlier is kept: on expiry it re-arms for the real deadline.
  // This avoids cancelling and re-posting the timer for every block.
  if (timer_pending_ && timer_due_ <= due) return;
  timer_pending_ = true;
  timer_due_ = due;
  const std::uint64_t generation = ++timer_generation_;
  timer_.expires_at(due);
  timer_.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
    self->on_timer(ec, generation);
  });
}

void session::on_timer(const boost::system::error_code& ec, std::uint64_t generation) {
  if (generation != timer_generation_) return;
  timer_pending_ = false;
  if (ec || done_ || !machine_) return;
  const auto now = transfer_clock::now();
  if (now >= machine_->next_deadline()) {
    // When this process ran late (a busy machine), the ACK may be waiting in the socket while
    // the timer fires first: read what is there before calling anything lost, or hundreds of
    // transfers would retransmit at once after every stall.
    for (int i = 0; i < max_drain_packets && !machine_->finished() && receive_one(now); ++i) {
    }
    if (!machine_->finished() && now >= machine_->next_deadline()) {
      transmit(machine_->on_timer(now));
    }
  }
  if (machine_->finished()) {
    finish();
    return;
  }
  arm_timer();
}

void session::report_progress(time_point now) {
  if (info_.size < progress_min_bytes || now - last_progress_ < progress_interval) return;
  last_progress_ = now;
  const auto acked = machine_->bytes_acked();
  notify(*core_, "on_progress", [&] { core_->observer.on_progress(info_, acked); });
}

void session::finish() {
  if (done_) return;
  done_ = true;
  const auto duration = transfer_clock::now() - started_at_;
  const read_transfer& m = *machine_;
  auto& stats = core_->stats;
  switch (m.status()) {
    case transfer_status::completed:
      stats.completed.fetch_add(1, std::memory_order_relaxed);
      notify(*core_, "on_completed",
             [&] { core_->observer.on_completed(info_, completion::confirmed, duration); });
      break;
    case transfer_status::completed_unconfirmed:
      stats.unconfirmed.fetch_add(1, std::memory_order_relaxed);
      notify(*core_, "on_completed",
             [&] { core_->observer.on_completed(info_, completion::unconfirmed, duration); });
      break;
    case transfer_status::failed:
    case transfer_status::active:
      stats.failed.fetch_add(1, std::memory_order_relaxed);
      notify(*core_, "on_failed",
             [&] { core_->observer.on_failed(info_, m.bytes_acked(), m.failure()); });
      break;
  }
  core_->log->debug("transfer {} {} ended: {} after {} ms, {} retransmitted, {} duplicate ACKs",
                    info_.id, info_.path, static_cast<int>(m.status()),
                    std::chrono::duration_cast<milliseconds>(duration).count(), m.retransmitted(),
                    m.duplicate_acks());
  timer_.cancel();
  if (fd_.valid()) core_->manager->remove(fd_.get());
  fd_.reset();
  file_.reset();
  contiguous_ = {};
  scratch_ = {};
  core_->session_finished(shared_from_this());
}

}  // namespace provstation::tftpd::detail
