// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the IEEE registry reader (Debian ieee-data CSV files).
#include <provstation/scanner/oui_registry.hpp>

#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

namespace provstation::scanner {
namespace {

constexpr std::string_view oui_csv =
    "Registry,Assignment,Organization Name,Organization Address\r\n"
    "MA-L,0023AB,\"Cisco Systems, Inc\",170 WEST TASMAN DRIVE SAN JOSE CA US 95134 \r\n"
    "MA-L,001565,\"XIAMEN YEALINK NETWORK TECHNOLOGY CO.,LTD\",\"Xiamen, \"\"Fujian\"\"\"\r\n"
    "MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \r\n"
    "MA-L,ZZZZZZ,Broken Row,\r\n"
    "\r\n";
constexpr std::string_view oui36_csv =
    "Registry,Assignment,Organization Name,Organization Address\n"
    "MA-S,70B3D5123,Example Phones Ltd,Somewhere\n";

mac_address mac(const char* text) {
  return *mac_address::parse(text);
}

// Verify that quoted names with commas and doubled quotes are read, and bad rows are skipped.
TEST(OuiRegistry, ReadsQuotedCsv) {
  oui_registry r;
  auto added = r.add_csv(oui_csv);
  ASSERT_TRUE(added.ok()) << added.message();
  EXPECT_EQ(*added, 3u);
  EXPECT_EQ(r.skipped_rows(), 1u);
  EXPECT_EQ(r.organization(mac("0023ab000001")).value_or(""), "Cisco Systems, Inc");
  EXPECT_EQ(r.organization(mac("001565000001")).value_or(""),
            "XIAMEN YEALINK NETWORK TECHNOLOGY CO.,LTD");
  EXPECT_FALSE(r.organization(mac("123456000001")).has_value());
}

// Verify that a 36-bit block wins over the registration authority's 24-bit entry.
TEST(OuiRegistry, PrefersLongestPrefix) {
  oui_registry r;
  ASSERT_TRUE(r.add_csv(oui_csv).ok());
  ASSERT_TRUE(r.add_csv(oui36_csv).ok());
  EXPECT_EQ(r.organization(mac("70b3d5123456")).value_or(""), "Example Phones Ltd");
  EXPECT_EQ(r.organization(mac("70b3d5999999")).value_or(""), "IEEE Registration Authority");
}

// Verify that a file that is not a registry CSV is refused with a message.
TEST(OuiRegistry, RejectsOtherFiles) {
  oui_registry r;
  auto bad = r.add_csv("mac,vendor\n0023ab,Cisco\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.message(), "not an IEEE registry CSV (expected a 'Registry,Assignment,…' header)");
  EXPECT_FALSE(r.add_csv("").ok());
  EXPECT_TRUE(r.empty());
}

// Verify that load_dir() reads the files that exist and ignores missing ones.
TEST(OuiRegistry, LoadsDirectory) {
  test::temp_dir dir;
  dir.write("oui.csv", std::string(oui_csv));
  dir.write("oui36.csv", std::string(oui36_csv));
  oui_registry r;
  auto added = r.load_dir(dir.path().string());
  ASSERT_TRUE(added.ok()) << added.message();
  EXPECT_EQ(*added, 4u);
  oui_registry empty;
  auto none = empty.load_dir(dir.file("missing"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
}

}  // namespace
}  // namespace provstation::scanner
