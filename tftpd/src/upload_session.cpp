// SPDX-License-Identifier: Apache-2.0
#include "upload_session.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <netinet/in.h>

namespace provstation::tftpd::detail {

namespace {

constexpr int max_packets_per_wakeup = 64;

bool from_client(const sockaddr_storage& from, socklen_t len, const udp::endpoint& peer) {
  const sockaddr* p = peer.data();
  if (from.ss_family != p->sa_family) return false;
  if (from.ss_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&from);
    const auto* b = reinterpret_cast<const sockaddr_in*>(p);
    return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (from.ss_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&from);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(p);
    return a->sin6_port == b->sin6_port &&
           std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
  }
  return false;
}

}  // namespace

upload_session::upload_session(std::shared_ptr<server_core> core, request_packet request,
                               udp::endpoint client, net::ip::address local_address,
                               std::uint16_t blksize_cap)
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
  info_.upload = true;
}

negotiation_limits upload_session::limits() const {
  negotiation_limits l = core_->limits;
  l.max_blksize = std::min(l.max_blksize, blksize_cap_);
  return l;
}

void upload_session::begin() {
  net::post(strand_, [self = shared_from_this()] { self->start(); });
}

void upload_session::start() {
  if (done_) return;
  auto refuse = [&](error_code code, const std::string& message) {
    done_ = true;
    core_->refuse(client_, request_.filename, code, message);
    core_->session_finished(shared_from_this());
  };
  const auto neg = negotiate(request_, 0, limits());
  if (neg.refusal) {
    refuse(*neg.refusal, neg.refusal_message);
    return;
  }
  upload_target::refusal refused{};
  target_ = upload_target::create(core_->upload_root.get(), request_.filename, refused);
  if (!target_) {
    refuse(refused.code, refused.message);
    return;
  }
  write_config cfg;
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
  cfg.max_bytes = core_->options.max_upload_bytes;
  machine_.emplace(cfg);
  if (cfg.oack) oack_ = encode_oack(neg.oack);

  boost::system::error_code ec;
  fd_ = unique_fd(core_->open_transfer_socket(local_address_, ec));
  if (!fd_.valid() || !core_->manager->add(fd_.get(), shared_from_this())) {
    fd_.reset();
    target_.reset();
    machine_.reset();
    refuse(error_code::not_defined, "no transfer port available");
    return;
  }
  rx_.resize(header_bytes + cfg.blksize + 1);
  info_.size = neg.upload_size.value_or(0);
  info_.blksize = cfg.blksize;
  info_.windowsize = cfg.windowsize;
  started_at_ = transfer_clock::now();
  core_->stats.started.fetch_add(1, std::memory_order_relaxed);
  core_->log->debug("upload {} {} from {}:{} blksize {} windowsize {}", info_.id, info_.path,
                    client_.address().to_string(), client_.port(), info_.blksize,
                    info_.windowsize);
  notify(*core_, "on_started", [&] { core_->observer.on_started(info_); });
  transmit(machine_->start(started_at_));
  arm_timer();
}

void upload_session::duplicate_request() {
  net::post(strand_, [self = shared_from_this()] {
    if (self->done_ || !self->machine_) return;
    self->transmit(self->machine_->on_duplicate_request(transfer_clock::now()));
    self->arm_timer();
  });
}

void upload_session::abort(std::string reason) {
  net::post(strand_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
    if (self->done_) return;
    if (!self->machine_) {
      self->done_ = true;
      return;
    }
    // Already stored and only dallying: it completed, whatever stops it now.
    if (self->machine_->status() == transfer_status::completed) {
      self->finish();
      return;
    }
    if (self->machine_->status() == transfer_status::active) {
      const auto bytes = encode_error(error_code::not_defined, "server shutting down");
      self->send_raw(bytes, self->client_.data(), static_cast<socklen_t>(self->client_.size()));
    }
    self->machine_->abort(std::move(reason));
    self->finish();
  });
}

void upload_session::send_raw(std::span<const std::byte> bytes, const sockaddr* to,
                              socklen_t to_len) {
  if (!fd_.valid()) return;
  while (::sendto(fd_.get(), bytes.data(), bytes.size(), MSG_DONTWAIT, to, to_len) < 0 &&
         errno == EINTR) {
  }
}

void upload_session::transmit(const receive_batch& batch) {
  const auto* peer = client_.data();
  const auto len = static_cast<socklen_t>(client_.size());
  if (batch.oack) send_raw(oack_, peer, len);
  if (batch.ack) {
    std::array<std::byte, header_bytes> ack{};
    write_header(opcode::ack, *batch.ack, ack);
    send_raw(ack, peer, len);
  }
  if (batch.error) send_raw(encode_error(*batch.error, batch.error_message), peer, len);
}

