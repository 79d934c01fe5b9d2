// SPDX-License-Identifier: Apache-2.0
/// @file End-to-end tests of the hook in a real kea-dhcp4 inside network namespaces, with
/// busybox udhcpc as the phone and a Unix datagram listener standing in for the station.
#include "kea_rig.hpp"

#include <provstation/test/temp_dir.hpp>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <csignal>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace provstation::kea {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* station = "192.0.2.1";
constexpr const char* phone_mac = "00:23:ab:00:00:01";
constexpr const char* phone2_mac = "00:23:ab:00:00:02";
constexpr const char* laptop_mac = "02:00:5e:00:00:03";

// Writes a file the way the station does: to a temp name, then rename() over the old one.
void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << text;
  }
  std::filesystem::rename(tmp, path);
}

class KeaHookE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    for (const char* p : {"ip", "kea-dhcp4", "busybox"}) {
      if (!rig::have_program(p)) GTEST_SKIP() << p << " is not installed";
    }
    rig::netns_pair::reap_stale("pk");
    static std::atomic<int> counter{0};
    const std::string prefix = "pk" + std::to_string(::getpid()) + "x" + std::to_string(counter++);
    ns_ = std::make_unique<rig::netns_pair>(prefix, std::string(station) + "/24");
    ASSERT_TRUE(ns_->ok());
  }

  void TearDown() override {
    if (kea_ && HasFailure()) std::fprintf(stderr, "---- kea log ----\n%s\n", kea_->log().c_str());
    kea_.reset();
    listener_.reset();
    ns_.reset();
  }

  // The hook parameters every test starts from; `extra` adds members (",\"k\": v").
  std::string hook_parameters(const std::string& extra = "") const {
    return std::string(R"({"station-address": ")") + station +
           R"(", "tftp-server-addresses": ["192.0.2.1", "192.0.2.2"], "event-socket": ")" +
           dir_.file("events.sock") + "\"" + extra + "}";
  }

  void start_kea(const std::string& parameters, int valid_lifetime = 600,
                 const std::string& extra_json = "") {
    rig::kea_server::options o;
    o.valid_lifetime = valid_lifetime;
    o.extra_json = extra_json;
    o.netns = ns_->server_ns();
    o.interfaces_json = "[\"" + ns_->server_if() + "\"]";
    o.hook_library = PROVSTATION_HOOK_SO;
    o.hook_parameters = parameters;
    kea_ = std::make_unique<rig::kea_server>(o, dir_.path());
    ASSERT_TRUE(kea_->start()) << kea_->log();
  }

  void listen() { listener_ = std::make_unique<rig::event_listener>(dir_.file("events.sock")); }

  rig::dhcp_result phone(const char* mac, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"-V", "Cisco SPA525G2", "-O", "66", "-O", "150"};
    args.insert(args.end(), extra.begin(), extra.end());
    return rig::udhcpc(ns_->client_ns(), ns_->client_if(), mac, args, dir_.path());
  }

  json next_event(std::chrono::milliseconds timeout = 3s) {
    auto d = listener_->receive(timeout);
    if (!d) {
      ADD_FAILURE() << "no event within " << timeout.count() << " ms";
      return json::object();
    }
    return json::parse(*d);
  }

  test::temp_dir dir_;
  std::unique_ptr<rig::netns_pair> ns_;
  std::unique_ptr<rig::event_listener> listener_;
  std::unique_ptr<rig::kea_server> kea_;
};

// Verify that an SPA gets options 66 and 150 and that its commit event reaches the station.
TEST_F(KeaHookE2e, PhoneGetsOptionsAndEventArrives) {
  listen();
  start_kea(hook_parameters());
  const auto r = phone(phone_mac, {"-x", "hostname:spa-lab1"});
  ASSERT_TRUE(r.bound) << r.output;
  EXPECT_EQ(r.env.at("tftp"), station);
  EXPECT_EQ(r.env.count("opt150") ? r.env.at("opt150") : "", "c0000201c0000202");

  const json e = next_event();
  EXPECT_EQ(e.value("v", 0), 1);
  EXPECT_EQ(e.value("type", ""), "commit");
  EXPECT_EQ(e.value("seq", 0), 1);
  EXPECT_EQ(e.value("boot_id", "").size(), 32u);
  EXPECT_EQ(e.value("mac", ""), "0023ab000001");
  EXPECT_EQ(e.value("ip", ""), r.env.at("ip"));
  EXPECT_EQ(e.value("hostname", ""), "spa-lab1");
  EXPECT_EQ(e.value("vendor_class", ""), "Cisco SPA525G2");
  EXPECT_EQ(e.value("client_id", ""), "01:00:23:ab:00:00:01");
  EXPECT_EQ(e.value("valid_lifetime", 0), 600);
  EXPECT_NEAR(static_cast<double>(e.value("at", std::int64_t{0})),
              static_cast<double>(std::time(nullptr)), 60.0);
}

