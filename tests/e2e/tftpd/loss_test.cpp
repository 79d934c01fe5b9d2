// SPDX-License-Identifier: Apache-2.0
/// @file Packet loss end to end: the server (provstation-tftpd) and real clients run inside a
/// private network namespace where an nftables rule on the input hook drops 2 % or 10 % of UDP
/// packets in both directions; every transfer must complete byte-exact. Needs root, ip and nft.
#include "harness.hpp"

#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include <csignal>
#include <unistd.h>

namespace provstation::tftpd::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* server_port = "6969";

std::string ns_prefix() { return "pvst-tftpd-" + std::to_string(::getpid()) + "-"; }

// Removes namespaces a crashed earlier run of this test left behind (their pid is gone).
void remove_stale_namespaces() {
  const auto r = run_process({"ip", "netns", "list"}, "", seconds(5));
  std::size_t pos = 0;
  while ((pos = r.output.find("pvst-tftpd-", pos)) != std::string::npos) {
    const auto end = r.output.find_first_of(" \n", pos);
    const std::string name = r.output.substr(pos, end - pos);
    pos = end;
    const auto pid_begin = std::string("pvst-tftpd-").size();
    const auto pid_end = name.find('-', pid_begin);
    const int pid = std::atoi(name.substr(pid_begin, pid_end - pid_begin).c_str());
    if (pid > 0 && ::kill(pid, 0) != 0) run_process({"ip", "netns", "del", name}, "", seconds(5));
  }
}