bool upload_session::store(std::span<const std::byte> payload, bool last) {
  bool ok = true;
  if (request_.mode == transfer_mode::netascii) {
    converted_.clear();
    netascii_.decode(payload, converted_);
    if (last) netascii_.finish(converted_);
    ok = target_->append(converted_);
  } else {
    ok = target_->append(payload);
  }
  if (ok && last) ok = target_->commit();
  if (!ok) {
    const int err = errno;
    const bool full = err == ENOSPC || err == EDQUOT;
    const bool exists = err == EEXIST;
    const auto bytes = encode_error(full     ? error_code::disk_full
                                    : exists ? error_code::file_exists
                                             : error_code::access_violation,
                                    full ? "disk full" : exists ? "file already exists" : "write failed");
    send_raw(bytes, client_.data(), static_cast<socklen_t>(client_.size()));
    machine_->abort(std::string("cannot store the upload: ") + std::strerror(err));
  }
  return ok;
}

void upload_session::on_readable() {
  if (done_ || !machine_ || !fd_.valid()) return;
  drain();
  if (machine_->finished()) {
    finish();
    return;
  }
  arm_timer();
}

void upload_session::drain() {
  for (int i = 0; i < max_packets_per_wakeup && !machine_->finished(); ++i) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(fd_.get(), rx_.data(), rx_.size(), MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    const std::span<const std::byte> bytes(rx_.data(), static_cast<std::size_t>(n));
    if (!from_client(from, from_len, client_)) {
      core_->stats.wrong_tid.fetch_add(1, std::memory_order_relaxed);
      const bool is_error = n >= 2 && bytes[1] == std::byte{static_cast<unsigned char>(opcode::error)};
      if (!is_error) {
        const auto e = encode_error(error_code::unknown_transfer_id, "unknown transfer ID");
        send_raw(e, reinterpret_cast<const sockaddr*>(&from), from_len);
      }
      continue;
    }
    heard_ = true;
    auto decoded = decode_packet(bytes);
    if (!decoded) {
      core_->stats.malformed.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    const auto now = transfer_clock::now();
    if (const auto* d = std::get_if<data_packet>(&*decoded)) {
      const auto batch = machine_->on_data(d->block, d->payload.size(), now);
      if (!batch.accept || store(d->payload, batch.last)) transmit(batch);
      if (batch.last && machine_->status() == transfer_status::completed) report();
    } else if (const auto* e = std::get_if<error_packet>(&*decoded)) {
      machine_->on_error(e->code, e->message);
    }
  }
}

void upload_session::arm_timer() {
  if (done_ || !machine_) return;
  const time_point due = machine_->next_deadline();
  if (due == time_point::max()) return;
  if (timer_pending_ && timer_due_ <= due) return;
  timer_pending_ = true;
  timer_due_ = due;
  const std::uint64_t generation = ++timer_generation_;
  timer_.expires_at(due);
  timer_.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
    self->on_timer(ec, generation);
  });
}

void upload_session::on_timer(const boost::system::error_code& ec, std::uint64_t generation) {
  if (generation != timer_generation_) return;
  timer_pending_ = false;
  if (ec || done_ || !machine_) return;
  // Read what already arrived before deciding that DATA is missing (see session::on_timer).
  drain();
  const auto now = transfer_clock::now();
  if (!machine_->finished() && now >= machine_->next_deadline()) {
    transmit(machine_->on_timer(now));
  }
  if (machine_->finished()) {
    finish();
    return;
  }
  arm_timer();
}

void upload_session::report() {
  if (reported_) return;
  reported_ = true;
  const auto duration = transfer_clock::now() - started_at_;
  info_.size = machine_->bytes_received();
  if (machine_->status() == transfer_status::completed) {
    core_->stats.completed.fetch_add(1, std::memory_order_relaxed);
    core_->log->debug("upload {} {} stored, {} bytes", info_.id, info_.path, info_.size);
    notify(*core_, "on_completed",
           [&] { core_->observer.on_completed(info_, completion::confirmed, duration); });
  } else {
    core_->stats.failed.fetch_add(1, std::memory_order_relaxed);
    notify(*core_, "on_failed", [&] {
      core_->observer.on_failed(info_, machine_->bytes_received(), machine_->failure());
    });
  }
}

void upload_session::finish() {
  if (done_) return;
  done_ = true;
  // The file was committed when its last block came; the dally only kept the port open.
  report();
  target_.reset();
  timer_.cancel();
  if (fd_.valid()) core_->manager->remove(fd_.get());
  fd_.reset();
  core_->session_finished(shared_from_this());
}

}  // namespace provstation::tftpd::detail