// Verify that a client that is not a phone gets neither option, but its lease is reported.
TEST_F(KeaHookE2e, NonPhoneGetsNothing) {
  listen();
  start_kea(hook_parameters());
  const auto r = rig::udhcpc(ns_->client_ns(), ns_->client_if(), laptop_mac,
                             {"-O", "66", "-O", "150"}, dir_.path());
  ASSERT_TRUE(r.bound) << r.output;
  EXPECT_FALSE(r.env.contains("tftp"));
  EXPECT_FALSE(r.env.contains("opt150"));
  const json e = next_event();
  EXPECT_EQ(e.value("type", ""), "commit");
  EXPECT_EQ(e.value("mac", ""), "02005e000003");
  EXPECT_EQ(e.value("vendor_class", "").rfind("udhcp ", 0), 0u);
}

// Verify commit, renew and release events from one running client, numbered without gaps
// under one boot_id.
TEST_F(KeaHookE2e, CommitRenewReleaseEvents) {
  listen();
  start_kea(hook_parameters());
  rig::must_run(
      {"ip", "-n", ns_->client_ns(), "link", "set", ns_->client_if(), "address", phone_mac});
  std::filesystem::remove(dir_.file("udhcpc-bound.env"));
  // No -q: udhcpc stays bound; SIGUSR1 makes it renew, SIGTERM with -R makes it release.
  rig::child_process client(
      {"ip", "netns", "exec", ns_->client_ns(), "busybox", "udhcpc", "-f", "-R", "-i",
       ns_->client_if(), "-V", "Cisco SPA525G2", "-s", rig::udhcpc_script(dir_.path()).string()},
      dir_.file("udhcpc.log"));
  const json commit = next_event();
  EXPECT_EQ(commit.value("type", ""), "commit");
  // The event leaves Kea before the ACK: wait until udhcpc itself is bound.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!rig::udhcpc_env(dir_.path()).contains("ip") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  client.signal(SIGUSR1);
  const json renew = next_event();
  EXPECT_EQ(renew.value("type", ""), "renew");
  EXPECT_EQ(client.stop(), 0);
  const json release = next_event();
  EXPECT_EQ(release.value("type", ""), "release");

  EXPECT_EQ(commit.value("seq", 0), 1);
  EXPECT_EQ(renew.value("seq", 0), 2);
  EXPECT_EQ(release.value("seq", 0), 3);
  EXPECT_EQ(commit.value("ip", ""), rig::udhcpc_env(dir_.path())["ip"]);
  EXPECT_EQ(renew.value("ip", ""), commit.value("ip", "x"));
  EXPECT_EQ(release.value("ip", ""), commit.value("ip", "x"));
  EXPECT_EQ(release.value("mac", ""), "0023ab000001");
  EXPECT_EQ(release.value("boot_id", ""), commit.value("boot_id", "x"));
  EXPECT_FALSE(listener_->receive(300ms).has_value());
}

// Verify that a lease Kea reclaims after its lifetime is reported as "expire" (lease4_expire),
// for the address and MAC that held it.
TEST_F(KeaHookE2e, ExpiredLeaseIsReported) {
  listen();
  start_kea(hook_parameters(), 4,
            R"(  "expired-leases-processing": {"reclaim-timer-wait-time": 1, )"
            R"("flush-reclaimed-timer-wait-time": 0, "hold-reclaimed-time": 0},)"
            "\n");
  const auto r = phone(phone_mac);  // -q: udhcpc exits bound and never renews or releases
  ASSERT_TRUE(r.bound) << r.output;
  const json commit = next_event();
  EXPECT_EQ(commit.value("type", ""), "commit");
  const json expire = next_event(10s);
  EXPECT_EQ(expire.value("type", ""), "expire");
  EXPECT_EQ(expire.value("ip", ""), r.env.at("ip"));
  EXPECT_EQ(expire.value("mac", ""), "0023ab000001");
  EXPECT_EQ(expire.value("seq", 0), 2);
  EXPECT_EQ(expire.value("boot_id", ""), commit.value("boot_id", "x"));
}

