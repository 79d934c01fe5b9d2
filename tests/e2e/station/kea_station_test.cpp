// SPDX-License-Identifier: Apache-2.0
/// @file The station as the hook's listener, end to end: real kea-dhcp4 with the hook in a
/// network namespace, `provstation serve` receiving its lease events, perfdhcp as a relay for
/// volume, restarts of either side, and the permissions of a packaged install (Kea as _kea,
/// the station dropped to its own user).
#include "app/http_client.hpp"
#include "kea_rig.hpp"

#include <provstation/mac.hpp>
#include <provstation/store.hpp>
#include <provstation/test/temp_dir.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace provstation {
namespace {

namespace rig = kea::rig;
namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* bench_server = "192.0.2.1";

// What Kea's memfile says, read independently of the station's own parser: every row, and the
// last row of each address.
struct lease_file_view {
  std::size_t rows = 0;
  std::map<std::string, std::string> mac_by_ip;  // Active (state 0) leases, last row wins.
  std::map<std::string, std::string> ip_by_mac;  // The same, keyed by MAC (12 hex digits).
};

std::string plain_mac(const std::string& colon) {
  std::string out;
  for (char c : colon) {
    if (c != ':') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

lease_file_view read_lease_file(const fs::path& path) {
  lease_file_view v;
  std::ifstream in(path);
  std::string line;
  std::map<std::string, int> col;
  std::map<std::string, std::string> last_mac;
  std::map<std::string, bool> active;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
    if (!cells.empty() && cells[0] == "address") {
      for (int i = 0; i < static_cast<int>(cells.size()); ++i)
        col[cells[static_cast<std::size_t>(i)]] = i;
      continue;
    }
    if (!col.contains("hwaddr") || !col.contains("state")) continue;
    const auto at = [&](const char* name) {
      const auto i = static_cast<std::size_t>(col[name]);
      return i < cells.size() ? cells[i] : std::string();
    };
    ++v.rows;
    const std::string ip = at("address");
    last_mac[ip] = plain_mac(at("hwaddr"));
    active[ip] = at("state") == "0" && at("valid_lifetime") != "0";
  }
  for (const auto& [ip, mac] : last_mac) {
    if (!active[ip]) continue;
    v.mac_by_ip[ip] = mac;
    v.ip_by_mac[mac] = ip;
  }
  return v;
}

// Option 60 of an SPA, as perfdhcp's -o wants it.
std::string spa_vendor_class_hex() {
  std::string hex;
  for (unsigned char c : std::string("Cisco SPA525G2")) hex += fmt::format("{:02x}", c);
  return hex;
}

// Waits for a child to exit by itself (true) or for the deadline (false).
bool wait_exit(rig::child_process& p, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!p.running()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A `provstation serve` with its bench side in the test's namespace and its dashboard on the
// host's loopback (port chosen by the kernel).
class station_process {
 public:
  struct options {
    fs::path config_dir;  // Config, ready file, log.
    fs::path state_dir;   // Store, firmware, policy file (/var/lib/provstation).
    fs::path run_dir;     // Event socket (/run/provstation).
    fs::path lease_file;  // Kea's memfile.
    std::string netns;    // The bench side.
    std::string user;     // station.user (empty: stay root).
    std::string policy_mode = "all";
  };

  explicit station_process(options o) : o_(std::move(o)) {
    std::ofstream out(config_path());
    out << "[bench]\naddress = \"127.0.0.1\"\nnetns = \"" << o_.netns << "\"\n"
        << "[tftp]\nenabled = false\n[http]\nenabled = false\n"
        << "[kea]\nevent_socket = \"" << socket_path() << "\"\npolicy_file = \"" << policy_path()
        << "\"\nlease_file = \"" << o_.lease_file.string() << "\"\npolicy_mode = \""
        << o_.policy_mode << "\"\n"
        << "[store]\npath = \"" << store_path() << "\"\n"
        << "[firmware]\ndir = \"" << (o_.state_dir / "firmware").string() << "\"\n"
        << "[dashboard]\nlisten = \"127.0.0.1:0\"\n[log]\nlevel = \"info\"\n";
    if (!o_.user.empty()) out << "[station]\nuser = \"" << o_.user << "\"\n";
  }

  std::string config_path() const { return (o_.config_dir / "provstation.toml").string(); }
  std::string socket_path() const { return (o_.run_dir / "kea-events.sock").string(); }
  std::string policy_path() const { return (o_.state_dir / "kea-policy").string(); }
  std::string store_path() const { return (o_.state_dir / "station.db").string(); }
  std::string log_path() const { return (o_.config_dir / "station.log").string(); }
  std::string log() const { return slurp(log_path()); }
  pid_t pid() const { return process_.pid(); }
  bool running() { return process_.running(); }
  std::uint16_t port() const { return port_; }

  // Starts it and waits until it is ready (its ready file written, the socket bound).
  ::testing::AssertionResult start() {
    const fs::path ready = o_.config_dir / "station.ready";
    fs::remove(ready);
    process_ = rig::child_process(
        {PROVSTATION_EXE, "serve", "--config", config_path(), "--ready-file", ready.string()},
        log_path());
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!process_.running())
        return ::testing::AssertionFailure() << "the station exited:\n" << log();
      const json j = json::parse(slurp(ready), nullptr, false);
      if (!j.is_discarded() && j.contains("dashboard")) {
        const std::string d = j["dashboard"].get<std::string>();
        port_ = static_cast<std::uint16_t>(std::stoi(d.substr(d.rfind(':') + 1)));
        return ::testing::AssertionSuccess();
      }
      std::this_thread::sleep_for(50ms);
    }
    return ::testing::AssertionFailure() << "the station did not become ready:\n" << log();
  }

  // SIGKILL: a crash, nothing flushed.
  void crash() {
    process_.signal(SIGKILL);
    process_.stop(1s);
  }
  int stop() { return process_.stop(10s); }

  // The counters of /metrics.
  std::map<std::string, std::uint64_t> metrics() const {
    std::map<std::string, std::uint64_t> out;
    auto r = app::http_request("127.0.0.1", port_, "GET", "/metrics");
    if (!r || r->status != 200) return out;
    std::istringstream in(r->body);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      const auto sp = line.find(' ');
      if (sp == std::string::npos) continue;
      out[line.substr(0, sp)] = std::stoull(line.substr(sp + 1));
    }
    return out;
  }
  std::uint64_t metric(const std::string& name) const {
    const auto m = metrics();
    const auto it = m.find("provstation_" + name);
    return it == m.end() ? 0 : it->second;
  }

