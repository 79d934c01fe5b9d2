// SPDX-License-Identifier: Apache-2.0
#include <provstation/tftpd/transfer.hpp>

#include <algorithm>

namespace provstation::tftpd {

namespace {

using std::chrono::nanoseconds;

constexpr std::uint64_t wire_modulus = 65536;
constexpr std::uint64_t wire_modulus_to_one = 65535;
constexpr std::string_view deadline_message = "transfer deadline exceeded";

nanoseconds abs_diff(nanoseconds a, nanoseconds b) { return a > b ? a - b : b - a; }

}  // namespace

rto_estimator::rto_estimator(const retransmit_policy& policy) : policy_(policy) {}

void rto_estimator::sample(nanoseconds rtt) {
  if (rtt < nanoseconds::zero()) rtt = nanoseconds::zero();
  if (!has_sample_) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    has_sample_ = true;
  } else {
    rttvar_ = (3 * rttvar_ + abs_diff(srtt_, rtt)) / 4;
    srtt_ = (7 * srtt_ + rtt) / 8;
  }
}

void rto_estimator::back_off() {
  // Past 2^16 the ceiling has long been reached; stop counting to avoid overflow.
  if (back_off_ < 16) ++back_off_;
}

nanoseconds rto_estimator::rto() const {
  if (policy_.fixed) return *policy_.fixed;
  const nanoseconds floor = policy_.min;
  const nanoseconds ceiling = std::max<nanoseconds>(policy_.max, floor);
  nanoseconds base = has_sample_ ? srtt_ + 4 * rttvar_ : nanoseconds(policy_.initial);
  base = std::clamp(base, floor, ceiling);
  for (int i = 0; i < back_off_ && base < ceiling; ++i) base *= 2;
  return std::min(base, ceiling);
}

read_transfer::read_transfer(const read_config& config)
    : config_(config), rto_(config.retransmit) {
  if (config_.blksize == 0) config_.blksize = default_blksize;
  if (config_.windowsize == 0) config_.windowsize = 1;
  total_blocks_ = config_.size / config_.blksize + 1;
}

std::size_t read_transfer::block_length(std::uint64_t n) const {
  const std::uint64_t offset = block_offset(n);
  if (offset >= config_.size) return 0;
  return static_cast<std::size_t>(std::min<std::uint64_t>(config_.blksize, config_.size - offset));
}

std::uint16_t read_transfer::wire_block(std::uint64_t n) const {
  if (n == 0) return 0;
  if (config_.rollover == rollover_mode::to_zero) return static_cast<std::uint16_t>(n % wire_modulus);
  return static_cast<std::uint16_t>((n - 1) % wire_modulus_to_one + 1);
}

std::optional<std::uint64_t> read_transfer::absolute_ack(std::uint16_t block) const {
  std::uint64_t n = 0;
  if (config_.rollover == rollover_mode::to_zero) {
    const std::uint64_t delta = (block + wire_modulus - wire_block(acked_)) % wire_modulus;
    n = acked_ + delta;
  } else {
    if (block == 0) {
      if (acked_ != 0) return std::nullopt;
      n = 0;
    } else {
      const std::uint64_t base = std::max<std::uint64_t>(acked_, 1);
      const std::uint64_t delta =
          (block + wire_modulus_to_one - wire_block(base)) % wire_modulus_to_one;
      n = base + delta;
    }
  }
  if (n > highest_sent_) return std::nullopt;
  return n;
}

std::uint64_t read_transfer::bytes_acked() const {
  return std::min<std::uint64_t>(config_.size, acked_ * config_.blksize);
}

time_point read_transfer::next_deadline() const {
  if (finished()) return time_point::max();
  return std::min(retransmit_at_, deadline_at_);
}

void read_transfer::finish(transfer_status status, std::string reason) {
  status_ = status;
  failure_ = std::move(reason);
  retransmit_at_ = time_point::max();
}

