// SPDX-License-Identifier: Apache-2.0
/// @file Runs `provstation-phonesim fleet` in network namespaces it creates: a bench namespace
/// with a bridge, busybox udhcpd and fake TFTP/HTTP/syslog servers; three phones that lease
/// addresses, fetch the seed over TFTP on port 69, upgrade, reboot and resync per device.
/// Needs root, `ip` and busybox; skipped otherwise. Cleans up even when it fails.
#include <provstation/phonesim/firmware_image.hpp>

#include "../../integration/phonesim/fake_servers.hpp"

#include <provstation/test/temp_dir.hpp>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace provstation::phonesim {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

constexpr const char* phone_exe = PROVSTATION_PHONESIM_EXE;
constexpr auto fleet_timeout = 90s;

int sh(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

std::string capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  ::pclose(p);
  return out;
}

// Enters a network namespace on this thread for the lifetime of the object, so that sockets
// created meanwhile belong to it.
class netns_scope {
 public:
  explicit netns_scope(const std::string& name) {
    original_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int target = ::open(("/var/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    entered_ = target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
    if (target >= 0) ::close(target);
  }
  ~netns_scope() {
    if (entered_) ::setns(original_, CLONE_NEWNET);
    ::close(original_);
  }
  netns_scope(const netns_scope&) = delete;
  netns_scope& operator=(const netns_scope&) = delete;
  bool entered() const { return entered_; }

 private:
  int original_ = -1;
  bool entered_ = false;
};

// The bench namespace with its bridge; removed (with any fleet leftovers) on destruction.
class bench_netns {
 public:
  bench_netns(std::string name, std::string prefix)
      : name_(std::move(name)), prefix_(std::move(prefix)) {
    ok_ = sh("ip netns add " + name_) == 0 && sh("ip -n " + name_ + " link set lo up") == 0 &&
          sh("ip -n " + name_ + " link add br0 type bridge") == 0 &&
          sh("ip -n " + name_ + " addr add 192.0.2.1/24 dev br0") == 0 &&
          sh("ip -n " + name_ + " link set br0 up") == 0;
  }
  ~bench_netns() {
    sh(std::string(phone_exe) + " fleet --cleanup " + prefix_);
    sh("ip netns del " + name_);
  }
  bench_netns(const bench_netns&) = delete;
  bench_netns& operator=(const bench_netns&) = delete;
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string prefix_;
  bool ok_ = false;
};

std::vector<json> parse_lines(const std::vector<std::string>& lines) {
  std::vector<json> out;
  for (const auto& l : lines) {
    json j = json::parse(l, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

// Verify a fleet of three phones end to end over real DHCP in network namespaces, one of
// them unscanned and one in the wrong box, and that the fleet removes its namespaces.
TEST(PhonesimFleetNamespaces, ThreePhonesLeaseProvisionAndUpgradeInNamespaces) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
  if (sh("ip netns list") != 0 || sh("busybox udhcpd --help") > 256)
    GTEST_SKIP() << "needs ip and busybox";
  const std::string id = std::to_string(::getpid() % 100000);
  const std::string prefix = "pse" + id;
  bench_netns bench("psbench" + id, prefix);
  ASSERT_TRUE(bench.ok()) << "cannot create the bench namespace";

  // Fake servers inside the bench namespace: TFTP on port 69 because the factory default
  // Profile_Rule names no port.
  std::unique_ptr<test::fake_tftp_server> tftp;
  std::unique_ptr<test::fake_http_server> http;
  std::unique_ptr<test::fake_syslog_server> syslog;
  {
    netns_scope in_bench(bench.name());
    ASSERT_TRUE(in_bench.entered());
    tftp = std::make_unique<test::fake_tftp_server>("192.0.2.1", 69);
    http = std::make_unique<test::fake_http_server>("192.0.2.1");
    syslog = std::make_unique<test::fake_syslog_server>("192.0.2.1");
  }
  const std::string http_base = "http://192.0.2.1:" + std::to_string(http->port());
  tftp->set_file("/spa525G2.cfg",
                 "<flat-profile><Resync_Random_Delay>0</Resync_Random_Delay>"
                 "<Resync_Periodic>3000</Resync_Periodic>"
                 "<Syslog_Server>192.0.2.1:" +
                     std::to_string(syslog->port()) +
                     "</Syslog_Server>"
                     "<Profile_Rule>" +
                     http_base +
                     "/prov/$MA.xml?sn=$SN&amp;fw=$SWVER</Profile_Rule>"
                     "<Upgrade_Rule>( $SWVER ne 7.5.5 )? " +
                     http_base +
                     "/fw/spa525g-7-5-5.bin</Upgrade_Rule>"
                     "</flat-profile>");
  http->set("/prov/*", {200, "<flat-profile><GPP_A>per-device</GPP_A></flat-profile>"});
  http->set("/fw/spa525g-7-5-5.bin",
            {200, make_firmware({"SPA525G", "SPA525G2"}, "7.5.5", 300000, 3)});

  provstation::test::temp_dir dir;
  const std::string conf = dir.write("udhcpd.conf",
                                     "start 192.0.2.100\nend 192.0.2.150\ninterface br0\n"
                                     "lease_file " +
                                         dir.file("leases") + "\npidfile " + dir.file("pid") +
                                         "\n"
                                         "opt subnet 255.255.255.0\nopt router 192.0.2.1\n"
                                         "opt tftp 192.0.2.1\nopt lease 300\nopt 150 c0000201\n");
  dir.write("leases", "");
  test::child_process udhcpd(
      {"/usr/sbin/ip", "netns", "exec", bench.name(), "busybox", "udhcpd", "-f", conf});

  const std::string manifest = dir.file("manifest.csv");
  const auto start = std::chrono::steady_clock::now();
  auto fleet = std::make_unique<test::child_process>(std::vector<std::string>{
      phone_exe,     "fleet",  "--bench-netns", bench.name(), "--bridge",     "br0",
      "--count",     "3",      "--prefix",      prefix,       "--time-scale", "0.02",
      "--manifest",  manifest, "--wrong-box",   "3",          "--unscanned",  "2",
      "--log-level", "warn"});

  // Every phone ends up on 7.5.5 with a per-device resync.
  std::set<std::string> done;
  const auto deadline = std::chrono::steady_clock::now() + fleet_timeout;
  while (done.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    fleet->wait_for_line(
        [&](const std::string& l) {
          const json j = json::parse(l, nullptr, false);
          if (!j.is_discarded() && j.value("event", "") == "resync_ok" &&
              j.value("url", "").find("/prov/") != std::string::npos) {
            done.insert(j.value("mac", ""));
          }
          return done.size() == 3;
        },
        1s);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(done.size(), 3U) << testing::PrintToString(fleet->lines());
  std::printf("phonesim e2e: 3 phones leased, upgraded and resynced in %.1f s\n", seconds);
  EXPECT_EQ(fleet->terminate(20s), 0);

  const auto events = parse_lines(fleet->lines());
  std::map<std::string, std::string> ip_of_mac;
  std::map<std::string, std::string> serial_of_mac;
  for (const auto& e : events) {
    const std::string kind = e.value("event", "");
    if (kind == "dhcp") {
      EXPECT_EQ(e.value("opt66", ""), "192.0.2.1");
      EXPECT_EQ(e.value("opt150", ""), "192.0.2.1");
      ip_of_mac[e["mac"]] = e["ip"];
    }
    if (kind == "booted") serial_of_mac[e["mac"]] = e["serial"];
  }
  ASSERT_EQ(ip_of_mac.size(), 3U);
  std::set<std::string> ips;
  for (const auto& [mac, ip] : ip_of_mac) {
    EXPECT_EQ(ip.rfind("192.0.2.", 0), 0U);
    ips.insert(ip);
  }
  EXPECT_EQ(ips.size(), 3U);
  EXPECT_EQ(events.back().value("event", ""), "fleet_stopped");

  // Requests and syslog lines come from the leased addresses, each naming its own MAC.
  for (const auto& r : tftp->requests()) {
    EXPECT_EQ(r.path, "/spa525G2.cfg");
    EXPECT_TRUE(ips.count(r.peer_ip) != 0) << r.peer_ip;
  }
  std::size_t per_device = 0;
  for (const auto& r : http->requests()) {
    EXPECT_TRUE(ips.count(r.peer_ip) != 0) << r.peer_ip;
    if (r.target.rfind("/prov/", 0) == 0) {
      ++per_device;
      const std::string mac = r.target.substr(6, 12);
      EXPECT_EQ(ip_of_mac[mac], r.peer_ip);
      EXPECT_NE(r.headers.at("user-agent").find("(" + serial_of_mac[mac] + ")"), std::string::npos);
    }
  }
  EXPECT_GE(per_device, 3U);
  for (const auto& peer : syslog->peers()) EXPECT_TRUE(ips.count(peer) != 0) << peer;

  // The manifest lists the boxes: phone 2 unscanned, phone 3 in a box with another serial.
  std::ifstream in(manifest);
  std::stringstream text;
  text << in.rdbuf();
  const std::string csv = text.str();
  EXPECT_EQ(csv.rfind("mac,serial,model\n0023ab100001,", 0), 0U) << csv;
  EXPECT_EQ(csv.find("0023ab100002"), std::string::npos);
  const std::size_t row3 = csv.find("0023ab100003,");
  ASSERT_NE(row3, std::string::npos);
  EXPECT_EQ(csv.find(serial_of_mac["0023ab100003"]), std::string::npos)
      << "box must show another serial";

  // Nothing of the fleet is left behind.
  EXPECT_EQ(capture("ip netns list").find(prefix + "-ph"), std::string::npos);
}

}  // namespace
}  // namespace provstation::phonesim
