// SPDX-License-Identifier: Apache-2.0
/// @file Tests of what phones may fetch, from which address, and what it tells the tracker.
#include <provstation/phone_files.hpp>

#include <provstation/operations.hpp>
#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace provstation {
namespace {

class PhoneFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = open_sqlite_store(dir_.file("station.db"), create_mode::if_missing);
    ASSERT_TRUE(db.ok());
    tracker::options opts;
    opts.check_timeouts = false;
    t_ = std::make_unique<tracker>(std::move(*db), system_now, opts);
    t_->start();
    profile_settings ps;
    ps.bench_address = "192.0.2.1";
    profiles_ = std::make_unique<profile_builder>(ps);
    files_ = std::make_unique<phone_files>(*t_, *profiles_, false);
    const std::string image =
        dir_.write("spa525g-7-5-5.bin", "PROVSTATION-SIMFW models=SPA525G2 version=7.5.5\nxxxx");
    firmware_row f;
    f.model = "SPA525G2";
    f.version = "7.5.5";
    f.path = image;
    f.file_name = "spa525g-7-5-5.bin";
    f.size = 10;
    f.sha256 = "00";
    ASSERT_TRUE(t_->run(op_add_firmware(f)).ok());
    batch_request b;
    b.batch.name = "b1";
    b.targets = {{"SPA525G2", "7.5.5"}};
    ASSERT_TRUE(t_->run(op_create_batch(b)).ok());
    lease_change c;
    c.ip = "192.0.2.100";
    c.mac = *mac_address::parse("0023ab000001");
    c.at = system_now();
    ASSERT_TRUE(t_->run(op_lease(c)).ok());
  }
  void TearDown() override { t_->stop(); }

  test::temp_dir dir_;
  std::unique_ptr<tracker> t_;
  std::unique_ptr<profile_builder> profiles_;
  std::unique_ptr<phone_files> files_;
};

// Verify that the seed is served to a leased address, with the batch's upgrade guard.
TEST_F(PhoneFilesTest, SeedForLeasedAddress) {
  auto a = files_->resolve("/spa525G2.cfg", "192.0.2.100", "", false);
  ASSERT_EQ(a.st, phone_answer::status::ok) << a.reason;
  const std::string text(a.body->text);
  EXPECT_NE(text.find("( $SWVER ne 7.5.5 )? tftp://192.0.2.1/fw/spa525g-7-5-5.bin"),
            std::string::npos)
      << text;
  EXPECT_EQ(a.mac->str(), "0023ab000001");
}

// Verify that an unknown address waits for its lease, and gets the seed on the final attempt.
TEST_F(PhoneFilesTest, UnknownAddressWaitsThenGetsSeed) {
  auto a = files_->resolve("spa525g2.cfg", "192.0.2.200", "", false);
  EXPECT_EQ(a.st, phone_answer::status::unknown_client);
  a = files_->resolve("spa525g2.cfg", "192.0.2.200", "", true);
  EXPECT_EQ(a.st, phone_answer::status::ok);
}

// Verify that a per-device file goes only to the address its MAC leases.
TEST_F(PhoneFilesTest, PerDeviceOnlyToItsAddress) {
  auto a = files_->resolve("/prov/0023ab000001.xml?sn=X&fw=7.4.9c", "192.0.2.100", "", false);
  EXPECT_EQ(a.st, phone_answer::status::ok) << a.reason;
  a = files_->resolve("/prov/0023ab000001.xml", "192.0.2.101", "", true);
  EXPECT_EQ(a.st, phone_answer::status::forbidden);
  EXPECT_EQ(a.reason, "192.0.2.101 is not leased to 0023AB000001");
}

// Verify firmware is served from the catalogue by file name, case-insensitively.
TEST_F(PhoneFilesTest, FirmwareByFileName) {
  auto a = files_->resolve("/fw/SPA525G-7-5-5.bin", "192.0.2.100", "", false);
  ASSERT_EQ(a.st, phone_answer::status::ok) << a.reason;
  EXPECT_EQ(a.body->bytes().size(), 52u);
  EXPECT_EQ(files_->resolve("/fw/none.bin", "192.0.2.100", "", false).st,
            phone_answer::status::not_found);
}

}  // namespace
}  // namespace provstation

namespace provstation {
namespace {

// Verify that binding an account to a VERIFIED unit serves the hand-off profile, whose delivery
// makes the unit READY; an unverified unit cannot get one.
TEST_F(PhoneFilesTest, AccountThenHandoffMakesReady) {
  const auto mac = *mac_address::parse("0023ab000001");
  scan_request s;
  s.mac = mac;
  s.serial = "CBT141900G7";
  s.model = "SPA525G2";
  ASSERT_TRUE(t_->run(op_scan(s)).ok());
  auto refused = t_->run(op_bind_account(mac, "sip-1001"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.message(), "MAC 0023AB000001 is LEASED: only a VERIFIED unit gets an account");
  auto a = files_->resolve("/prov/0023ab000001.xml?sn=CBT141900G7&pn=SPA525G2&fw=7.5.5",
                           "192.0.2.100", "", false);
  ASSERT_EQ(a.st, phone_answer::status::ok);
  files_->delivered(a, "192.0.2.100", "", true, 100);
  for (int i = 0; i < 100 && t_->read_model().unit(mac)->current != stage::verified; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(t_->read_model().unit(mac)->current, stage::verified);
  ASSERT_TRUE(t_->run(op_bind_account(mac, "sip-1001")).ok());
  a = files_->resolve("/prov/0023ab000001.xml?sn=CBT141900G7&pn=SPA525G2&fw=7.5.5", "192.0.2.100",
                      "", false);
  ASSERT_EQ(a.st, phone_answer::status::ok);
  EXPECT_NE(a.body->text.find("<Station_Name>sip-1001</Station_Name>"), std::string::npos)
      << a.body->text;
  files_->delivered(a, "192.0.2.100", "", true, 100);
  for (int i = 0; i < 100 && t_->read_model().unit(mac)->current != stage::ready; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(t_->read_model().unit(mac)->current, stage::ready);
}

}  // namespace
}  // namespace provstation
