// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/kea/lease_event.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace provstation::kea {

/// @brief Sends lease events to the station's Unix datagram socket from its own thread.
///
/// How this works: Kea's threads call submit(), which numbers the event (seq 1, 2, 3 …, also
/// for events it has to drop, so the station sees every loss as a gap) and appends it to a
/// bounded queue under a mutex held for a few instructions. The sender thread takes the whole
/// queue at once, encodes each event (wire format v1), packs them into as few datagrams as fit
/// (one per batch, usually: a datagram per event cost a kernel buffer and a station wake-up each,
/// and stalled on the station's 10-datagram queue) and sends them with sendmmsg() on a socket
/// connected to the station; when the station's queue is full, it pauses retry_delay. It
/// lets events gather for batch_delay before each batch, and Kea's threads wake it (a system call
/// and two context switches) only for the first event after a quiet round or when the queue is a
/// quarter full, so under load the sender costs one wake-up per batch and Kea's threads none. A
/// slow station therefore slows only this thread; when the queue is full, submit() drops the event
/// and counts it. A missing station (no socket file, nobody bound) makes connect() fail at once,
/// and the batch is dropped and counted. Drops are reported through the notice callback at most
/// once per report interval.
class event_sender {
 public:
  /// @brief Tuning of the sender.
  struct settings {
    std::string socket_path;                           ///< The station's socket (absolute).
    std::string boot_id;                               ///< Put into every event.
    std::size_t queue_capacity = 65536;                ///< Events waiting, at most.
    std::chrono::milliseconds report_interval{10000};  ///< At most one drop report per interval.
    std::chrono::microseconds retry_delay{200};        ///< Pause when the station's queue is full.
    std::chrono::milliseconds flush_timeout{1000};     ///< stop() gives the queue this long.
    std::chrono::microseconds batch_delay{50000};      ///< Events gather this long per batch.
  };

  /// @brief Event counts since start().
  struct counters {
    std::uint64_t submitted = 0;            ///< Calls to submit() (= the last seq).
    std::uint64_t sent = 0;                 ///< Events in datagrams the kernel accepted.
    std::uint64_t dropped_queue_full = 0;   ///< Dropped because the queue was full.
    std::uint64_t dropped_unreachable = 0;  ///< Dropped because sending failed.
    std::uint64_t dropped_shutdown = 0;     ///< Still queued when stop() gave up.
    /// @brief All drops.
    std::uint64_t dropped() const {
      return dropped_queue_full + dropped_unreachable + dropped_shutdown;
    }
  };

  /// @brief What the sender tells its owner (who logs it).
  struct notice {
    enum class kind {
      dropped,    ///< Events were dropped since the last report (rate-limited).
      reachable,  ///< The station accepts events again after drops were reported.
    };
    kind what = kind::dropped;
    std::uint64_t queue_full = 0;     ///< Drops for a full queue since the last report.
    std::uint64_t unreachable = 0;    ///< Drops for a failed send since the last report.
    std::uint64_t total_dropped = 0;  ///< All drops since start().
    std::string last_error;           ///< The last sendto() error, if any.
    std::chrono::seconds period{0};   ///< The time the report covers (since start() at first).
  };

  /// @brief Receives notices, on the sender thread. Must not throw.
  using notice_handler = std::function<void(const notice&)>;

  event_sender(settings s, notice_handler on_notice);
  ~event_sender();
  event_sender(const event_sender&) = delete;
  event_sender& operator=(const event_sender&) = delete;

  /// @brief Opens the socket and starts the thread.
  /// @throw std::system_error when the socket or thread cannot be created.
  void start();

  /// @brief Sends what is queued (for at most the flush timeout), then joins the thread.
  /// Idempotent.
  void stop();

  /// @brief Numbers the event and queues it. Never waits for I/O; safe from any thread.
  /// @return The event's seq.
  std::uint64_t submit(lease_event event);

  /// @brief A snapshot of the counters.
  counters stats() const;

 private:
  // Datagrams per sendmmsg() call.
  static constexpr std::size_t max_batch = 64;

  // Queue length at which producers wake the sender before batch_delay is over.
  std::size_t high_water() const { return std::max<std::size_t>(1, settings_.queue_capacity / 4); }

  void run();
  void pack(std::vector<lease_event>& batch);
  void send_batch(std::vector<lease_event>& batch);
  bool connect_socket();
  void count_shutdown_drops(std::size_t n);
  bool past_flush_deadline();
  void report(bool force);

  settings settings_;
  notice_handler on_notice_;
  int fd_ = -1;
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<lease_event> queue_;        // Guarded by mutex_.
  std::uint64_t seq_ = 0;                 // Guarded by mutex_.
  bool stopping_ = false;                 // Guarded by mutex_.
  bool running_ = false;                  // Guarded by mutex_.
  bool sender_waiting_ = false;           // Guarded by mutex_.
  std::uint64_t dropped_queue_full_ = 0;  // Guarded by mutex_.
  std::uint64_t dropped_shutdown_ = 0;    // Guarded by mutex_.
  std::size_t in_flight_ = 0;             // Guarded by mutex_: taken by the thread, not sent.

  // Touched by the sender thread only (read by stats() through the atomics).
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> dropped_unreachable_{0};
  std::chrono::steady_clock::time_point flush_deadline_{};
  bool flushing_ = false;
  std::string last_error_;
  std::uint64_t reported_queue_full_ = 0;
  std::uint64_t reported_unreachable_ = 0;
  bool outage_reported_ = false;
  bool reported_once_ = false;
  std::chrono::steady_clock::time_point last_report_{};
  bool connected_ = false;
  // One datagram being built: its text (events, each ended by a newline) and how many events.
  struct datagram {
    std::string text;
    std::size_t events = 0;
  };
  std::vector<datagram> datagrams_;  // Reused between batches (they keep their buffers).
  std::size_t datagram_count_ = 0;   // How many of datagrams_ this batch fills.
};

}  // namespace provstation::kea