class TftpLoss : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    for (const char* p : {"ip", "nft", "curl"}) {
      if (!have_program(p)) GTEST_SKIP() << p << " not installed";
    }
    remove_stale_namespaces();
    static int counter = 0;
    ns_ = ns_prefix() + std::to_string(counter++);
    auto r = run_process({"ip", "netns", "add", ns_}, "", seconds(10));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    created_ = true;
    r = in_ns({"ip", "link", "set", "lo", "up"});
    ASSERT_EQ(r.exit_code, 0) << r.output;

    write_random_file(root_.file("f256K"), 256 * 1024, 11);
    server_pid_ = spawn_background(
        ns_cmd({PROVSTATION_TFTPD_BIN, "--root", root_.path().string(), "--listen",
                std::string("127.0.0.1:") + server_port, "--max-per-client", "1000",
                "--max-blksize", "65464", "--log-level", "warn"}),
        root_.file("server.log"));
    ASSERT_GT(server_pid_, 0);
    // Ready when a request for a missing file is refused (curl exit 68).
    bool ready = false;
    for (int i = 0; i < 50 && !ready; ++i) {
      std::this_thread::sleep_for(milliseconds(50));
      ready = in_ns({"curl", "-s", "--max-time", "2",
                     std::string("tftp://127.0.0.1:") + server_port + "/missing"})
                  .exit_code == 68;
    }
    ASSERT_TRUE(ready) << "server did not start";
  }

  void TearDown() override {
    stop_process(server_pid_);
    if (created_) run_process({"ip", "netns", "del", ns_}, "", seconds(10));
  }

  std::vector<std::string> ns_cmd(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"ip", "netns", "exec", ns_});
    return argv;
  }

  process_result in_ns(std::vector<std::string> argv, seconds timeout = seconds(20)) const {
    return run_process(ns_cmd(std::move(argv)), out_.path().string(), timeout);
  }

  void set_loss(int per_mille) {
    in_ns({"nft", "delete", "table", "inet", "lossy"});
    ASSERT_EQ(in_ns({"nft", "add", "table", "inet", "lossy"}).exit_code, 0);
    ASSERT_EQ(in_ns({"nft", "add chain inet lossy inp { type filter hook input priority 0; "
                            "policy accept; }"})
                  .exit_code,
              0);
    const auto r = in_ns({"nft", "add rule inet lossy inp meta l4proto udp numgen random mod 1000 < " +
                                     std::to_string(per_mille) + " counter drop"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  std::uint64_t dropped() const {
    const auto r = in_ns({"nft", "list", "table", "inet", "lossy"});
    const auto pos = r.output.find("packets ");
    return pos == std::string::npos ? 0 : std::stoull(r.output.substr(pos + 8));
  }

  // Runs one download in the namespace; returns seconds taken, or a negative value on failure.
  double download(const std::string& client, int run) {
    const std::string out = out_.file(client + std::to_string(run));
    const std::string url = std::string("tftp://127.0.0.1:") + server_port + "/f256K";
    std::vector<std::string> cmd;
    if (client == "curl") {
      cmd = {"curl", "-s", "-S", "--max-time", "60", "--tftp-blksize", "1468", "-o", out, url};
    } else if (client == "busybox") {
      cmd = {"busybox", "tftp", "-g", "-b", "1468", "-r", "f256K", "-l", out, "127.0.0.1",
             server_port};
    } else if (client == "tftp-hpa") {
      cmd = {"tftp", "127.0.0.1", server_port, "-m", "binary", "-c", "get", "f256K", out};
    } else if (client == "atftp-w16") {
      cmd = {"atftp", "-g", "-r", "f256K", "-l", out, "--option", "blksize 1468", "--option",
             "windowsize 16", "127.0.0.1", server_port};
    } else {
      cmd = {PROVSTATION_TFTP_LOAD_BIN, "-s", std::string("127.0.0.1:") + server_port, "f256K",
             "-b", "1468", "-w", "16", "--client-rto-ms", "500", "--verify-dir",
             root_.path().string()};
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = in_ns(cmd, seconds(90));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // atftp 0.8.0 aborts when the server repeats its OACK because the client's ACK 0 was
    // lost, which RFC 2347 recovery requires; counted apart and retried, never hidden.
    if (client == "atftp-w16" && r.exit_code != 0 &&
        r.output.find("unexpected OACK") != std::string::npos) {
      ++atftp_oack_aborts_;
      return -2;
    }
    EXPECT_FALSE(r.timed_out) << client << " run " << run << ": " << r.output;
    EXPECT_EQ(r.exit_code, 0) << client << " run " << run << ": " << r.output;
    if (r.exit_code != 0) return -1;
    if (client != "tftp-load-w16") {
      EXPECT_EQ(sha256_file(out), sha256_file(root_.file("f256K"))) << client << " run " << run;
    }
    return s;
  }

  // Downloads `runs` times with each client; prints and returns the median per client.
  std::map<std::string, double> run_all(int runs) {
    std::map<std::string, double> medians;
    for (const std::string client : {"curl", "busybox", "tftp-hpa", "atftp-w16", "tftp-load-w16"}) {
      const std::string prog = client == "tftp-hpa"   ? "tftp"
                               : client == "atftp-w16" ? "atftp"
                               : client == "busybox"   ? "busybox"
                                                       : "";
      if (!prog.empty() && !have_program(prog)) continue;
      std::vector<double> times;
      for (int i = 0; i < runs; ++i) {
        double s = download(client, i);
        for (int retry = 0; retry < 3 && s == -2; ++retry) s = download(client, i);
        if (s >= 0) times.push_back(s);
      }
      if (times.empty()) continue;
      std::sort(times.begin(), times.end());
      medians[client] = times[times.size() / 2];
      std::printf("loss: %-14s runs=%zu median=%.3fs min=%.3fs max=%.3fs\n", client.c_str(),
                  times.size(), medians[client], times.front(), times.back());
    }
    std::printf("loss: %llu packets dropped by nftables; atftp aborts on a repeated OACK: %d\n",
                static_cast<unsigned long long>(dropped()), atftp_oack_aborts_);
    return medians;
  }

  provstation::test::temp_dir root_;
  provstation::test::temp_dir out_;
  std::string ns_;
  bool created_ = false;
  int server_pid_ = -1;
  int atftp_oack_aborts_ = 0;
};

// Verify that at 2 % loss every client gets the 256 KiB file byte-exact, and that the adaptive
// timer keeps curl's median far below the peers' 26-50 s (curl asks for timeout 6, declined).
TEST_F(TftpLoss, TwoPercentAllClientsComplete) {
  set_loss(20);
  const auto medians = run_all(7);
  ASSERT_TRUE(medians.count("curl"));
  EXPECT_LT(medians.at("curl"), 3.0);
  EXPECT_GT(dropped(), 0U);
}

// Verify that at 10 % loss every client still gets the file byte-exact.
TEST_F(TftpLoss, TenPercentAllClientsComplete) {
  set_loss(100);
  run_all(3);
  EXPECT_GT(dropped(), 0U);
}

// Verify that blksize is clamped to the MTU of the interface the request came in on: with the
// namespace's lo at MTU 1500 a request for 8192 gets 1468 (1500 - 20 - 8 - 4), byte-exact.
TEST_F(TftpLoss, BlksizeClampedToInterfaceMtu) {
  ASSERT_EQ(in_ns({"ip", "link", "set", "lo", "mtu", "1500"}).exit_code, 0);
  // The server reads an interface's MTU again after 10 s at most; wait that out.
  std::this_thread::sleep_for(seconds(11));
  const std::string out = out_.file("mtu.bin");
  const auto r = in_ns({"curl", "-v", "-s", "-S", "--tftp-blksize", "8192", "-o", out,
                        std::string("tftp://127.0.0.1:") + server_port + "/f256K"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("got option=(blksize) value=(1468)"), std::string::npos) << r.output;
  EXPECT_EQ(sha256_file(out), sha256_file(root_.file("f256K")));
}

}  // namespace
}  // namespace provstation::tftpd::test
