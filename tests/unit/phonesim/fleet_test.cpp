// SPDX-License-Identifier: Apache-2.0
/// @file Tests of fleet planning: names, MACs, serials, the wrong-box case and the manifest.
#include <provstation/phonesim/fleet.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

fleet_options options(int count) {
  fleet_options o;
  o.bench_netns = "bench";
  o.bridge = "br0";
  o.count = count;
  o.prefix = "ps123";
  return o;
}

// Verify that impossible fleets are refused with a reason.
TEST(PhonesimFleet, RejectsImpossiblePlans) {
  EXPECT_EQ(plan_fleet(options(0)).message(), "--count must be between 1 and 1000");
  auto o = options(2);
  o.prefix = "averylongprefix";
  EXPECT_EQ(plan_fleet(o).message(),
            "--prefix is too long: 'averylongprefix-v2' exceeds 15 characters");
  o = options(2);
  o.prefix = "bad/name";
  EXPECT_EQ(plan_fleet(o).message(), "--prefix must be letters, digits, '-', '_' or '.'");
  o = options(2);
  o.wrong_box = {3};
  EXPECT_EQ(plan_fleet(o).message(), "--wrong-box index 3 is not a phone");
  o = options(2);
  o.unscanned = {0};
  EXPECT_EQ(plan_fleet(o).message(), "--unscanned index 0 is not a phone");
  o = options(2);
  o.mac_base = "xyz";
  EXPECT_EQ(plan_fleet(o).message().rfind("--mac-base: ", 0), 0U);
}

// Verify the serial format: prefix + 4 base-34 digits without I and O.
TEST(PhonesimFleet, SerialsAreCiscoStyle) {
  EXPECT_EQ(fleet_serial("CBT1419", 7), "CBT14190007");
  EXPECT_EQ(fleet_serial("CBT1419", 34), "CBT14190010");
  EXPECT_EQ(fleet_serial("CBT1419", 18), "CBT1419000J");
  EXPECT_EQ(fleet_serial("CBT1419", 23), "CBT1419000P");
  EXPECT_EQ(fleet_serial("CBT1419", 34 * 34 * 34 * 34), "CBT14190000");
}

// Verify names, MACs (base + i), wrong-box and unscanned phones, and the manifest.
TEST(PhonesimFleet, PlansPhonesAndManifest) {
  auto o = options(3);
  o.mac_base = "0023ab1000ff";
  o.wrong_box = {2};
  o.unscanned = {3};
  const auto plan = plan_fleet(o);
  ASSERT_TRUE(plan.ok()) << plan.message();
  ASSERT_EQ(plan->size(), 3U);
  const auto& p = *plan;
  EXPECT_EQ(p[0].netns, "ps123-ph1");
  EXPECT_EQ(p[0].veth, "ps123-v1");
  EXPECT_EQ(p[0].mac.str(), "0023ab100100");
  EXPECT_EQ(p[2].mac.str(), "0023ab100102");
  EXPECT_EQ(p[0].box_serial, p[0].reported_serial);
  EXPECT_NE(p[1].box_serial, p[1].reported_serial);
  EXPECT_EQ(p[1].reported_serial.size(), 11U);
  EXPECT_FALSE(p[2].scanned);
  EXPECT_EQ(manifest_csv(p, "SPA525G2"), "mac,serial,model\n0023ab100100," + p[0].box_serial +
                                             ",SPA525G2\n0023ab100101," + p[1].box_serial +
                                             ",SPA525G2\n");
}

}  // namespace
}  // namespace provstation::phonesim
