// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/tftpd/file_source.hpp>
#include <provstation/tftpd/negotiation.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace provstation::tftpd {

/// @brief The clock every transfer runs on; tests pass their own time points.
using transfer_clock = std::chrono::steady_clock;
/// @brief A point on transfer_clock.
using time_point = transfer_clock::time_point;

/// @brief Retransmission timer settings (RFC 1123 §4.2.3.2 adaptive timeout).
///
/// Before the first round-trip sample the timer is `initial`; afterwards it is
/// srtt + 4·rttvar (RFC 6298) kept within [min, max], doubled on each consecutive timeout and
/// reset on progress. With `fixed` set (a client `timeout` that was accepted) the timer is
/// exactly that value, as RFC 2349 requires.
struct retransmit_policy {
  std::chrono::milliseconds initial{200};  ///< Before any RTT sample.
  std::chrono::milliseconds min{20};       ///< Floor of the adaptive timer.
  std::chrono::milliseconds max{10000};    ///< Ceiling, also for back-off.
  std::optional<std::chrono::seconds> fixed;  ///< Honoured client `timeout`.
  int max_retries = 8;                     ///< Consecutive timeouts before giving up...
  /// ...and at least this long without progress (mid-file only: a missing final ACK ends as
  /// "completed, unconfirmed" after the retries alone). Clients with long timers of their own
  /// (atftp re-ACKs after 10 s) need it.
  std::chrono::milliseconds min_retry_time{30000};
};

/// @brief RFC 6298 round-trip estimator with exponential back-off.
class rto_estimator {
 public:
  /// @brief Starts with no sample.
  explicit rto_estimator(const retransmit_policy& policy);
  /// @brief Feeds one round-trip measurement (never from a retransmitted packet: Karn).
  void sample(std::chrono::nanoseconds rtt);
  /// @brief Doubles the timer after a timeout.
  void back_off();
  /// @brief Clears the back-off after progress.
  void reset_back_off() { back_off_ = 0; }
  /// @brief The current retransmission timeout.
  std::chrono::nanoseconds rto() const;
  /// @brief Smoothed RTT (zero before the first sample).
  std::chrono::nanoseconds srtt() const { return srtt_; }

 private:
  retransmit_policy policy_;
  std::chrono::nanoseconds srtt_{0};
  std::chrono::nanoseconds rttvar_{0};
  bool has_sample_ = false;
  int back_off_ = 0;
};

/// @brief How a transfer stands.
enum class transfer_status { active, completed, completed_unconfirmed, failed };

/// @brief What the I/O layer must send after an event.
struct send_batch {
  bool oack = false;            ///< Send the OACK (before any block).
  std::uint64_t first = 0;      ///< First absolute block number (1-based) to send.
  std::uint32_t count = 0;      ///< Number of consecutive blocks from `first`.
  bool retransmission = false;  ///< This batch repeats packets already sent.
  std::optional<error_code> error;  ///< Send this ERROR (after the blocks, if any).
  std::string_view error_message;   ///< Its message (static text).
  /// @brief True when there is nothing to send.
  bool empty() const { return !oack && count == 0 && !error; }
};

/// @brief Settings of one read (RRQ) transfer, from negotiation.
struct read_config {
  std::uint64_t size = 0;                   ///< File size in bytes (after netascii translation).
  std::uint16_t blksize = default_blksize;  ///< Negotiated block size.
  std::uint16_t windowsize = 1;             ///< Negotiated window (RFC 7440); 1 = lock-step.
  bool oack = false;                        ///< An OACK opens the transfer (ACK 0 expected).
  rollover_mode rollover = rollover_mode::to_zero;  ///< Block number wrap.
  retransmit_policy retransmit;             ///< Timer settings.
  std::chrono::nanoseconds deadline = std::chrono::seconds(600);  ///< Whole-transfer limit.
};