  // Every unit of /api/units, paged.
  std::vector<json> units() const {
    std::vector<json> out;
    std::int64_t after = 0;
    for (;;) {
      auto r = app::http_request("127.0.0.1", port_, "GET",
                                 fmt::format("/api/units?limit=10000&after={}", after));
      if (!r || r->status != 200) {
        ADD_FAILURE() << "GET /api/units: " << (r ? r->body : r.message());
        return out;
      }
      const json j = json::parse(r->body);
      if (j["units"].empty()) return out;
      for (const auto& u : j["units"]) {
        after = std::max(after, u["id"].get<std::int64_t>());
        out.push_back(u);
      }
    }
  }

  // Waits until the station has taken in what arrived: `expected_units` units (when given), or
  // the event counter and the units unchanged for 3 s (the tracker commits in groups, one fsync
  // each, slow on a busy disk).
  void settle(std::size_t expected_units = 0, std::chrono::milliseconds timeout = 60s) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last;
    int same = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = app::http_request("127.0.0.1", port_, "GET", "/api/units?limit=1");
      const std::size_t units =
          r && r->status == 200 ? json::parse(r->body)["total"].get<std::size_t>() : 0;
      if (expected_units != 0 && units >= expected_units) return;
      const std::string now = fmt::format("{} {}", metric("lease_events_received_total"), units);
      same = now == last ? same + 1 : 0;
      if (same >= 6) return;
      last = now;
      std::this_thread::sleep_for(500ms);
    }
  }

 private:
  options o_;
  rig::child_process process_;
  std::uint16_t port_ = 0;
};

