// SPDX-License-Identifier: Apache-2.0
/// @file The spine end to end: real kea-dhcp4 with our hook, the station and simulated SPA
/// phones in network namespaces, from factory default to VERIFIED (and one wrong box).
#include "app/bench_lab.hpp"
#include "app/http_client.hpp"

#include <provstation/store.hpp>
#include <provstation/test/temp_dir.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace provstation::app {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

lab_programs programs() {
  lab_programs p;
  p.provstation = PROVSTATION_EXE;
  p.phonesim = PROVSTATION_PHONESIM_EXE;
  p.hook = PROVSTATION_HOOK_SO;
  p = [&] {
    auto found = lab_programs::find();
    p.kea = found.kea;
    return p;
  }();
  return p;
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::istringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

class BenchE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
  }
  test::temp_dir dir_;
};

// Verify that five phones go from factory default to VERIFIED through real Kea, that a sixth
// phone in the wrong box ends FAILED "wrong box", that the store holds every fact and stage
// change with its time, and that `provstation export` writes the CSV.
TEST_F(BenchE2e, FivePhonesVerifiedAndOneWrongBox) {
  const auto started = std::chrono::steady_clock::now();
  bench_lab::options o;
  o.dir = dir_.path().string();
  o.extra_config = {"[profiles]", "resync_periodic = 20", "resync_error_retry_delay = 10",
                    "upgrade_error_retry_delay = 10"};
  auto lab_or = bench_lab::create(o, programs());
  ASSERT_TRUE(lab_or.ok()) << lab_or.message();
  auto& lab = **lab_or;

  const std::string image = o.dir + "/spa525g-7-5-5.bin";
  std::string out;
  ASSERT_EQ(run_command({PROVSTATION_PHONESIM_EXE, "make-firmware", "--models", "SPA525G,SPA525G2",
                         "--version", "7.5.5", "--size", "1048576", "--out", image},
                        &out),
            0)
      << out;
  auto added =
      lab.station_cli({"firmware", "add", image, "--model", "SPA525G2", "--version", "7.5.5"});
  ASSERT_TRUE(added.ok()) << added.message();
  auto batch = lab.station_cli({"batch", "create", "order-e2e", "--target", "SPA525G2=7.5.5",
                                "--default-model", "SPA525G2"});
  ASSERT_TRUE(batch.ok()) << batch.message();

  auto port = lab.start_station();
  ASSERT_TRUE(port.ok()) << port.message();
  ASSERT_TRUE(lab.start_kea().ok());

  // The boxes are scanned before the phones are plugged in: scan the manifest, then boot.
  const std::string manifest = o.dir + "/manifest.csv";
  ASSERT_TRUE(lab.start_fleet({"--count", "6", "--model", "SPA525G2", "--swver", "7.4.9c",
                               "--time-scale", "0.1", "--wrong-box", "6", "--manifest", manifest})
                  .ok());
  std::vector<std::vector<std::string>> boxes;
  for (int i = 0; i < 200 && boxes.size() < 7; ++i) {
    boxes = read_csv(manifest);
    if (boxes.size() < 7) std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(boxes.size(), 7u) << "manifest: header + 6 boxes";
  std::map<std::string, std::string> box_serial;
  for (std::size_t i = 1; i < boxes.size(); ++i) {
    const auto& b = boxes[i];
    auto r = http_request("127.0.0.1", *port, "POST", "/api/scans?session=e2e",
                          fmt::format("MAC: {}\n{}\n{}\n", b[0], b[1], b[2]));
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(r->status, 201) << r->body;
    box_serial[b[0]] = b[1];
  }

  // Wait for five VERIFIED and one FAILED.
  json units;
  int verified = 0;
  int failed = 0;
  const auto deadline = std::chrono::steady_clock::now() + 150s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http_request("127.0.0.1", *port, "GET", "/api/units");
    ASSERT_TRUE(r.ok()) << r.message();
    units = json::parse(r->body);
    verified = units["counts"]["VERIFIED"].get<int>();
    failed = units["counts"]["FAILED"].get<int>();
    if (verified == 5 && failed == 1) break;
    ASSERT_TRUE(lab.station_running()) << "the station died; see " << o.dir << "/station.log";
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_EQ(verified, 5) << units.dump(2);
  ASSERT_EQ(failed, 1) << units.dump(2);
  std::string wrong_mac;
  for (const auto& u : units["units"]) {
    EXPECT_FALSE(u["unscanned"].get<bool>()) << u.dump();
    if (u["stage"] == "FAILED") {
      wrong_mac = u["mac"].get<std::string>();
      EXPECT_TRUE(u["failure"]["reason"].get<std::string>().starts_with("wrong box")) << u.dump();
    } else {
      EXPECT_EQ(u["reported"]["version"], "7.5.5");
      EXPECT_EQ(u["reported"]["serial"], box_serial[u["mac"].get<std::string>()]);
    }
  }
  EXPECT_EQ(wrong_mac, boxes[6][0]);

  // The store holds every fact and stage change with its time.
  auto db = open_sqlite_store(lab.store_path(), create_mode::must_exist);
  ASSERT_TRUE(db.ok()) << db.message();
  for (const auto& u : (*db)->units()) {
    std::set<std::string> kinds;
    std::vector<std::string> stages;
    for (const auto& f : (*db)->facts_for_unit(u.id, 1000)) {
      EXPECT_GT(f.at, 0) << f.kind;
      kinds.insert(f.kind);
      if (f.kind == "stage") stages.push_back(json::parse(f.detail)["to"].get<std::string>());
    }
    for (const char* k : {"scan", "lease", "seed_delivered", "firmware_started",
                          "firmware_completed", "upgrade_succeeded", "profile_delivered"}) {
      EXPECT_TRUE(kinds.contains(k)) << u.mac.str() << " lacks " << k;
    }
    ASSERT_FALSE(stages.empty());
    EXPECT_EQ(stages.front(), "SCANNED");
    EXPECT_EQ(stages.back(), u.mac.str() == wrong_mac ? "FAILED" : "VERIFIED") << u.mac.str();
    if (u.mac.str() != wrong_mac) EXPECT_GT(u.verified_at, 0);
  }

  // The provider's CSV: header plus the five verified units.
  const std::string csv = o.dir + "/export.csv";
  auto exported = lab.station_cli({"export", "--batch", "order-e2e", "--out", csv});
  ASSERT_TRUE(exported.ok()) << exported.message();
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"mac", "serial", "model", "firmware", "account",
                                               "batch", "verified_at", "shipped_at"}));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0].size(), 12u);
    EXPECT_NE(rows[i][0], mac_address::parse(wrong_mac)->upper());
    EXPECT_EQ(rows[i][3], "7.5.5");
    EXPECT_EQ(rows[i][5], "order-e2e");
  }

  const auto secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("e2e: %d/5 VERIFIED in %.1f s\n", verified, secs);
}

}  // namespace
}  // namespace provstation::app
