// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the policy watcher thread on real files in a temp dir.
#include "policy_watcher.hpp"

#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include <sys/stat.h>

namespace provstation::kea {
namespace {

using namespace std::chrono_literals;

constexpr mac48 mac_a = 0x0023ab000001;

void replace(const std::string& path, const std::string& text) {
  {
    std::ofstream out(path + ".tmp");
    out << text;
  }
  std::filesystem::rename(path + ".tmp", path);
}

struct recorder {
  std::mutex m;
  std::vector<policy_watcher::state> states;
  std::vector<std::string> details;
  policy_watcher::notice_handler handler() {
    return [this](const policy_watcher::notice& n) {
      std::lock_guard lock(m);
      states.push_back(n.what);
      details.push_back(n.detail);
    };
  }
  std::vector<policy_watcher::state> snapshot() {
    std::lock_guard lock(m);
    return states;
  }
};

bool wait_for(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

// Verify that the file is read by start(), before any packet.
TEST(KeaPolicyWatcher, LoadsAtStart) {
  test::temp_dir dir;
  const std::string path = dir.write("policy", "provstation-policy 1\nmode scanned\n");
  recorder r;
  policy_watcher w(path, policy::allow_all(), 50ms, r.handler());
  w.start();
  EXPECT_EQ(w.current()->mode(), policy_mode::scanned);
  EXPECT_FALSE(w.current()->allows(mac_a));
  w.stop();
  EXPECT_EQ(r.snapshot(), std::vector{policy_watcher::state::loaded});
}

// Verify that a replaced file is picked up within a few intervals.
TEST(KeaPolicyWatcher, PicksUpReplacement) {
  test::temp_dir dir;
  const std::string path = dir.write("policy", "provstation-policy 1\nmode scanned\n");
  policy_watcher w(path, policy::allow_all(), 50ms, nullptr);
  w.start();
  replace(path, "provstation-policy 1\nmode scanned\nscanned 0023ab000001\n");
  EXPECT_TRUE(wait_for([&] { return w.current()->allows(mac_a); }, 1s));
  w.stop();
}

// Verify the fallback when the file is missing, then appears, then goes again.
TEST(KeaPolicyWatcher, MissingFileUsesFallback) {
  test::temp_dir dir;
  const std::string path = dir.file("policy");
  recorder r;
  policy_watcher w(path, policy::deny_all(), 50ms, r.handler());
  w.start();
  EXPECT_EQ(w.current()->mode(), policy_mode::deny_all);
  replace(path, "provstation-policy 1\nmode all\n");
  EXPECT_TRUE(wait_for([&] { return w.current()->mode() == policy_mode::all; }, 1s));
  std::filesystem::remove(path);
  EXPECT_TRUE(wait_for([&] { return w.current()->mode() == policy_mode::deny_all; }, 1s));
  w.stop();
  EXPECT_EQ(r.snapshot(),
            (std::vector{policy_watcher::state::missing, policy_watcher::state::loaded,
                         policy_watcher::state::missing}));
}

// Verify that an invalid file yields the fallback and is reported once with the parse error.
TEST(KeaPolicyWatcher, InvalidFileUsesFallbackAndReportsOnce) {
  test::temp_dir dir;
  const std::string path = dir.write("policy", "provstation-policy 1\nmode sometimes\n");
  recorder r;
  policy_watcher w(path, policy::deny_all(), 50ms, r.handler());
  w.start();
  EXPECT_EQ(w.current()->mode(), policy_mode::deny_all);
  // Touching the file with the same broken content is not reported again.
  replace(path, "provstation-policy 1\nmode sometimes\n");
  w.check();
  std::this_thread::sleep_for(150ms);
  w.stop();
  const auto states = r.snapshot();
  EXPECT_EQ(states, std::vector{policy_watcher::state::invalid});
  std::lock_guard lock(r.m);
  EXPECT_EQ(r.details.front(),
            "line 2: unknown mode 'sometimes' (expected all, scanned or not-shipped)");
}

// Verify that a FIFO planted at the path neither blocks the watcher nor is read.
TEST(KeaPolicyWatcher, FifoDoesNotBlock) {
  test::temp_dir dir;
  const std::string path = dir.file("policy");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  recorder r;
  policy_watcher w(path, policy::deny_all(), 50ms, r.handler());
  w.start();
  w.stop();
  EXPECT_EQ(r.snapshot(), std::vector{policy_watcher::state::unreadable});
  std::lock_guard lock(r.m);
  EXPECT_EQ(r.details.front(), "not a regular file");
}

// Verify that readers on other threads always see a whole policy while it is swapped.
TEST(KeaPolicyWatcher, ConcurrentReadersDuringSwaps) {
  test::temp_dir dir;
  const std::string path = dir.write("policy", "provstation-policy 1\nmode all\n");
  policy_watcher w(path, policy::deny_all(), 50ms, nullptr);
  w.start();
  std::atomic<bool> done{false};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        const auto p = w.current();
        ASSERT_TRUE(p != nullptr);
        const auto mode = p->mode();
        ASSERT_TRUE(mode == policy_mode::all || mode == policy_mode::scanned);
        if (mode == policy_mode::scanned) {
          ASSERT_EQ(p->scanned_count(), 1u);
        }
        ++reads;
        std::this_thread::yield();
      }
    });
  }
  for (int i = 0; i < 100; ++i) {
    replace(path, i % 2 ? "provstation-policy 1\nmode all\n"
                        : "provstation-policy 1\nmode scanned\nscanned 0023ab000001\n");
    w.check();
  }
  done = true;
  for (auto& t : readers) t.join();
  w.stop();
  EXPECT_GT(reads.load(), 0);
}

}  // namespace
}  // namespace provstation::kea