class KeaStation : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    for (const char* p : {"ip", "kea-dhcp4"}) {
      if (!rig::have_program(p)) GTEST_SKIP() << p << " is not installed";
    }
    rig::netns_pair::reap_stale("pk");
    static std::atomic<int> counter{0};
    const std::string prefix = "pk" + std::to_string(::getpid()) + "q" + std::to_string(counter++);
    ns_ = std::make_unique<rig::netns_pair>(prefix, std::string(bench_server) + "/24");
    ASSERT_TRUE(ns_->ok());
  }

  void TearDown() override {
    if (HasFailure()) {
      if (kea_)
        std::fprintf(stderr, "---- kea log ----\n%s\n", kea_->log().substr(0, 20000).c_str());
      if (station_)
        std::fprintf(stderr, "---- station log ----\n%s\n",
                     station_->log().substr(0, 20000).c_str());
    }
    perf_.reset();
    kea_.reset();
    station_.reset();
    ns_.reset();
  }

  station_process::options station_options() const {
    station_process::options o;
    o.config_dir = dir_.path();
    o.state_dir = dir_.path();
    o.run_dir = dir_.path();
    o.lease_file = dir_.path() / "kea-leases4.csv";
    o.netns = ns_->server_ns();
    return o;
  }

  // Kea on the namespace's loopback, answering perfdhcp acting as a relay from 127.0.0.2.
  rig::kea_server::options relay_kea() const {
    rig::kea_server::options o;
    o.netns = ns_->server_ns();
    o.interfaces_json = R"(["lo/127.0.0.1"])";
    o.socket_type = "udp";
    o.subnet = "10.0.0.0/8";
    o.pool = "10.0.0.1 - 10.255.255.254";
    o.relay_json = R"("relay": {"ip-addresses": ["127.0.0.2"]},)";
    o.hook_library = PROVSTATION_HOOK_SO;
    o.hook_parameters = fmt::format(R"({{"station-address": "{}", "event-socket": "{}"}})",
                                    bench_server, station_->socket_path());
    o.severity = "WARN";
    o.valid_lifetime = 3600;
    return o;
  }

  void prepare_relay() {
    if (!rig::have_program("perfdhcp")) GTEST_SKIP() << "perfdhcp is not installed";
    rig::must_run({"ip", "-n", ns_->server_ns(), "addr", "add", "127.0.0.2/8", "dev", "lo"});
  }

  // perfdhcp at `rate` new clients per second for `seconds`, in the background.
  void start_perfdhcp(int rate, int seconds) {
    perf_ = std::make_unique<rig::child_process>(
        std::vector<std::string>{"ip", "netns", "exec", ns_->server_ns(), "perfdhcp", "-4", "-l",
                                 "127.0.0.2", "-o", "60," + spa_vendor_class_hex(), "-r",
                                 std::to_string(rate), "-p", std::to_string(seconds), "-R",
                                 "100000000", "127.0.0.1"},
        dir_.file("perfdhcp.log"));
  }

  void finish_perfdhcp(int seconds) {
    ASSERT_TRUE(wait_exit(*perf_, std::chrono::seconds(seconds + 30)))
        << slurp(dir_.file("perfdhcp.log"));
  }

  // The station's units agree with Kea: a unit's address is the one Kea leased to its MAC.
  // With `every_lease_is_a_unit` (no event was lost), every leased MAC is a unit and the station
  // has no other: every perfdhcp client sends option 60 "Cisco SPA…", so each is a phone.
  // (A lease the station learns only from the lease file creates no unit: the file carries no
  // vendor class, so it goes to the lease history only, see expect_store_matches_lease_file.)
  void expect_units_match_lease_file(const lease_file_view& leases, bool every_lease_is_a_unit) {
    const auto units = station_->units();
    std::map<std::string, std::string> ip_by_mac;
    for (const auto& u : units) {
      EXPECT_TRUE(ip_by_mac.emplace(u["mac"].get<std::string>(), u["ip"].get<std::string>()).second)
          << "unit listed twice: " << u.dump();
    }
    std::size_t missing = 0;
    std::size_t wrong = 0;
    for (const auto& [mac, ip] : ip_by_mac) {
      const auto it = leases.ip_by_mac.find(mac);
      const std::string kea_ip = it == leases.ip_by_mac.end() ? "(none)" : it->second;
      if (kea_ip != ip && ++wrong <= 5)
        ADD_FAILURE() << mac << ": station says " << ip << ", Kea " << kea_ip;
    }
    if (every_lease_is_a_unit) {
      for (const auto& [mac, ip] : leases.ip_by_mac) {
        if (!ip_by_mac.contains(mac) && ++missing <= 5)
          ADD_FAILURE() << "no unit for " << mac << " (leased " << ip << ")";
      }
      EXPECT_EQ(units.size(), leases.ip_by_mac.size());
    }
    EXPECT_EQ(missing, 0u);
    EXPECT_EQ(wrong, 0u);
  }

  // The station's lease history (its store, read after it stopped) holds exactly Kea's active
  // leases as open leases: the IP-MAC mapping the phone side answers from.
  void expect_store_matches_lease_file(const std::string& store_path,
                                       const lease_file_view& leases) {
    auto db = open_sqlite_store(store_path, create_mode::must_exist);
    ASSERT_TRUE(db.ok()) << db.message();
    std::map<std::string, std::string> open;  // Rows in time order: the last open one wins.
    for (const auto& l : (*db)->leases_since(0)) {
      if (l.to == 0) open[l.ip] = l.mac.str();
    }
    std::size_t missing = 0;
    std::size_t wrong = 0;
    for (const auto& [ip, mac] : leases.mac_by_ip) {
      const auto it = open.find(ip);
      if (it == open.end()) {
        if (++missing <= 5)
          ADD_FAILURE() << ip << " (" << mac << ") is not in the station's lease history";
      } else if (it->second != mac && ++wrong <= 5) {
        ADD_FAILURE() << ip << ": the station has " << it->second << ", Kea " << mac;
      }
    }
    std::size_t extra = 0;
    for (const auto& [ip, mac] : open) {
      if (!leases.mac_by_ip.contains(ip) && ++extra <= 5)
        ADD_FAILURE() << ip << " (" << mac << ") is open only in the station";
    }
    EXPECT_EQ(missing, 0u);
    EXPECT_EQ(wrong, 0u);
    EXPECT_EQ(extra, 0u);
    std::fprintf(stderr, "kea-station: %zu active leases in Kea, %zu open in the station's store\n",
                 leases.mac_by_ip.size(), open.size());
  }

  test::temp_dir dir_;
  std::unique_ptr<rig::netns_pair> ns_;
  std::unique_ptr<station_process> station_;
  std::unique_ptr<rig::kea_server> kea_;
  std::unique_ptr<rig::child_process> perf_;
};