// Verify that a phone which finds its address already in use (ARP) and declines it produces a
// "decline" event for that address, then a commit for the next one.
TEST_F(KeaHookE2e, DeclinedAddressIsReported) {
  listen();
  start_kea(hook_parameters());
  // Another host answers ARP for the first pool address: the server side owns it.
  rig::must_run({"ip", "-n", ns_->server_ns(), "addr", "add", "192.0.2.100/32", "dev",
                 ns_->server_if()});
  const auto r = phone(phone_mac, {"-a"});
  ASSERT_TRUE(r.bound) << r.output;
  const json first = next_event();
  EXPECT_EQ(first.value("type", ""), "commit");
  EXPECT_EQ(first.value("ip", ""), "192.0.2.100");
  const json decline = next_event();
  EXPECT_EQ(decline.value("type", ""), "decline");
  EXPECT_EQ(decline.value("ip", ""), "192.0.2.100");
  EXPECT_EQ(decline.value("mac", ""), "0023ab000001");
  const json second = next_event();
  EXPECT_EQ(second.value("type", ""), "commit");
  EXPECT_NE(second.value("ip", ""), "192.0.2.100");
  EXPECT_EQ(second.value("ip", ""), r.env.at("ip"));
}

// Verify that a phone asking again for the lease it holds (a reboot) is reported as a renewal.
TEST_F(KeaHookE2e, SecondDoraIsRenew) {
  listen();
  start_kea(hook_parameters());
  ASSERT_TRUE(phone(phone_mac).bound);
  ASSERT_TRUE(phone(phone_mac).bound);
  EXPECT_EQ(next_event().value("type", ""), "commit");
  EXPECT_EQ(next_event().value("type", ""), "renew");
}

// Verify that each policy mode changes what a phone gets within one second of the write.
TEST_F(KeaHookE2e, PolicyModesApplyWithinOneSecond) {
  listen();
  const std::string policy = dir_.file("kea-policy");
  write_atomically(policy, "provstation-policy 1\nmode scanned\nscanned 0023ab000002\n");
  start_kea(
      hook_parameters(R"(, "policy-file": ")" + policy + R"(", "policy-missing": "deny-all")"));

  EXPECT_FALSE(phone(phone_mac).env.contains("tftp")) << "not scanned yet";
  EXPECT_TRUE(phone(phone2_mac).env.contains("tftp")) << "scanned";

  write_atomically(policy,
                   "provstation-policy 1\nmode scanned\nscanned 0023ab000001\n"
                   "scanned 0023ab000002\n");
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(phone(phone_mac).env.contains("tftp")) << "scanned now";

  write_atomically(policy, "provstation-policy 1\nmode not-shipped\nshipped 0023ab000001\n");
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(phone(phone_mac).env.contains("tftp")) << "shipped";
  EXPECT_TRUE(phone(phone2_mac).env.contains("tftp")) << "not shipped";

  write_atomically(policy, "provstation-policy 1\nmode all\n");
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(phone(phone_mac).env.contains("tftp")) << "mode all";

  std::filesystem::remove(policy);
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(phone(phone_mac).env.contains("tftp")) << "file gone: deny-all";
  const std::string log = kea_->log();
  EXPECT_NE(log.find("PROVSTATION_HOOK_POLICY_LOADED"), std::string::npos);
  EXPECT_NE(log.find("PROVSTATION_HOOK_POLICY_MISSING"), std::string::npos);
}

