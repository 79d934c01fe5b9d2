// SPDX-License-Identifier: Apache-2.0
#include "provstation_hook_log.hpp"

#include <atomic>
#include <chrono>

namespace provstation::kea {

isc::log::Logger hook_logger("provstation-hooks");

bool error_log_allowed() {
  static std::atomic<std::int64_t> last_second{-1};
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t seen = last_second.load(std::memory_order_relaxed);
  return seen != now && last_second.compare_exchange_strong(seen, now);
}

}  // namespace provstation::kea