// Verify that at about 300 leases/s every lease Kea commits reaches the real station once:
// the station's /metrics count equals the lease file's rows, no gap, no refusal, every MAC
// is a unit with Kea's address, and the store holds exactly one lease fact per lease.
TEST_F(KeaStation, EveryCommittedLeaseArrivesOnceAtTheStation) {
  prepare_relay();
  station_ = std::make_unique<station_process>(station_options());
  ASSERT_TRUE(station_->start());
  kea_ = std::make_unique<rig::kea_server>(relay_kea(), dir_.path());
  ASSERT_TRUE(kea_->start()) << kea_->log();
  start_perfdhcp(300, 10);
  finish_perfdhcp(10);
  EXPECT_EQ(kea_->stop(), 0);  // unload() flushes the hook's queue.
  const auto leases = read_lease_file(kea_->lease_file());
  station_->settle(leases.ip_by_mac.size());

  EXPECT_GE(leases.rows, 2700u) << slurp(dir_.file("perfdhcp.log"));
  EXPECT_EQ(station_->metric("lease_events_received_total"), leases.rows);
  EXPECT_EQ(station_->metric("lease_events_refused_total"), 0u);
  EXPECT_EQ(station_->metric("lease_event_gaps_total"), 0u);
  expect_units_match_lease_file(leases, true);
  const auto events = station_->metric("lease_events_received_total");
  EXPECT_EQ(station_->stop(), 0);

  // The store: one lease fact per lease row, none repeated.
  auto db = open_sqlite_store(station_->store_path(), create_mode::must_exist);
  ASSERT_TRUE(db.ok()) << db.message();
  std::map<std::string, int> lease_facts;
  std::int64_t after = 0;
  for (;;) {
    const auto facts = (*db)->facts_after(after, 10000);
    if (facts.empty()) break;
    for (const auto& f : facts) {
      after = f.id;
      if (f.kind == "lease") ++lease_facts[f.mac];
    }
  }
  std::size_t total = 0;
  for (const auto& [mac, n] : lease_facts) total += static_cast<std::size_t>(n);
  EXPECT_EQ(total, leases.rows);
  EXPECT_EQ(lease_facts.size(), leases.ip_by_mac.size());
  db->reset();
  expect_store_matches_lease_file(station_->store_path(), leases);
  std::fprintf(stderr, "kea-station: rate=300/s 10 s: lease rows=%zu events=%zu lease facts=%zu\n",
               leases.rows, static_cast<std::size_t>(events), total);
}

