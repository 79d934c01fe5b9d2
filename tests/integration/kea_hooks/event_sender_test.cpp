// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the event sender against a real Unix datagram socket in a temp dir.
#include "event_sender.hpp"

#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace provstation::kea {
namespace {

using namespace std::chrono_literals;

class datagram_listener {
 public:
  explicit datagram_listener(const std::string& path, int rcvbuf = 0) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  }
  ~datagram_listener() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  // One event: a datagram carries one or more, one per line.
  std::optional<std::string> receive(std::chrono::milliseconds timeout) {
    if (queued_.empty()) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
      std::vector<char> buf(max_datagram_bytes + 1);
      const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n < 0) return std::nullopt;
      ++datagrams_;
      for (auto& e : split_events(std::string_view(buf.data(), static_cast<std::size_t>(n)))) {
        queued_.push_back(std::move(e));
      }
      if (queued_.empty()) return std::string();
    }
    std::string e = std::move(queued_.front());
    queued_.pop_front();
    return e;
  }
  // Datagrams received so far.
  std::size_t datagrams() const { return datagrams_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::deque<std::string> queued_;
  std::size_t datagrams_ = 0;
};

std::uint64_t seq_of(const std::string& datagram) {
  const auto at = datagram.find("\"seq\":");
  return std::stoull(datagram.substr(at + 6));
}

lease_event sample(int i) {
  lease_event e;
  e.type = lease_event_type::commit;
  e.mac = "0023ab000001";
  e.ip = "192.0.2." + std::to_string(i % 250);
  e.hostname = "SPA525G2";
  e.vendor_class = "Cisco SPA525G2";
  e.valid_lifetime = 600;
  e.at = 1764230400;
  return e;
}

event_sender::settings settings_for(const std::string& path) {
  event_sender::settings s;
  s.socket_path = path;
  s.boot_id = "00112233445566778899aabbccddeeff";
  return s;
}

// Verify that events arrive in order, numbered from 1, with the boot_id.
TEST(KeaEventSender, DeliversInOrder) {
  test::temp_dir dir;
  datagram_listener station(dir.file("ev.sock"));
  event_sender sender(settings_for(dir.file("ev.sock")), nullptr);
  sender.start();
  std::vector<std::string> got;
  std::thread reader([&] {
    while (got.size() < 500) {
      auto d = station.receive(5s);
      if (!d) break;
      got.push_back(*d);
    }
  });
  for (int i = 0; i < 500; ++i)
    EXPECT_EQ(sender.submit(sample(i)), static_cast<std::uint64_t>(i + 1));
  reader.join();
  sender.stop();
  ASSERT_EQ(got.size(), 500u);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(seq_of(got[i]), i + 1);
  EXPECT_EQ(got[0].rfind(R"({"v":1,"boot_id":"00112233445566778899aabbccddeeff","seq":1,)", 0), 0u)
      << got[0];
  const auto c = sender.stats();
  EXPECT_EQ(c.submitted, 500u);
  EXPECT_EQ(c.sent, 500u);
  EXPECT_EQ(c.dropped(), 0u);
  // Submitted in a burst, they gather into a few batches, each packed into as few datagrams
  // as fit (about 140 of these events per 32 KiB), not one datagram per event.
  EXPECT_LE(station.datagrams(), 25u);
}

// Verify that events at their longest are packed without passing max_datagram_bytes, every
// line a complete event.
TEST(KeaEventSender, PacksLongEventsWithinTheDatagramLimit) {
  test::temp_dir dir;
  datagram_listener station(dir.file("ev.sock"));
  event_sender sender(settings_for(dir.file("ev.sock")), nullptr);
  sender.start();
  constexpr int n = 200;
  for (int i = 0; i < n; ++i) {
    lease_event e = sample(i);
    e.hostname = std::string(300, '\x01');  // Each byte escapes to 6: cut to the string limit.
    e.vendor_class = std::string(300, 'v');
    sender.submit(std::move(e));
  }
  std::vector<std::string> got;
  while (got.size() < n) {
    auto d = station.receive(5s);
    if (!d) break;
    got.push_back(*d);
  }
  sender.stop();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(seq_of(got[i]), i + 1);
    EXPECT_EQ(got[i].front(), '{');
    EXPECT_EQ(got[i].back(), '}');
  }
  // About 700 bytes each: at least n * 700 / 32768 datagrams, and none was cut (receive()
  // reads up to max_datagram_bytes + 1, so a longer one would show as a broken line).
  EXPECT_GE(station.datagrams(), 4u);
}

// Verify that with no station, submit() returns at once and every event is counted as dropped,
// and that a notice reports it.
TEST(KeaEventSender, StationDownDropsWithoutBlocking) {
  test::temp_dir dir;
  std::mutex m;
  std::vector<event_sender::notice> notices;
  event_sender sender(settings_for(dir.file("absent.sock")), [&](const event_sender::notice& n) {
    std::lock_guard lock(m);
    notices.push_back(n);
  });
  sender.start();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) sender.submit(sample(i));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 200ms);
  sender.stop();
  const auto c = sender.stats();
  EXPECT_EQ(c.submitted, 1000u);
  EXPECT_EQ(c.sent, 0u);
  EXPECT_EQ(c.dropped(), 1000u);
  EXPECT_GT(c.dropped_unreachable, 0u);
  std::lock_guard lock(m);
  ASSERT_FALSE(notices.empty());
  EXPECT_EQ(notices.front().what, event_sender::notice::kind::dropped);
  EXPECT_EQ(notices.front().last_error, "No such file or directory");
  std::uint64_t reported = 0;
  for (const auto& n : notices) reported += n.unreachable;
  EXPECT_EQ(reported, c.dropped_unreachable);
}

