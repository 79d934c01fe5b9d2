// SPDX-License-Identifier: Apache-2.0
#pragma once

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
class lease_listener {
 public:
  struct options {
    std::string socket_path;
    std::string lease_file;      ///< Kea's memfile CSV; empty disables reconciliation.
    std::string allowed_user = "_kea";
  };

  static result<std::unique_ptr<lease_listener>> create(boost::asio::any_io_executor ex,
                                                        options opts, tracker& t);
  ~lease_listener();
  void start();
  void stop();

  /// @brief Reads Kea's lease file and submits what differs from the read model.
  void reconcile(const char* why);

  std::uint64_t received() const { return received_; }
  std::uint64_t refused() const { return refused_; }
  std::uint64_t gaps() const { return gaps_; }
  std::uint64_t reconciliations() const { return reconciliations_; }

 private:
  lease_listener(boost::asio::posix::stream_descriptor fd, options opts, tracker& t);
  void do_wait();
  void on_readable();

  boost::asio::posix::stream_descriptor fd_;
  options opts_;
  tracker& tracker_;
  std::set<uid_t> allowed_uids_;
  std::string boot_id_;
  std::uint64_t last_seq_ = 0;
  std::array<char, 8192> buffer_{};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> gaps_{0};
  std::atomic<std::uint64_t> reconciliations_{0};
};

}  // namespace provstation
