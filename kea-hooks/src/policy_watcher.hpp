// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace provstation::kea {

/// @brief Keeps the station's policy file loaded, off the packet path.
///
/// How this works: a thread stat()s the file every interval. When the file appeared,
/// disappeared or changed (inode, size, modification time), it reads and parses it, and swaps
/// the result in under a mutex held for a pointer copy; packet threads only copy that pointer. A
/// missing, unreadable or invalid file yields the fallback policy (the hook's "policy-missing"
/// parameter), so a station that has not written its file yet, or a garbage file, never stops
/// Kea. Every change of state is reported once through the notice callback.
class policy_watcher {
 public:
  /// @brief The state of the file after a check.
  enum class state { loaded, missing, unreadable, invalid };

  /// @brief A change of state, for the owner to log.
  struct notice {
    state what = state::missing;
    std::string detail;                     ///< The parse or system error, if any.
    std::shared_ptr<const policy> current;  ///< The policy now in force.
  };

  /// @brief Receives notices (from start() and from the watcher thread). Must not throw.
  using notice_handler = std::function<void(const notice&)>;

  policy_watcher(std::string path, policy fallback, std::chrono::milliseconds interval,
                 notice_handler on_notice);
  ~policy_watcher();
  policy_watcher(const policy_watcher&) = delete;
  policy_watcher& operator=(const policy_watcher&) = delete;

  /// @brief Reads the file once (so the first packet sees it) and starts the thread.
  /// @throw std::system_error when the thread cannot be created.
  void start();

  /// @brief Stops and joins the thread. Idempotent.
  void stop();

  /// @brief Checks the file now and swaps in a new policy if it changed. Safe from any thread
  /// (checks are serialised).
  /// @return True when the file changed since the last check.
  bool check();

  /// @brief The policy in force; safe from any thread. Costs one uncontended mutex and a
  /// reference count increment.
  std::shared_ptr<const policy> current() const {
    std::lock_guard lock(current_mutex_);
    return current_;
  }

 private:
  struct file_stamp {
    bool exists = false;
    unsigned long long dev = 0, ino = 0, size = 0;
    long long mtime_ns = 0, ctime_ns = 0;
    bool operator==(const file_stamp&) const = default;
  };

  void run();
  void publish(state s, std::string detail, std::shared_ptr<const policy> p);

  std::string path_;
  std::shared_ptr<const policy> fallback_;
  std::chrono::milliseconds interval_;
  notice_handler on_notice_;
  // A mutex rather than std::atomic<std::shared_ptr>: GCC 12's implementation of the latter is
  // not understood by ThreadSanitizer, and the critical section is a pointer copy.
  mutable std::mutex current_mutex_;
  std::shared_ptr<const policy> current_;  // Guarded by current_mutex_.

  // Guarded by check_mutex_.
  std::mutex check_mutex_;
  bool checked_once_ = false;
  bool reported_once_ = false;
  file_stamp stamp_;
  state state_ = state::missing;
  std::string detail_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // Guarded by mutex_.
  std::thread thread_;
};

}  // namespace provstation::kea