// Verify that a socket file left by a station that died (nobody bound) drops at once.
TEST(KeaEventSender, StaleSocketFileDropsWithoutBlocking) {
  test::temp_dir dir;
  { datagram_listener dead(dir.file("ev.sock")); }
  // The listener unlinks its path; leave a bound-then-closed socket file behind instead.
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, dir.file("ev.sock").c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
  event_sender sender(settings_for(dir.file("ev.sock")), nullptr);
  sender.start();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) sender.submit(sample(i));
  sender.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  EXPECT_EQ(sender.stats().dropped_unreachable, 100u);
}

// Verify that a station that stops reading fills the queue, Kea's side drops and counts, and
// the seq numbers of what does arrive show the gap.
TEST(KeaEventSender, FullQueueDropsAndLeavesGap) {
  test::temp_dir dir;
  datagram_listener station(dir.file("ev.sock"), 4096);
  auto s = settings_for(dir.file("ev.sock"));
  s.queue_capacity = 16;
  s.flush_timeout = 100ms;
  event_sender sender(s, nullptr);
  sender.start();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 2000; ++i) sender.submit(sample(i));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  auto c = sender.stats();
  EXPECT_GT(c.dropped_queue_full, 0u);
  // The station reads again: what it gets is increasing, and its gaps are the drops.
  std::vector<std::uint64_t> seqs;
  while (auto d = station.receive(300ms)) seqs.push_back(seq_of(*d));
  sender.stop();
  c = sender.stats();
  ASSERT_FALSE(seqs.empty());
  for (std::size_t i = 1; i < seqs.size(); ++i) EXPECT_LT(seqs[i - 1], seqs[i]);
  EXPECT_EQ(c.submitted, 2000u);
  EXPECT_EQ(c.sent + c.dropped(), 2000u);
  EXPECT_EQ(seqs.size(), c.sent);
}

// Verify that stop() sends what is still queued while the station reads, and that events
// submitted after stop() are counted and never block. (The kernel queues only
// net.unix.max_dgram_qlen datagrams, 10 by default, for a station that does not read.)
TEST(KeaEventSender, StopFlushesQueue) {
  test::temp_dir dir;
  datagram_listener station(dir.file("ev.sock"));
  event_sender sender(settings_for(dir.file("ev.sock")), nullptr);
  sender.start();
  for (int i = 0; i < 300; ++i) sender.submit(sample(i));
  int n = 0;
  std::thread reader([&] {
    while (n < 300 && station.receive(2s)) ++n;
  });
  sender.stop();
  reader.join();
  EXPECT_EQ(sender.stats().sent, 300u);
  EXPECT_EQ(n, 300);
  sender.submit(sample(1));
  EXPECT_EQ(sender.stats().dropped_shutdown, 1u);
}

// Verify that stop() gives up after the flush timeout when the station does not read.
TEST(KeaEventSender, StopGivesUpOnStuckStation) {
  test::temp_dir dir;
  datagram_listener station(dir.file("ev.sock"));
  auto s = settings_for(dir.file("ev.sock"));
  s.flush_timeout = 300ms;
  event_sender sender(s, nullptr);
  sender.start();
  // Far more than the station's queue holds (10 datagrams of up to 32 KiB).
  for (int i = 0; i < 5000; ++i) sender.submit(sample(i));
  const auto t0 = std::chrono::steady_clock::now();
  sender.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  const auto c = sender.stats();
  EXPECT_EQ(c.sent + c.dropped(), 5000u);
  EXPECT_GT(c.dropped_shutdown, 0u);
}

// Verify that several submitting threads and a reader lose nothing at a high rate.
TEST(KeaEventSender, NoLossUnderConcurrentLoad) {
  test::temp_dir dir;
  datagram_listener station(dir.file("ev.sock"));
  event_sender sender(settings_for(dir.file("ev.sock")), nullptr);
  sender.start();
  constexpr int threads = 4;
  constexpr int per_thread = 5000;
  std::vector<std::uint64_t> seqs;
  std::thread reader([&] {
    while (seqs.size() < threads * per_thread) {
      auto d = station.receive(5s);
      if (!d) break;
      seqs.push_back(seq_of(*d));
    }
  });
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) sender.submit(sample(i));
    });
  }
  for (auto& p : producers) p.join();
  reader.join();
  sender.stop();
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(threads * per_thread));
  for (std::size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
  EXPECT_EQ(sender.stats().dropped(), 0u);
}

// Verify that after a reported outage the sender says once that events flow again.
TEST(KeaEventSender, ReportsRecovery) {
  test::temp_dir dir;
  std::mutex m;
  std::vector<event_sender::notice::kind> kinds;
  auto s = settings_for(dir.file("ev.sock"));
  event_sender sender(s, [&](const event_sender::notice& n) {
    std::lock_guard lock(m);
    kinds.push_back(n.what);
  });
  sender.start();
  sender.submit(sample(1));
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (sender.stats().dropped_unreachable == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  datagram_listener station(dir.file("ev.sock"));
  sender.submit(sample(2));
  sender.submit(sample(3));
  ASSERT_TRUE(station.receive(2s));
  ASSERT_TRUE(station.receive(2s));
  sender.stop();
  std::lock_guard lock(m);
  ASSERT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds[0], event_sender::notice::kind::dropped);
  EXPECT_EQ(kinds[1], event_sender::notice::kind::reachable);
}

}  // namespace
}  // namespace provstation::kea
