// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the tracker and its operations over a real SQLite file.
#include <provstation/tracker.hpp>

#include <provstation/operations.hpp>
#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <atomic>
#include <future>
#include <thread>

namespace provstation {
namespace {

class TrackerTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void TearDown() override {
    if (t_) t_->stop();
  }

  void open() {
    if (t_) t_->stop();
    auto db = open_sqlite_store(dir_.file("station.db"), create_mode::if_missing);
    ASSERT_TRUE(db.ok()) << db.message();
    tracker::options opts;
    opts.check_timeouts = false;
    t_ = std::make_unique<tracker>(
        std::move(*db), [this] { return now_.load(); }, opts);
    t_->start();
  }

  nlohmann::json scan(const char* mac, const char* serial, const char* model = "SPA525G2") {
    scan_request r;
    r.mac = *mac_address::parse(mac);
    r.serial = serial;
    r.model = model;
    r.raw = std::string(mac) + " " + serial;
    auto out = t_->run(op_scan(r));
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : nlohmann::json{};
  }

  test::temp_dir dir_;
  std::atomic<time_ms> now_{1'700'000'000'000};
  std::unique_ptr<tracker> t_;
};

// Verify that operations nobody waits for (lease events) share one commit, and that an urgent
// one (a scan) does not wait for the gathering window but takes the waiting ones along.
TEST_F(TrackerTest, LeaseEventsShareACommitAndScansDoNotWait) {
  const auto before = t_->transactions();
  std::atomic<int> acked{0};
  for (int i = 0; i < 50; ++i) {
    lease_change c;
    c.active = true;
    c.mac = *mac_address::parse(fmt::format("0200000000{:02x}", i));
    c.ip = fmt::format("10.0.0.{}", i + 1);
    c.at = now_.load();
    c.type = "commit";
    ASSERT_TRUE(t_->submit(op_lease(c), [&](result<nlohmann::json>) { ++acked; },
                           tracker::urgency::can_wait));
  }
  // The scan's acknowledgement comes after the leases queued before it were committed too.
  scan("0023ab000001", "CBT141900G7");
  EXPECT_EQ(acked.load(), 50);
  EXPECT_LE(t_->transactions() - before, 3u);
  for (int i = 0; i < 100 && t_->read_model().mac_at_ip("10.0.0.50") == std::nullopt; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(t_->read_model().mac_at_ip("10.0.0.50"), *mac_address::parse("020000000031"));
  // Alone, a lease event is still committed within the gathering window (50 ms), not lost.
  lease_change c;
  c.active = true;
  c.mac = *mac_address::parse("020000000099");
  c.ip = "10.0.1.1";
  c.at = now_.load();
  c.type = "commit";
  std::promise<void> done;
  ASSERT_TRUE(t_->submit(op_lease(c), [&](result<nlohmann::json>) { done.set_value(); },
                         tracker::urgency::can_wait));
  EXPECT_EQ(done.get_future().wait_for(std::chrono::seconds(2)), std::future_status::ready);
}

// Verify that a scan is acknowledged with the new unit and is visible in the read model.
TEST_F(TrackerTest, ScanCreatesUnit) {
  auto out = scan("0023ab000001", "CBT141900G7");
  EXPECT_TRUE(out["ok"].get<bool>());
  EXPECT_EQ(out["unit"]["stage"], "SCANNED");
  auto u = t_->read_model().unit(*mac_address::parse("0023ab000001"));
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->serial, "CBT141900G7");
}

// Verify that a duplicate MAC and a duplicate serial are refused, naming the existing unit.
TEST_F(TrackerTest, DuplicatesAreRefused) {
  scan("0023ab000001", "CBT141900G7");
  auto dup_mac = scan("0023ab000001", "CBT141900G8");
  EXPECT_FALSE(dup_mac["ok"].get<bool>());
  EXPECT_EQ(dup_mac["error"], "MAC 0023AB000001 is already scanned (serial CBT141900G7, SCANNED)");
  auto dup_serial = scan("0023ab000002", "CBT141900G7");
  EXPECT_FALSE(dup_serial["ok"].get<bool>());
  EXPECT_EQ(dup_serial["error"],
            "serial CBT141900G7 is already scanned for MAC 0023AB000001 (SCANNED)");
  EXPECT_EQ(t_->read_model().units().size(), 1u);
}

// Verify that a phone seen on DHCP first is an unscanned unit, and its box scan merges.
TEST_F(TrackerTest, UnscannedUnitMergesOnScan) {
  lease_change c;
  c.ip = "192.0.2.50";
  c.mac = *mac_address::parse("0023ab000003");
  c.at = now_;
  c.type = "commit";
  ASSERT_TRUE(t_->run(op_lease(c)).ok());
  auto u = t_->read_model().unit(c.mac);
  ASSERT_TRUE(u.has_value());
  EXPECT_TRUE(u->unscanned);
  EXPECT_EQ(u->current, stage::leased);
  EXPECT_EQ(t_->read_model().mac_at_ip("192.0.2.50"), c.mac);
  auto out = scan("0023ab000003", "CBT141900AA");
  EXPECT_TRUE(out["ok"].get<bool>());
  EXPECT_TRUE(out["merged"].get<bool>());
  EXPECT_EQ(out["unit"]["stage"], "LEASED");
  EXPECT_FALSE(out["unit"]["unscanned"].get<bool>());
}

// Verify that a non-phone's lease is kept for identity but creates no unit.
TEST_F(TrackerTest, NonPhoneLeaseCreatesNoUnit) {
  EXPECT_TRUE(is_phone_vendor_class("Cisco SPA525G2"));
  EXPECT_TRUE(is_phone_vendor_class("LINKSYS SPA-942"));
  EXPECT_FALSE(is_phone_vendor_class("udhcp 1.35.0"));
  EXPECT_FALSE(is_phone_vendor_class("MSFT 5.0"));
  lease_change c;
  c.ip = "192.0.2.70";
  c.mac = *mac_address::parse("0800270000aa");
  c.at = now_;
  c.vendor_class = "MSFT 5.0";
  c.phone = is_phone_vendor_class(c.vendor_class);
  ASSERT_TRUE(t_->run(op_lease(c)).ok());
  EXPECT_FALSE(t_->read_model().unit(c.mac).has_value());
  EXPECT_EQ(t_->read_model().mac_at_ip("192.0.2.70"), c.mac);
}

// Verify that a transfer from an address is attributed to the MAC holding it at that time.
TEST_F(TrackerTest, AttributesByLeaseHistory) {
  scan("0023ab000004", "CBT141900AB");
  lease_change c;
  c.ip = "192.0.2.60";
  c.mac = *mac_address::parse("0023ab000004");
  c.at = now_;
  ASSERT_TRUE(t_->run(op_lease(c)).ok());
  evidence e;
  e.kind = evidence_kind::seed_delivered;
  e.ip = "192.0.2.60";
  e.at = now_ + 5;
  auto out = t_->run(op_observe(e));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)["mac"], "0023ab000004");
  EXPECT_EQ((*out)["stage"], "SEEDED");
  // Before the lease began nobody held the address: that is an alert, not a unit.
  e.at = now_ - 1000;
  out = t_->run(op_observe(e));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE((*out)["unattributed"].get<bool>());
}

