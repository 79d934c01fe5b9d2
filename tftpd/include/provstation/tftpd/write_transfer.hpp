// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/tftpd/transfer.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace provstation::tftpd {

/// @brief Settings of one write (WRQ) transfer, from negotiation.
struct write_config {
  std::uint16_t blksize = default_blksize;  ///< Negotiated block size.
  std::uint16_t windowsize = 1;             ///< Negotiated window (RFC 7440).
  bool oack = false;                        ///< An OACK opens the transfer (DATA 1 expected).
  rollover_mode rollover = rollover_mode::to_zero;  ///< Block number wrap.
  retransmit_policy retransmit;             ///< Timer settings for our ACKs.
  std::chrono::nanoseconds deadline = std::chrono::seconds(600);  ///< Whole-transfer limit.
  std::chrono::nanoseconds dally = std::chrono::seconds(1);  ///< Wait after the final ACK.
  std::uint64_t max_bytes = 0;              ///< Larger uploads fail with "disk full" (0 = none).
};

/// @brief What the I/O layer must do after an event of a write transfer.
struct receive_batch {
  bool oack = false;                    ///< Send the OACK.
  std::optional<std::uint16_t> ack;     ///< Send an ACK of this wire block.
  bool accept = false;                  ///< Store the DATA payload just given (next in order).
  bool last = false;                    ///< That payload was the final block: commit the file.
  std::optional<error_code> error;      ///< Send this ERROR.
  std::string_view error_message;       ///< Its message (static text).
};

/// @brief The receiving side of one WRQ as a pure state machine (the mirror of read_transfer).
///
/// Blocks are accepted only in order. The receiver acknowledges every `windowsize` blocks and
/// the final one; on a gap or a duplicate it acknowledges the last in-order block once
/// (RFC 7440 §4), and the timer resends the last ACK when DATA stops coming. After the final
/// ACK it dallies, re-acknowledging a repeated final block (RFC 1350).
class write_transfer {
 public:
  /// @brief Sets up a transfer; nothing is sent before start().
  explicit write_transfer(const write_config& config);

  /// @brief Begins at `now`: the OACK, or ACK 0.
  receive_batch start(time_point now);
  /// @brief A DATA with wire block `block` carrying `payload_bytes` bytes.
  receive_batch on_data(std::uint16_t block, std::size_t payload_bytes, time_point now);
  /// @brief An ERROR from the client: the transfer fails.
  void on_error(std::uint16_t code, std::string_view message);
  /// @brief The same request again: the first answer is resent while no DATA has come.
  receive_batch on_duplicate_request(time_point now);
  /// @brief Call when `now >= next_deadline()`.
  receive_batch on_timer(time_point now);
  /// @brief Ends the transfer as failed (shutdown, write error), even after its final block
  /// (the file could not be committed).
  void abort(std::string reason);

  /// @brief When on_timer() must next be called (time_point::max() once finished).
  time_point next_deadline() const;
  /// @brief Current status; `completed` as soon as the final block is in.
  transfer_status status() const { return status_; }
  /// @brief True once the transfer is over and the dally has passed.
  bool finished() const { return status_ != transfer_status::active && !dallying_; }
  /// @brief Why it failed (empty otherwise).
  const std::string& failure() const { return failure_; }
  /// @brief Bytes accepted so far.
  std::uint64_t bytes_received() const { return bytes_; }
  /// @brief The settings.
  const write_config& config() const { return config_; }

 private:
  std::uint16_t wire_block(std::uint64_t n) const;
  receive_batch ack_now(time_point now);
  void finish(transfer_status status, std::string reason = {});

  write_config config_;
  rto_estimator rto_;
  transfer_status status_ = transfer_status::active;
  std::string failure_;
  bool started_ = false;
  bool dallying_ = false;
  bool got_data_ = false;
  bool reacked_since_progress_ = false;
  std::uint64_t received_ = 0;       // Highest block accepted in order.
  std::uint64_t acked_ = 0;          // Highest block acknowledged.
  std::uint64_t bytes_ = 0;
  time_point ack_sent_at_{};
  time_point last_progress_{};
  bool ack_retransmitted_ = false;
  int retries_ = 0;
  time_point retransmit_at_ = time_point::max();
  time_point deadline_at_ = time_point::max();
  time_point dally_until_ = time_point::max();
};

}  // namespace provstation::tftpd
