// SPDX-License-Identifier: Apache-2.0
#include <provstation/tftpd/write_transfer.hpp>

#include <algorithm>

namespace provstation::tftpd {

namespace {

constexpr std::uint64_t wire_modulus = 65536;
constexpr std::uint64_t wire_modulus_to_one = 65535;
constexpr std::string_view deadline_message = "transfer deadline exceeded";

}  // namespace

write_transfer::write_transfer(const write_config& config)
    : config_(config), rto_(config.retransmit) {
  if (config_.blksize == 0) config_.blksize = default_blksize;
  if (config_.windowsize == 0) config_.windowsize = 1;
}

std::uint16_t write_transfer::wire_block(std::uint64_t n) const {
  if (n == 0) return 0;
  if (config_.rollover == rollover_mode::to_zero) return static_cast<std::uint16_t>(n % wire_modulus);
  return static_cast<std::uint16_t>((n - 1) % wire_modulus_to_one + 1);
}

time_point write_transfer::next_deadline() const {
  if (finished()) return time_point::max();
  if (dallying_) return dally_until_;
  return std::min(retransmit_at_, deadline_at_);
}

void write_transfer::finish(transfer_status status, std::string reason) {
  status_ = status;
  failure_ = std::move(reason);
  retransmit_at_ = time_point::max();
}

receive_batch write_transfer::ack_now(time_point now) {
  receive_batch b;
  b.ack = wire_block(received_);
  acked_ = received_;
  ack_sent_at_ = now;
  ack_retransmitted_ = false;
  retransmit_at_ = now + rto_.rto();
  return b;
}

receive_batch write_transfer::start(time_point now) {
  if (started_ || finished()) return {};
  started_ = true;
  deadline_at_ = now + config_.deadline;
  last_progress_ = now;
  if (config_.oack) {
    receive_batch b;
    b.oack = true;
    ack_sent_at_ = now;
    retransmit_at_ = now + rto_.rto();
    return b;
  }
  return ack_now(now);
}

receive_batch write_transfer::on_data(std::uint16_t block, std::size_t payload_bytes,
                                      time_point now) {
  if (!started_ || finished()) return {};
  if (dallying_) {
    // The final ACK was lost: the client repeats its last block. Acknowledge it again.
    if (block == wire_block(received_)) {
      receive_batch b;
      b.ack = block;
      return b;
    }
    return {};
  }
  if (payload_bytes > config_.blksize) return {};
  const std::uint64_t expected = received_ + 1;
  const std::uint64_t modulus =
      config_.rollover == rollover_mode::to_zero ? wire_modulus : wire_modulus_to_one;
  if (config_.rollover == rollover_mode::to_one && block == 0) return {};
  const std::uint64_t norm_block = config_.rollover == rollover_mode::to_zero ? block : block - 1U;
  const std::uint64_t norm_expected =
      config_.rollover == rollover_mode::to_zero ? wire_block(expected) : wire_block(expected) - 1U;
  const std::uint64_t ahead = (norm_block + modulus - norm_expected) % modulus;

  if (ahead != 0) {
    // A gap (future block) or a repeat (past block): acknowledge what we have, once until
    // progress resumes, so the sender restarts its window there.
    if (reacked_since_progress_ && config_.windowsize > 1) return {};
    reacked_since_progress_ = true;
    return ack_now(now);
  }

  if (config_.max_bytes != 0 && bytes_ + payload_bytes > config_.max_bytes) {
    finish(transfer_status::failed, "upload exceeds the size limit");
    receive_batch b;
    b.error = error_code::disk_full;
    b.error_message = "disk full or allocation exceeded";
    return b;
  }
  if (!got_data_ || acked_ == received_) {
    // First block after our ACK: a round-trip sample unless that ACK was resent (Karn).
    if (!ack_retransmitted_) rto_.sample(now - ack_sent_at_);
  }
  got_data_ = true;
  received_ = expected;
  bytes_ += payload_bytes;
  retries_ = 0;
  last_progress_ = now;
  rto_.reset_back_off();
  reacked_since_progress_ = false;

  receive_batch b;
  b.accept = true;
  const bool last = payload_bytes < config_.blksize;
  if (last || received_ - acked_ >= config_.windowsize) {
    const auto ack = ack_now(now);
    b.ack = ack.ack;
  } else {
    retransmit_at_ = now + rto_.rto();
  }
  if (last) {
    b.last = true;
    finish(transfer_status::completed);
    dallying_ = true;
    dally_until_ = now + config_.dally;
  }
  return b;
}

void write_transfer::on_error(std::uint16_t code, std::string_view message) {
  if (status_ != transfer_status::active) return;
  finish(transfer_status::failed,
         "client error " + std::to_string(code) + (message.empty() ? "" : ": ") +
             std::string(message));
}

receive_batch write_transfer::on_duplicate_request(time_point now) {
  if (!started_ || finished() || got_data_) return {};
  receive_batch b;
  if (config_.oack) {
    b.oack = true;
  } else {
    b.ack = 0;
  }
  ack_retransmitted_ = true;
  retransmit_at_ = now + rto_.rto();
  return b;
}

receive_batch write_transfer::on_timer(time_point now) {
  if (!started_ || finished()) return {};
  if (dallying_) {
    if (now >= dally_until_) dallying_ = false;
    return {};
  }
  if (now >= deadline_at_) {
    finish(transfer_status::failed, std::string(deadline_message));
    receive_batch b;
    b.error = error_code::not_defined;
    b.error_message = deadline_message;
    return b;
  }
  if (now < retransmit_at_) return {};
  if (retries_ >= config_.retransmit.max_retries &&
      now - last_progress_ >= config_.retransmit.min_retry_time) {
    finish(transfer_status::failed,
           "timeout waiting for DATA block " + std::to_string(received_ + 1));
    return {};
  }
  ++retries_;
  rto_.back_off();
  receive_batch b;
  if (config_.oack && !got_data_) {
    b.oack = true;
  } else {
    b.ack = wire_block(received_);
    acked_ = received_;
  }
  ack_sent_at_ = now;
  ack_retransmitted_ = true;
  retransmit_at_ = now + rto_.rto();
  return b;
}

void write_transfer::abort(std::string reason) {
  // Also after the final block: the I/O layer aborts when it cannot commit the file.
  dallying_ = false;
  if (status_ == transfer_status::failed) return;
  finish(transfer_status::failed, std::move(reason));
}

}  // namespace provstation::tftpd