// Verify that every acknowledged scan survives closing and reopening the store.
TEST_F(TrackerTest, AcknowledgedChangesSurviveRestart) {
  std::atomic<int> acked{0};
  for (int i = 0; i < 200; ++i) {
    scan_request r;
    r.mac = *mac_address::parse(fmt::format("0023ab10{:04x}", i));
    r.serial = fmt::format("SER{:08d}", i);
    ASSERT_TRUE(t_->submit(op_scan(r), [&](result<nlohmann::json> res) {
      if (res.ok() && (*res)["ok"].get<bool>()) ++acked;
    }));
  }
  t_->stop();
  EXPECT_EQ(acked.load(), 200);
  EXPECT_LT(t_->transactions(), 200u) << "operations should be grouped into fewer commits";
  open();
  EXPECT_EQ(t_->read_model().units().size(), 200u);
}

// Verify that a refused operation in a group does not undo the others.
TEST_F(TrackerTest, RefusalRollsBackOnlyItself) {
  std::promise<void> done;
  std::atomic<int> count{0};
  auto finish = [&](result<nlohmann::json>) {
    if (++count == 3) done.set_value();
  };
  scan_request a;
  a.mac = *mac_address::parse("0023ab000010");
  a.serial = "A1";
  t_->submit(op_scan(a), finish);
  t_->submit(op_retry(*mac_address::parse("0023ab0000ff")), finish);
  scan_request b;
  b.mac = *mac_address::parse("0023ab000011");
  b.serial = "B1";
  t_->submit(op_scan(b), finish);
  done.get_future().wait();
  EXPECT_EQ(t_->read_model().units().size(), 2u);
}

}  // namespace
}  // namespace provstation

namespace provstation {
namespace {

// Verify manifest mode: scans are checked against the provider's list; status counts boxes.
TEST_F(TrackerTest, ManifestChecksScans) {
  batch_request b;
  b.batch.name = "m1";
  auto created = t_->run(op_create_batch(b));
  ASSERT_TRUE(created.ok()) << created.message();
  const std::int64_t id = (*created)["id"];
  std::vector<manifest_entry> rows{
      {*mac_address::parse("0023ab000021"), "CBT141900A1", "SPA525G2"},
      {*mac_address::parse("0023ab000022"), "CBT141900A2", "SPA525G2"}};
  ASSERT_TRUE(t_->run(op_import_manifest(id, rows)).ok());
  auto out = scan("0023ab000099", "CBT141900A9");
  EXPECT_EQ(out["error"], "MAC 0023AB000099 is not in this batch's manifest");
  out = scan("0023ab000021", "CBT141900A2");
  EXPECT_EQ(out["error"],
            "serial CBT141900A2 does not match the manifest, which lists CBT141900A1 for MAC "
            "0023AB000021");
  out = scan("0023ab000021", "CBT141900A1", "SPA504G");
  EXPECT_EQ(out["error"],
            "model SPA504G does not match the manifest, which lists SPA525G2 for MAC 0023AB000021");
  out = scan("0023ab000021", "CBT141900A1");
  EXPECT_TRUE(out["ok"].get<bool>()) << out.dump();
  auto db = open_sqlite_store(dir_.file("station.db"), create_mode::must_exist);
  ASSERT_TRUE(db.ok());
  auto status = manifest_status(**db, *t_->read_model().batch(id));
  EXPECT_EQ(status["expected"], 2);
  EXPECT_EQ(status["scanned"], 1);
  EXPECT_EQ(status["missing_macs"], nlohmann::json::array({"0023ab000022"}));
}

}  // namespace
}  // namespace provstation