// Verify that killing the station (SIGKILL) while Kea commits leases loses no IP-MAC mapping:
// the hook drops the events meanwhile, and the restarted station reconciles from Kea's lease file.
TEST_F(KeaStation, StationCrashDuringLeasesLosesNoMapping) {
  prepare_relay();
  station_ = std::make_unique<station_process>(station_options());
  ASSERT_TRUE(station_->start());
  kea_ = std::make_unique<rig::kea_server>(relay_kea(), dir_.path());
  ASSERT_TRUE(kea_->start()) << kea_->log();
  start_perfdhcp(300, 12);
  std::this_thread::sleep_for(3s);
  station_->crash();
  std::this_thread::sleep_for(2s);  // About 600 leases committed with nobody listening.
  ASSERT_TRUE(station_->start());
  finish_perfdhcp(12);
  EXPECT_EQ(kea_->stop(), 0);
  const auto leases = read_lease_file(kea_->lease_file());
  station_->settle(leases.ip_by_mac.size());

  EXPECT_GE(leases.rows, 3000u) << slurp(dir_.file("perfdhcp.log"));
  EXPECT_NE(kea_->log().find("PROVSTATION_HOOK_EVENTS_DROPPED"), std::string::npos)
      << "the crash lost no event: the test proves nothing";
  EXPECT_GE(station_->metric("lease_reconciliations_total"), 1u);
  EXPECT_EQ(station_->metric("lease_events_refused_total"), 0u);
  expect_units_match_lease_file(leases, false);
  EXPECT_EQ(station_->stop(), 0);
  expect_store_matches_lease_file(station_->store_path(), leases);
}

// Verify that a restart of Kea (new boot_id) makes the station reconcile from the lease file:
// a lease whose event never came (written while Kea was down, as one lost with a killed Kea)
// appears in the station's lease history, and a unit Kea moved to another address meanwhile
// shows the new address in /api/units.
TEST_F(KeaStation, KeaRestartMakesTheStationReconcile) {
  prepare_relay();
  station_ = std::make_unique<station_process>(station_options());
  ASSERT_TRUE(station_->start());
  kea_ = std::make_unique<rig::kea_server>(relay_kea(), dir_.path());
  ASSERT_TRUE(kea_->start()) << kea_->log();
  start_perfdhcp(300, 4);
  std::this_thread::sleep_for(2s);
  kea_.reset();  // SIGTERM while committing: unload() flushes what is queued.
  finish_perfdhcp(4);
  const fs::path lease_file = dir_.path() / "kea-leases4.csv";
  const auto first_boot = read_lease_file(lease_file);
  ASSERT_GE(first_boot.rows, 300u);
  station_->settle(first_boot.ip_by_mac.size());
  expect_units_match_lease_file(first_boot, true);
  const auto gaps_before = station_->metric("lease_event_gaps_total");
  const auto reconciliations_before = station_->metric("lease_reconciliations_total");

  // While Kea is down its lease file changes behind the station's back, as Kea writes it: one
  // unit's lease deleted (valid_lifetime 0) and that MAC given another address; and a lease for
  // a MAC the station never heard of.
  const auto& [moved_mac, old_ip] = *first_boot.ip_by_mac.begin();
  std::string moved_colon;
  for (std::size_t i = 0; i < moved_mac.size(); i += 2) {
    moved_colon += (i == 0 ? "" : ":") + moved_mac.substr(i, 2);
  }
  const auto now = std::time(nullptr);
  {
    std::ofstream out(lease_file, std::ios::app);
    out << old_ip << "," << moved_colon << ",,0," << now << ",1,0,0,,0,\n"
        << "10.255.0.8," << moved_colon << ",,3600," << (now + 3600) << ",1,0,0,,0,\n"
        << "10.255.0.7,02:00:5e:10:20:30,,3600," << (now + 3600) << ",1,0,0,spa-lost,0,\n";
  }
  kea_ = std::make_unique<rig::kea_server>(relay_kea(), dir_.path());
  ASSERT_TRUE(kea_->start()) << kea_->log();
  start_perfdhcp(300, 3);
  finish_perfdhcp(3);
  EXPECT_EQ(kea_->stop(), 0);
  const auto leases = read_lease_file(kea_->lease_file());
  ASSERT_EQ(leases.ip_by_mac.count(moved_mac) ? leases.ip_by_mac.at(moved_mac) : "", "10.255.0.8");
  ASSERT_TRUE(leases.ip_by_mac.contains("02005e102030"));
  station_->settle(leases.ip_by_mac.size() - 1);  // Every MAC but the one never heard of.

  EXPECT_GE(station_->metric("lease_event_gaps_total"), gaps_before + 1) << "new boot_id not seen";
  EXPECT_GE(station_->metric("lease_reconciliations_total"), reconciliations_before + 1);
  std::map<std::string, std::string> unit_ip;
  for (const auto& u : station_->units())
    unit_ip[u["mac"].get<std::string>()] = u["ip"].get<std::string>();
  EXPECT_EQ(unit_ip[moved_mac], "10.255.0.8") << "the moved unit keeps " << old_ip;
  EXPECT_FALSE(unit_ip.contains("02005e102030")) << "a lease without a vendor class made a unit";
  expect_units_match_lease_file(leases, false);
  EXPECT_EQ(unit_ip.size(), leases.ip_by_mac.size() - 1);
  EXPECT_EQ(station_->stop(), 0);
  expect_store_matches_lease_file(station_->store_path(), leases);
}