// Verify that Kea keeps serving with the station down, a garbage policy file, a binary
// option 60 and a huge hostname, and that the drops are logged.
TEST_F(KeaHookE2e, SurvivesStationDownAndHostileInput) {
  const std::string policy = dir_.write("kea-policy", std::string("\x7f"
                                                                  "ELF\x02\x01\0\0\xff",
                                                                  9));
  // No listener: the event socket path does not exist.
  start_kea(hook_parameters(R"(, "policy-file": ")" + policy + R"(", "mac-ouis": ["00:04:f2"])"));

  const auto binary =
      rig::udhcpc(ns_->client_ns(), ns_->client_if(), "00:04:f2:00:00:07",
                  {"-V", "", "-x", "0x3c:0000363dff00c3287f", "-O", "66"}, dir_.path());
  ASSERT_TRUE(binary.bound) << binary.output;
  EXPECT_TRUE(binary.env.contains("tftp")) << "matched by OUI, garbage policy = allow-all";

  const auto huge = phone(phone_mac, {"-x", "hostname:" + std::string(250, 'h')});
  ASSERT_TRUE(huge.bound) << huge.output;
  EXPECT_EQ(huge.env.at("tftp"), station);

  EXPECT_TRUE(kea_->running());
  // The first drop is reported at once; later ones at most every 10 s.
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (kea_->log().find("PROVSTATION_HOOK_EVENTS_DROPPED") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  const std::string log = kea_->log();
  EXPECT_NE(log.find("PROVSTATION_HOOK_EVENTS_DROPPED"), std::string::npos);
  EXPECT_NE(log.find("PROVSTATION_HOOK_POLICY_INVALID"), std::string::npos);

  // The station comes up: events flow again without restarting Kea. The previous phone's
  // event may still be in the sender's 50 ms batch and arrive first (not lost, then).
  listen();
  ASSERT_TRUE(phone(phone2_mac).bound);
  json e = next_event();
  if (e.value("mac", "") == "0023ab000001") {
    EXPECT_EQ(e.value("seq", 0), 2);
    e = next_event();
  }
  EXPECT_EQ(e.value("mac", ""), "0023ab000002");
  EXPECT_EQ(e.value("seq", 0), 3);
  EXPECT_EQ(kea_->stop(), 0);
  EXPECT_NE(kea_->log().find("PROVSTATION_HOOK_UNLOADED"), std::string::npos);
}

// Verify that bad parameters stop Kea from starting, with one message per mistake.
TEST_F(KeaHookE2e, BadParametersRefused) {
  rig::kea_server::options o;
  o.netns = ns_->server_ns();
  o.interfaces_json = "[\"" + ns_->server_if() + "\"]";
  o.hook_library = PROVSTATION_HOOK_SO;
  o.hook_parameters = R"({"station-address": "bad name", "honour-prl": "yes"})";
  kea_ = std::make_unique<rig::kea_server>(o, dir_.path());
  EXPECT_FALSE(kea_->start(10s));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (kea_->running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_FALSE(kea_->running());
  const std::string log = kea_->log();
  EXPECT_NE(log.find("PROVSTATION_HOOK_BAD_PARAMETER bad parameter of the provstation hook: "
                     "'station-address' must be an IPv4 address or a host name, not \"bad name\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("'honour-prl' must be a boolean"), std::string::npos) << log;
}

// Verify the permissions the README prescribes with Kea running as _kea, as Debian runs it:
// the station's directory is group _kea (0750), the socket 0660, the policy file 0640.
TEST_F(KeaHookE2e, WorksAsKeaUser) {
  const passwd* kea_user = ::getpwnam("_kea");
  if (kea_user == nullptr || !rig::have_program("setpriv")) GTEST_SKIP() << "no _kea user";
  const gid_t kea_group = kea_user->pw_gid;
  // Kea's own files (config, leases, log, pid, lock) live in the test dir: _kea owns it.
  ASSERT_EQ(::chown(dir_.path().c_str(), kea_user->pw_uid, kea_group), 0);
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  // The station's directory: root's, readable by group _kea only.
  const std::filesystem::path station_dir = dir_.path() / "station";
  std::filesystem::create_directory(station_dir);
  ASSERT_EQ(::chown(station_dir.c_str(), 0, kea_group), 0);
  ASSERT_EQ(::chmod(station_dir.c_str(), 0750), 0);
  const std::string socket_path = (station_dir / "kea-events.sock").string();
  const std::string policy = (station_dir / "kea-policy").string();
  write_atomically(policy, "provstation-policy 1\nmode scanned\nscanned 0023ab000001\n");
  ASSERT_EQ(::chown(policy.c_str(), 0, kea_group), 0);
  ASSERT_EQ(::chmod(policy.c_str(), 0640), 0);
  listener_ = std::make_unique<rig::event_listener>(socket_path);
  ASSERT_EQ(::chown(socket_path.c_str(), 0, kea_group), 0);
  ASSERT_EQ(::chmod(socket_path.c_str(), 0660), 0);

  rig::kea_server::options o;
  o.netns = ns_->server_ns();
  o.interfaces_json = "[\"" + ns_->server_if() + "\"]";
  o.hook_library = PROVSTATION_HOOK_SO;
  o.hook_parameters = std::string(R"({"station-address": ")") + station +
                      R"(", "event-socket": ")" + socket_path + R"(", "policy-file": ")" + policy +
                      R"(", "policy-missing": "deny-all"})";
  o.run_as = "_kea";
  kea_ = std::make_unique<rig::kea_server>(o, dir_.path());
  ASSERT_TRUE(kea_->start()) << kea_->log();
  struct stat proc {};
  ASSERT_EQ(::stat(("/proc/" + std::to_string(kea_->pid())).c_str(), &proc), 0);
  EXPECT_EQ(proc.st_uid, kea_user->pw_uid) << "Kea does not run as _kea";

  const auto r = phone(phone_mac);
  ASSERT_TRUE(r.bound) << r.output;
  EXPECT_EQ(r.env.count("tftp") ? r.env.at("tftp") : "", station) << "policy file unreadable?";
  const json e = next_event();
  EXPECT_EQ(e.value("mac", ""), "0023ab000001");
  const std::string log = kea_->log();
  EXPECT_NE(log.find("PROVSTATION_HOOK_POLICY_LOADED"), std::string::npos) << log;

  // Without group access the hook cannot read the file, logs it, and applies policy-missing.
  ASSERT_EQ(::chmod(policy.c_str(), 0600), 0);
  write_atomically(policy, "provstation-policy 1\nmode all\n");  // rename: a new inode, 0644
  ASSERT_EQ(::chmod(policy.c_str(), 0600), 0);
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(phone(phone_mac).env.contains("tftp"));
  EXPECT_NE(kea_->log().find("PROVSTATION_HOOK_POLICY_UNREADABLE"), std::string::npos);
}

// Loopback rig for volume: perfdhcp acts as a relay from 127.0.0.2 to Kea on 127.0.0.1 inside a
// namespace, so no real interface sees a packet.
class KeaHookVolume : public KeaHookE2e {
 protected:
  void SetUp() override {
    KeaHookE2e::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!rig::have_program("perfdhcp")) GTEST_SKIP() << "perfdhcp is not installed";
    rig::must_run({"ip", "-n", ns_->server_ns(), "addr", "add", "127.0.0.2/8", "dev", "lo"});
  }

  // Runs perfdhcp at `rate` DORA/s for `seconds` with option 60 of an SPA, and checks that
  // every lease Kea wrote to its lease file arrived once as an event, numbered without a gap.
  void run_volume(int rate, int seconds, bool multi_threading) {
    rig::kea_server::options o;
    o.netns = ns_->server_ns();
    o.interfaces_json = R"(["lo/127.0.0.1"])";
    o.socket_type = "udp";
    o.subnet = "10.0.0.0/8";
    o.pool = "10.0.0.1 - 10.255.255.254";
    o.relay_json = R"("relay": {"ip-addresses": ["127.0.0.2"]},)";
    o.hook_library = PROVSTATION_HOOK_SO;
    o.hook_parameters = hook_parameters();
    o.severity = "WARN";
    o.multi_threading = multi_threading;
    o.valid_lifetime = 3600;
    listen();
    std::atomic<bool> done{false};
    std::vector<std::string> events;
    std::thread reader([&] {
      while (!done) {
        if (auto d = listener_->receive(100ms)) events.push_back(std::move(*d));
      }
      for (auto d : listener_->drain(300ms)) events.push_back(std::move(d));
    });
    kea_ = std::make_unique<rig::kea_server>(o, dir_.path());
    const bool started = kea_->start();
    std::string perf_output;
    if (started) {
      std::string vc_hex;
      for (unsigned char c : std::string("Cisco SPA525G2")) {
        char b[3];
        std::snprintf(b, sizeof b, "%02x", c);
        vc_hex += b;
      }
      const rig::run_result perf =
          rig::run({"ip", "netns", "exec", ns_->server_ns(), "perfdhcp", "-4", "-l", "127.0.0.2",
                    "-o", "60," + vc_hex, "-r", std::to_string(rate), "-p", std::to_string(seconds),
                    "-R", "100000000", "127.0.0.1"},
                   std::chrono::seconds(seconds + 30));
      perf_output = perf.output;
      // perfdhcp exits 3 when some exchanges got no answer, which a loaded 2-core machine
      // causes; what this test checks is that every lease Kea committed arrived as an event.
      EXPECT_TRUE(perf.exit_code == 0 || perf.exit_code == 3) << perf.output;
      // SIGTERM: unload() flushes the queue before Kea exits.
      EXPECT_EQ(kea_->stop(), 0);
    }
    done = true;
    reader.join();
    ASSERT_TRUE(started) << kea_->log();

    std::ifstream leases(kea_->lease_file());
    std::string line;
    std::size_t committed = 0;
    std::getline(leases, line);  // The header.
    while (std::getline(leases, line)) ++committed;

    std::set<std::uint64_t> seqs;
    std::set<std::string> boots;
    for (const auto& d : events) {
      const json e = json::parse(d);
      EXPECT_TRUE(seqs.insert(e.value("seq", std::uint64_t{0})).second) << "duplicate " << d;
      boots.insert(e.value("boot_id", ""));
      const std::string type = e.value("type", "");
      EXPECT_TRUE(type == "commit" || type == "renew") << d;
    }
    const std::size_t min_expected = static_cast<std::size_t>(rate * seconds * 7 / 10);
    EXPECT_GE(committed, min_expected) << perf_output;
    EXPECT_EQ(events.size(), committed) << perf_output;
    EXPECT_EQ(boots.size(), 1u);
    if (!seqs.empty()) {
      EXPECT_EQ(*seqs.begin(), 1u);
      EXPECT_EQ(*seqs.rbegin(), seqs.size()) << "a gap in seq";
    }
    const std::string log = kea_->log();
    EXPECT_EQ(log.find("EVENTS_DROPPED"), std::string::npos) << log;
    EXPECT_NE(log.find(", " + std::to_string(events.size()) + " sent, 0 dropped"),
              std::string::npos)
        << log;
    std::fprintf(stderr, "volume: rate=%d/s for %d s, mt=%d: leases_committed=%zu events=%zu\n",
                 rate, seconds, multi_threading ? 1 : 0, committed, events.size());
  }
};

// Verify that at 300 leases/s every committed lease arrives once, none lost, none duplicated.
TEST_F(KeaHookVolume, EveryCommittedLeaseArrivesOnce) {
  run_volume(300, 10, false);
}

// Verify the same with Kea's multi-threading on (packet callouts run in parallel).
TEST_F(KeaHookVolume, EveryCommittedLeaseArrivesOnceMultiThreaded) {
  run_volume(300, 10, true);
}

// Verify that Kea accepts the hook with multi-threading on and that a real client is served.
TEST_F(KeaHookE2e, MultiThreadedKeaServesPhones) {
  listen();
  rig::kea_server::options o;
  o.netns = ns_->server_ns();
  o.interfaces_json = "[\"" + ns_->server_if() + "\"]";
  o.hook_library = PROVSTATION_HOOK_SO;
  o.hook_parameters = hook_parameters();
  o.multi_threading = true;
  kea_ = std::make_unique<rig::kea_server>(o, dir_.path());
  ASSERT_TRUE(kea_->start()) << kea_->log();
  const auto r = phone(phone_mac);
  ASSERT_TRUE(r.bound) << r.output;
  EXPECT_EQ(r.env.at("tftp"), station);
  EXPECT_EQ(next_event().value("type", ""), "commit");
  EXPECT_NE(kea_->log().find("DHCP4_MULTI_THREADING_INFO enabled: yes, number of threads: 2"),
            std::string::npos)
      << kea_->log();
}

}  // namespace
}  // namespace provstation::kea