send_batch read_transfer::send_window(time_point now, bool retransmission) {
  send_batch batch;
  batch.first = acked_ + 1;
  const std::uint64_t remaining = total_blocks_ - acked_;
  batch.count = static_cast<std::uint32_t>(std::min<std::uint64_t>(config_.windowsize, remaining));
  batch.retransmission = retransmission;
  window_end_ = acked_ + batch.count;
  // Karn's rule: a window that repeats a block already sent gives no RTT sample.
  window_retransmitted_ = retransmission || window_end_ <= highest_sent_;
  if (highest_sent_ > acked_) retransmitted_ += std::min(window_end_, highest_sent_) - acked_;
  highest_sent_ = std::max(highest_sent_, window_end_);
  window_sent_at_ = now;
  retransmit_at_ = now + rto_.rto();
  return batch;
}

send_batch read_transfer::start(time_point now) {
  if (started_ || finished()) return {};
  started_ = true;
  deadline_at_ = now + config_.deadline;
  last_progress_ = now;
  if (config_.oack) {
    awaiting_oack_ack_ = true;
    window_sent_at_ = now;
    window_retransmitted_ = false;
    retransmit_at_ = now + rto_.rto();
    send_batch batch;
    batch.oack = true;
    return batch;
  }
  return send_window(now, false);
}

send_batch read_transfer::on_ack(std::uint16_t block, time_point now) {
  if (!started_ || finished()) return {};
  if (awaiting_oack_ack_) {
    if (block != 0) return {};
    awaiting_oack_ack_ = false;
    first_answered_ = true;
    if (!window_retransmitted_) rto_.sample(now - window_sent_at_);
    retries_ = 0;
    last_progress_ = now;
    rto_.reset_back_off();
    return send_window(now, false);
  }
  const auto n = absolute_ack(block);
  if (!n) return {};
  if (*n == acked_) {
    ++duplicate_acks_;
    return {};
  }
  if (*n < acked_) return {};
  first_answered_ = true;
  if (*n == window_end_ && !window_retransmitted_) rto_.sample(now - window_sent_at_);
  acked_ = *n;
  retries_ = 0;
  last_progress_ = now;
  rto_.reset_back_off();
  if (acked_ >= total_blocks_) {
    finish(transfer_status::completed);
    return {};
  }
  // Either the window's last block (next window) or a block inside it: the client saw a gap,
  // so the window restarts right after what it has (RFC 7440 §4).
  return send_window(now, false);
}

void read_transfer::on_error(std::uint16_t code, std::string_view message) {
  if (finished()) return;
  finish(transfer_status::failed,
         "client error " + std::to_string(code) + (message.empty() ? "" : ": ") +
             std::string(message));
}

send_batch read_transfer::on_duplicate_request(time_point now) {
  if (!started_ || finished() || first_answered_) return {};
  window_retransmitted_ = true;
  retransmit_at_ = now + rto_.rto();
  send_batch batch;
  batch.retransmission = true;
  if (awaiting_oack_ack_) {
    batch.oack = true;
  } else {
    batch.first = 1;
    batch.count = static_cast<std::uint32_t>(window_end_);
  }
  ++retransmitted_;
  return batch;
}

send_batch read_transfer::on_timer(time_point now) {
  if (!started_ || finished()) return {};
  if (now >= deadline_at_) {
    finish(transfer_status::failed, std::string(deadline_message));
    send_batch batch;
    batch.error = error_code::not_defined;
    batch.error_message = deadline_message;
    return batch;
  }
  if (now < retransmit_at_) return {};
  if (retries_ >= config_.retransmit.max_retries) {
    const bool final_window = !awaiting_oack_ack_ && window_end_ >= total_blocks_;
    if (final_window) {
      finish(transfer_status::completed_unconfirmed);
      return {};
    }
    if (now - last_progress_ >= config_.retransmit.min_retry_time) {
      finish(transfer_status::failed, "timeout waiting for ACK of block " +
                                          std::to_string(awaiting_oack_ack_ ? 0 : window_end_));
      return {};
    }
  }
  ++retries_;
  rto_.back_off();
  if (awaiting_oack_ack_) {
    window_retransmitted_ = true;
    window_sent_at_ = now;
    retransmit_at_ = now + rto_.rto();
    ++retransmitted_;
    send_batch batch;
    batch.oack = true;
    batch.retransmission = true;
    return batch;
  }
  return send_window(now, true);
}

void read_transfer::abort(std::string reason) {
  if (finished()) return;
  finish(transfer_status::failed, std::move(reason));
}

}  // namespace provstation::tftpd
