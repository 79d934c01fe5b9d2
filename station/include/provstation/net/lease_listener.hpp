// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/kea/lease_event.hpp>
#include <provstation/result.hpp>
#include <provstation/tracker.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace provstation {

/// @brief Receives the hook's lease events on a Unix datagram socket and reconciles from Kea's
/// lease file when events may have been lost.
///
/// The socket is created with mode 0660 and, when the group exists, group `allowed_user`'s group
/// (so `kea-dhcp4` running as `_kea` can send after the station dropped root). Each datagram's
/// sender credentials (SO_PASSCRED) are checked: only root, the station's own user and
/// `allowed_user` are believed. A new `boot_id` or a gap in `seq` means events were lost (Kea
/// restarted, the queue overflowed): the station then re-reads Kea's lease file. It does so at
/// start too, so a restart of either side loses no IP↔MAC mapping.
///
/// When the tracker's queue is full the listener stops reading (back-pressure: the hook's own
/// queue absorbs the burst) and resumes within 20 ms of the tracker taking the event; a
/// reconciliation the full queue cut short is completed by another pass a second later.
class lease_listener {
 public:
  /// @brief Where the events arrive and whom to believe.
  struct options {
    std::string socket_path;
    std::string lease_file;  ///< Kea's memfile CSV; empty disables reconciliation.
    std::string allowed_user = "_kea";
  };

  /// @brief Binds the socket (replacing a stale one), mode 0660, group `allowed_user`.
  static result<std::unique_ptr<lease_listener>> create(boost::asio::any_io_executor ex,
                                                        options opts, tracker& t);
  /// @brief Closes and removes the socket.
  ~lease_listener();
  /// @brief Reconciles from the lease file, then reads events (call after dropping root and
  /// after the tracker started).
  void start();
  /// @brief Stops reading (posted to the listener's strand).
  void stop();

  /// @brief Reads Kea's lease file and submits what differs from the read model.
  void reconcile(const char* why);

  /// @brief Events accepted (parsed, from an allowed sender).
  std::uint64_t received() const { return received_; }
  /// @brief Datagrams refused (wrong sender, too long) and events refused (malformed).
  std::uint64_t refused() const { return refused_; }
  /// @brief Sequence gaps and hook restarts (new boot_id) seen; each reconciles.
  std::uint64_t gaps() const { return gaps_; }
  /// @brief Passes over Kea's lease file.
  std::uint64_t reconciliations() const { return reconciliations_; }
  /// @brief Events whose seq was not above the last one of the same boot_id (never expected).
  std::uint64_t duplicates() const { return duplicates_; }
  /// @brief Times reading paused because the tracker's queue was full.
  std::uint64_t paused() const { return paused_; }

 private:
  lease_listener(boost::asio::posix::stream_descriptor fd, options opts, tracker& t);
  void do_wait();
  /// @brief Drains the socket; false when it paused for back-pressure (do not wait again).
  bool on_readable();
  /// @brief Hands the held-back event to the tracker; false while its queue is still full.
  bool submit_pending();
  /// @brief Takes the events of the current datagram not taken yet (a datagram carries one or
  /// more, one per line); false when the tracker's full queue held one back.
  bool take_rest();
  /// @brief Parses one event, checks its seq and boot_id (reconciling on a gap) and sets it as
  /// pending_; a malformed event is counted and logged.
  void take_event(std::string_view line);
  /// @brief Arms the retry timer (20 ms with an event held back, else 1 s for a reconciliation).
  void arm_retry();

  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer retry_;
  options opts_;
  tracker& tracker_;
  std::set<uid_t> allowed_uids_;
  std::string boot_id_;
  std::uint64_t last_seq_ = 0;
  std::array<char, kea::max_datagram_bytes + 1> buffer_{};
  std::size_t rest_end_ = 0;  ///< Bytes of buffer_ whose events are still being taken (0: none).
  std::size_t rest_at_ = 0;   ///< Where in buffer_ the next of them starts.
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> gaps_{0};
  std::atomic<std::uint64_t> reconciliations_{0};
  std::atomic<std::uint64_t> duplicates_{0};
  std::atomic<std::uint64_t> paused_{0};
  tracker::operation pending_;      ///< An event the tracker's full queue did not take yet.
  bool reconcile_pending_ = false;  ///< A reconciliation left changes for a later pass.
  bool retry_armed_ = false;
  bool stopped_ = false;
};

}  // namespace provstation