// Verify back-pressure: a burst of lease events far faster than the tracker commits (more than
// its queue holds) is taken in completely, without loss and without a reconciliation. The test
// stands in for Kea (root may send), sending as fast as the station reads.
TEST_F(KeaStation, EventFloodBeyondTheTrackerQueueLosesNothing) {
  constexpr int count = 30000;  // The tracker queues at most 20000 operations.
  station_ = std::make_unique<station_process>(station_options());
  ASSERT_TRUE(station_->start());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", station_->socket_path().c_str());
  ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  const auto now = std::time(nullptr);
  lease_file_view sent;
  std::ofstream file(dir_.path() / "kea-leases4.csv");
  file << "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,"
          "state,user_context\n";
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    const std::string mac = fmt::format("0200{:08x}", i);
    const std::string ip = fmt::format("10.{}.{}.{}", 1 + (i >> 16), (i >> 8) & 255, i & 255);
    const std::string event = fmt::format(
        R"({{"v":1,"boot_id":"0123456789abcdef0123456789abcdef","seq":{},"type":"commit","mac":"{}","ip":"{}","hostname":"spa{}","vendor_class":"Cisco SPA525G2","client_id":"","valid_lifetime":3600,"at":{}}})",
        i + 1, mac, ip, i, now);
    ASSERT_EQ(::send(fd, event.data(), event.size(), 0), static_cast<ssize_t>(event.size()))
        << std::strerror(errno);
    file << ip << "," << mac.substr(0, 2) << ":" << mac.substr(2, 2) << ":" << mac.substr(4, 2)
         << ":" << mac.substr(6, 2) << ":" << mac.substr(8, 2) << ":" << mac.substr(10, 2)
         << ",,3600," << (now + 3600) << ",1,0,0,spa" << i << ",0,\n";
    sent.ip_by_mac[mac] = ip;
    sent.mac_by_ip[ip] = mac;
    ++sent.rows;
  }
  ::close(fd);
  file.close();
  const double send_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  station_->settle(count, 120s);
  EXPECT_EQ(station_->metric("lease_events_received_total"), static_cast<std::uint64_t>(count));
  EXPECT_EQ(station_->metric("lease_events_refused_total"), 0u);
  EXPECT_EQ(station_->metric("lease_event_gaps_total"), 0u);
  expect_units_match_lease_file(sent, true);
  EXPECT_EQ(station_->stop(), 0);
  expect_store_matches_lease_file(station_->store_path(), sent);
  const std::string log = station_->log();
  const bool paused = log.find("pausing the event socket") != std::string::npos;
  EXPECT_EQ(log.find("reconciled from"), std::string::npos) << "a reconciliation was needed";
  std::fprintf(stderr, "kea-station: %d events sent in %.2f s; the station %s\n", count, send_s,
               paused
                   ? "paused reading while its tracker's queue was full (back-pressure exercised)"
                   : "never filled its tracker's queue (back-pressure not exercised)");
}

