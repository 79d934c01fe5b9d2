// SPDX-License-Identifier: Apache-2.0
/// @file Drives the hook's Impl from several threads at once, as Kea does with
/// multi-threading on, while the policy file changes and events go to a real socket.
#include "provstation_hook.hpp"

#include <provstation/test/temp_dir.hpp>

#include <asiolink/io_address.h>
#include <cc/data.h>
#include <dhcp/dhcp4.h>
#include <dhcp/option_string.h>
#include <log/logger_support.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
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
using isc::dhcp::HWAddr;
using isc::dhcp::HWAddrPtr;
using isc::dhcp::Option;
using isc::dhcp::OptionPtr;
using isc::dhcp::Pkt4;
using isc::dhcp::Pkt4Ptr;

class kea_logging : public ::testing::Environment {
 public:
  void SetUp() override {
    ::setenv("KEA_LOCKFILE_DIR", "none", 1);
    isc::log::initLogger("provstation-hook-mt-test", isc::log::WARN, 0);
  }
};
const auto* const logging_env = ::testing::AddGlobalTestEnvironment(new kea_logging);

void replace(const std::string& path, const std::string& text) {
  {
    std::ofstream out(path + ".tmp");
    out << text;
  }
  std::filesystem::rename(path + ".tmp", path);
}

// Verify that concurrent packets, lease events and policy swaps give consistent decisions and
// lose no event.
TEST(KeaHookThreads, ConcurrentPacketsEventsAndPolicySwaps) {
  test::temp_dir dir;
  const std::string sock = dir.file("ev.sock");
  const std::string policy_path = dir.file("policy");
  replace(policy_path, "provstation-policy 1\nmode all\n");

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);

  auto parsed = parse_hook_config(isc::data::Element::fromJSON(
      R"({"station-address": "192.0.2.1", "event-socket": ")" + sock + R"(", "policy-file": ")" +
      policy_path + R"(", "policy-check-interval-ms": 50})"));
  ASSERT_TRUE(parsed.errors.empty());
  provstation_hook hook(std::move(parsed.config),
                        {"0123456789abcdef0123456789abcdef", [] { return std::int64_t{1}; }});
  hook.start();

  constexpr int threads = 4;
  constexpr int per_thread = 1000;
  std::atomic<bool> done{false};
  std::set<std::uint64_t> seqs;
  std::thread reader([&] {
    std::vector<char> buf(max_datagram_bytes + 1);
    while (!done || seqs.size() < threads * per_thread) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n <= 0) continue;
      // A datagram carries one or more events, one per line.
      for_each_event(std::string_view(buf.data(), static_cast<std::size_t>(n)), 0,
                     [&](std::string_view line) {
                       const std::string d(line);
                       seqs.insert(std::stoull(d.substr(d.find("\"seq\":") + 6)));
                       return true;
                     });
    }
  });
  std::thread swapper([&] {
    for (int i = 0; !done; ++i) {
      replace(policy_path,
              i % 2 ? "provstation-policy 1\nmode all\n" : "provstation-policy 1\nmode scanned\n");
      std::this_thread::sleep_for(10ms);
    }
  });
  std::atomic<int> added{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::vector<std::uint8_t> mac = {0x00,
                                               0x23,
                                               0xab,
                                               static_cast<std::uint8_t>(t),
                                               static_cast<std::uint8_t>(i >> 8),
                                               static_cast<std::uint8_t>(i)};
        Pkt4Ptr q(new Pkt4(isc::dhcp::DHCPREQUEST, static_cast<std::uint32_t>(i)));
        q->setHWAddr(HWAddrPtr(new HWAddr(mac, isc::dhcp::HTYPE_ETHER)));
        q->addOption(OptionPtr(new isc::dhcp::OptionString(
            Option::V4, isc::dhcp::DHO_VENDOR_CLASS_IDENTIFIER, "Cisco SPA525G2")));
        Pkt4Ptr r(new Pkt4(isc::dhcp::DHCPACK, static_cast<std::uint32_t>(i)));
        const auto d = hook.process(*q, *r);
        // Either the whole set of options or none: never a half-applied decision.
        if (d.allowed) {
          ASSERT_EQ(d.added.size(), 2u);
          ASSERT_TRUE(r->getOption(66) && r->getOption(150));
          ++added;
        } else {
          ASSERT_FALSE(r->getOption(66));
          ++refused;
        }
        r->setYiaddr(isc::asiolink::IOAddress("192.0.2.100"));
        hook.on_response(*q, *r, false);
        // About 10,000 packets/s in all: spread over many policy swaps, and a rate the
        // reader keeps up with on a busy machine.
        std::this_thread::sleep_for(200us);
      }
    });
  }
  for (auto& w : workers) w.join();
  done = true;
  swapper.join();
  hook.stop();
  reader.join();
  ::close(fd);

  EXPECT_EQ(added + refused, threads * per_thread);
  // Both policies were in force at some point while packets flowed.
  EXPECT_GT(added.load(), 0);
  EXPECT_GT(refused.load(), 0);
  const auto c = hook.event_counters();
  EXPECT_EQ(c.submitted, static_cast<std::uint64_t>(threads * per_thread));
  EXPECT_EQ(c.dropped(), 0u);
  EXPECT_EQ(seqs.size(), static_cast<std::size_t>(threads * per_thread));
  EXPECT_EQ(*seqs.rbegin(), static_cast<std::uint64_t>(threads * per_thread));
}

}  // namespace
}  // namespace provstation::kea