/// @brief The sending side of one RRQ as a pure state machine: no sockets, no clock of its own.
///
/// The I/O layer feeds it events (start, ACK, ERROR, timer, duplicate request) with the current
/// time and sends what each event returns. Blocks are numbered absolutely from 1 (64-bit) and
/// mapped to the 16-bit wire number with rollover. Windows follow RFC 7440: a whole window is
/// sent, then the ACK of its last block is awaited; an ACK inside the window restarts the window
/// after it; a timeout resends the window from the last ACK. A duplicate ACK never causes a
/// retransmission (RFC 1123 Sorcerer's Apprentice rule): only the timer does.
class read_transfer {
 public:
  /// @brief Sets up a transfer; nothing is sent before start().
  explicit read_transfer(const read_config& config);

  /// @brief Begins at `now`: the OACK, or the first window.
  send_batch start(time_point now);
  /// @brief An ACK carrying wire block number `block`.
  send_batch on_ack(std::uint16_t block, time_point now);
  /// @brief An ERROR from the client: the transfer fails.
  void on_error(std::uint16_t code, std::string_view message);
  /// @brief The same request arrived again from the same client port: while the first
  /// packet is unanswered it is resent once, otherwise nothing happens.
  send_batch on_duplicate_request(time_point now);
  /// @brief Call when `now >= next_deadline()`; handles retransmission and both deadlines.
  send_batch on_timer(time_point now);
  /// @brief Ends the transfer as failed with `reason` (shutdown, socket error).
  void abort(std::string reason);

  /// @brief When on_timer() must next be called (time_point::max() once finished).
  time_point next_deadline() const;
  /// @brief Current status.
  transfer_status status() const { return status_; }
  /// @brief True once the transfer is over, whatever the outcome.
  bool finished() const { return status_ != transfer_status::active; }
  /// @brief Why it failed (empty otherwise).
  const std::string& failure() const { return failure_; }

  /// @brief Bytes the client has acknowledged.
  std::uint64_t bytes_acked() const;
  /// @brief Number of DATA blocks in the file (a final short or empty block included).
  std::uint64_t total_blocks() const { return total_blocks_; }
  /// @brief The 16-bit wire number of absolute block `n`.
  std::uint16_t wire_block(std::uint64_t n) const;
  /// @brief Offset in the file of absolute block `n` (1-based).
  std::uint64_t block_offset(std::uint64_t n) const { return (n - 1) * config_.blksize; }
  /// @brief Payload length of absolute block `n`.
  std::size_t block_length(std::uint64_t n) const;
  /// @brief The settings.
  const read_config& config() const { return config_; }
  /// @brief The current retransmission timeout.
  std::chrono::nanoseconds rto() const { return rto_.rto(); }
  /// @brief Blocks (and OACKs) sent again after a timeout.
  std::uint64_t retransmitted() const { return retransmitted_; }
  /// @brief ACKs ignored because they repeated the last one (SAS protection at work).
  std::uint64_t duplicate_acks() const { return duplicate_acks_; }

 private:
  std::optional<std::uint64_t> absolute_ack(std::uint16_t block) const;
  send_batch send_window(time_point now, bool retransmission);
  void finish(transfer_status status, std::string reason = {});

  read_config config_;
  rto_estimator rto_;
  transfer_status status_ = transfer_status::active;
  std::string failure_;
  std::uint64_t total_blocks_ = 0;
  bool started_ = false;
  bool awaiting_oack_ack_ = false;
  bool first_answered_ = false;
  std::uint64_t acked_ = 0;          // Highest block acknowledged (0 = none / OACK).
  std::uint64_t highest_sent_ = 0;   // Highest block sent so far.
  std::uint64_t window_end_ = 0;     // Last block of the outstanding window.
  time_point window_sent_at_{};      // When the outstanding window (or OACK) was first sent.
  time_point last_progress_{};       // When the transfer last moved forward.
  bool window_retransmitted_ = false;
  int retries_ = 0;
  time_point retransmit_at_ = time_point::max();
  time_point deadline_at_ = time_point::max();
  std::uint64_t retransmitted_ = 0;
  std::uint64_t duplicate_acks_ = 0;
};

}  // namespace provstation::tftpd