// A system user for the station, in group _kea as the package's postinst makes it; removed
// afterwards (and left-overs of killed runs are removed first).
class test_user {
 public:
  test_user() : name_("pstest" + std::to_string(::getpid())) {
    reap_stale();
    const auto r =
        rig::run({"useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                  "--shell", "/usr/sbin/nologin", "--user-group", "--groups", "_kea", name_},
                 20s);
    ok_ = r.exit_code == 0;
    if (!ok_) ADD_FAILURE() << "useradd: " << r.output;
  }
  ~test_user() {
    if (ok_) rig::run({"userdel", name_}, 20s);
  }
  const std::string& name() const { return name_; }
  uid_t uid() const { return ::getpwnam(name_.c_str())->pw_uid; }
  gid_t gid() const { return ::getpwnam(name_.c_str())->pw_gid; }

 private:
  static void reap_stale() {
    std::ifstream in("/etc/passwd");
    for (std::string line; std::getline(in, line);) {
      const std::string name = line.substr(0, line.find(':'));
      if (!name.starts_with("pstest") || name.size() == 6) continue;
      const std::string pid = name.substr(6);
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (!fs::exists("/proc/" + pid)) rig::run({"userdel", name}, 20s);
    }
  }
  std::string name_;
  bool ok_ = false;
};

// Sends one datagram to `path` from a child process running as uid/gid; returns errno (0: sent).
int send_as(uid_t uid, gid_t gid, const std::string& path, const std::string& payload) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) _exit(200);
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    const ssize_t n = ::sendto(fd, payload.data(), payload.size(), 0,
                               reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    _exit(n < 0 ? errno : 0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

// Verify the packaged layout with Kea as _kea (as Debian runs it) and the station dropped from
// root to its own user: /var/lib/provstation and /run/provstation owned by the station's user
// with group _kea (0750); the socket 0660 and the policy file 0640 reach Kea; a phone gets its
// options through the policy file and its lease reaches the station; a sender that is neither
// Kea nor the station is refused by its credentials; reconciliation reads Kea's lease file.
TEST_F(KeaStation, PackagedPermissionsKeaAsKeaStationDropped) {
  // Copies: getpwnam() and getgrnam() return static storage that the next call overwrites.
  const passwd* kea_pw_static = ::getpwnam("_kea");
  const group* kea_gr_static = ::getgrnam("_kea");
  if (kea_pw_static == nullptr || kea_gr_static == nullptr)
    GTEST_SKIP() << "no _kea user (kea-common)";
  struct {
    uid_t pw_uid;
    gid_t pw_gid;
  } kea_pw_copy{kea_pw_static->pw_uid, kea_pw_static->pw_gid};
  struct {
    gid_t gr_gid;
  } kea_gr_copy{kea_gr_static->gr_gid};
  const auto* kea_pw = &kea_pw_copy;
  const auto* kea_gr = &kea_gr_copy;
  for (const char* p : {"setpriv", "useradd", "userdel", "busybox"}) {
    if (!rig::have_program(p)) GTEST_SKIP() << p << " is not installed";
  }
  test_user user;
  ASSERT_FALSE(HasFailure());

  // Kea's own files (config, leases, log, pid, lock) in a directory _kea owns, as /var/lib/kea.
  const fs::path kea_dir = dir_.path() / "kea";
  fs::create_directory(kea_dir);
  ASSERT_EQ(::chown(kea_dir.c_str(), kea_pw->pw_uid, kea_pw->pw_gid), 0);
  ASSERT_EQ(::chmod(kea_dir.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  // The package's layout (packaging/tmpfiles.d/provstation.conf).
  const fs::path state = dir_.path() / "var-lib-provstation";
  const fs::path run = dir_.path() / "run-provstation";
  for (const auto& d : {state, run}) {
    fs::create_directory(d);
    ASSERT_EQ(::chown(d.c_str(), user.uid(), kea_gr->gr_gid), 0);
    ASSERT_EQ(::chmod(d.c_str(), 0750), 0);
  }
  // A lease from before the station started: reconciliation at start must read it as the
  // station's user.
  {
    std::ofstream out(kea_dir / "kea-leases4.csv");
    out << "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,"
           "state,user_context\n"
        << "192.0.2.150,00:23:ab:00:00:09,,600," << (std::time(nullptr) + 600)
        << ",1,0,0,spa-old,0,\n";
  }
  ASSERT_EQ(::chown((kea_dir / "kea-leases4.csv").c_str(), kea_pw->pw_uid, kea_pw->pw_gid), 0);

  auto so = station_options();
  so.config_dir = state;  // The ready file is written after the drop.
  so.state_dir = state;
  so.run_dir = run;
  so.lease_file = kea_dir / "kea-leases4.csv";
  so.user = user.name();
  station_ = std::make_unique<station_process>(so);
  ASSERT_TRUE(station_->start());
  struct stat st {};
  ASSERT_EQ(::stat(("/proc/" + std::to_string(station_->pid())).c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, user.uid()) << "the station did not drop root";
  ASSERT_EQ(::stat(station_->socket_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, kea_gr->gr_gid);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  // The policy file follows the store; the first one is written at start.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (::stat(station_->policy_path().c_str(), &st) != 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(::stat(station_->policy_path().c_str(), &st), 0) << station_->log();
  EXPECT_EQ(st.st_uid, user.uid());
  EXPECT_EQ(st.st_gid, kea_gr->gr_gid) << "Kea cannot read the policy file";
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_GE(station_->metric("lease_reconciliations_total"), 1u) << station_->log();

  rig::kea_server::options ko;
  ko.netns = ns_->server_ns();
  ko.interfaces_json = "[\"" + ns_->server_if() + "\"]";
  ko.hook_library = PROVSTATION_HOOK_SO;
  ko.hook_parameters = fmt::format(
      R"({{"station-address": "{}", "event-socket": "{}", "policy-file": "{}", "policy-missing": "deny-all"}})",
      bench_server, station_->socket_path(), station_->policy_path());
  ko.run_as = "_kea";
  kea_ = std::make_unique<rig::kea_server>(ko, kea_dir);
  ASSERT_TRUE(kea_->start()) << kea_->log();
  ASSERT_EQ(::stat(("/proc/" + std::to_string(kea_->pid())).c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kea_pw->pw_uid) << "Kea does not run as _kea";

  // deny-all while the file is unreadable: option 66 proves the hook read the station's file.
  const auto r = rig::udhcpc(ns_->client_ns(), ns_->client_if(), "00:23:ab:00:00:01",
                             {"-V", "Cisco SPA525G2", "-O", "66"}, dir_.path());
  ASSERT_TRUE(r.bound) << r.output;
  EXPECT_EQ(r.env.count("tftp") ? r.env.at("tftp") : "", bench_server) << kea_->log();
  station_->settle(0, 10s);
  EXPECT_EQ(station_->metric("lease_events_received_total"), 1u);
  EXPECT_EQ(station_->metric("lease_events_refused_total"), 0u);
  std::map<std::string, std::string> ip_by_mac;
  for (const auto& u : station_->units()) {
    ip_by_mac[u["mac"].get<std::string>()] = u["ip"].get<std::string>();
  }
  EXPECT_EQ(ip_by_mac["0023ab000001"], r.env.at("ip"));

  // A process of group _kea that is not Kea's user may reach the socket, but its datagrams are
  // refused by their credentials.
  const passwd* nobody_static = ::getpwnam("nobody");
  ASSERT_NE(nobody_static, nullptr);
  const struct {
    uid_t pw_uid;
    gid_t pw_gid;
  } nobody_copy{nobody_static->pw_uid, nobody_static->pw_gid};
  const auto* nobody = &nobody_copy;
  const std::string forged =
      R"({"v":1,"boot_id":"00000000000000000000000000000000","seq":1,"type":"commit","mac":"0023ab0000ff","ip":"192.0.2.99","hostname":"","vendor_class":"Cisco SPA525G2","client_id":"","valid_lifetime":600,"at":1})";
  EXPECT_EQ(send_as(nobody->pw_uid, kea_gr->gr_gid, station_->socket_path(), forged), 0);
  EXPECT_NE(send_as(nobody->pw_uid, nobody->pw_gid, station_->socket_path(), forged), 0)
      << "the socket is open to everyone";
  const auto refused_deadline = std::chrono::steady_clock::now() + 5s;
  while (station_->metric("lease_events_refused_total") == 0 &&
         std::chrono::steady_clock::now() < refused_deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(station_->metric("lease_events_refused_total"), 1u);
  EXPECT_EQ(station_->metric("lease_events_received_total"), 1u);

  // The station stops cleanly as its own user (store, socket).
  EXPECT_EQ(station_->stop(), 0) << station_->log();
  const std::string log = station_->log();
  EXPECT_EQ(log.find(" error "), std::string::npos) << log;
  EXPECT_EQ(log.find(" critical "), std::string::npos) << log;
  EXPECT_EQ(log.find("policy file:"), std::string::npos) << log;
  // The lease from before the start, read from Kea's file by the dropped station.
  auto db = open_sqlite_store(station_->store_path(), create_mode::must_exist);
  ASSERT_TRUE(db.ok()) << db.message();
  EXPECT_EQ((*db)
                ->mac_at("192.0.2.150", std::numeric_limits<time_ms>::max() / 2)
                .value_or(mac_address{})
                .str(),
            "0023ab000009")
      << "not reconciled at start";
  // Everything the station created is its own, nothing root's (it would be unwritable later).
  for (const auto& e : fs::directory_iterator(state)) {
    const std::string name = e.path().filename().string();
    if (name == "provstation.toml" || name == "station.log") continue;  // The test's own.
    ASSERT_EQ(::lstat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, user.uid()) << e.path() << " is not the station user's";
  }
}

}  // namespace
}  // namespace provstation
