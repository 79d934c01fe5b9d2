// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the one MAC parser every input form goes through.
#include <provstation/mac.hpp>

#include <gtest/gtest.h>

namespace provstation {
namespace {

// Verify that every common written form parses to the same canonical value.
TEST(MacAddress, ParsesCommonForms) {
  for (const char* text :
       {"0023ab000001", "0023AB000001", "00:23:ab:00:00:01", "00-23-AB-00-00-01", "0023.ab00.0001",
        "0023ab-000001", "  00:23:AB:00:00:01\r\n", "MAC: 0023AB000001", "MAC ID 00:23:ab:00:00:01",
        "mac=0023ab000001", "MAC Address: 00-23-ab-00-00-01", "HW 0023ab000001"}) {
    auto mac = mac_address::parse(text);
    ASSERT_TRUE(mac.ok()) << text << ": " << (mac.ok() ? "" : mac.message());
    EXPECT_EQ(mac->str(), "0023ab000001") << text;
  }
}

// Verify the output forms used by macros ($MA, $MAU, $MAC) and the export.
TEST(MacAddress, FormatsEveryForm) {
  auto mac = mac_address::parse("00:0E:08:AA:BB:CC");
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(mac->str(), "000e08aabbcc");
  EXPECT_EQ(mac->upper(), "000E08AABBCC");
  EXPECT_EQ(mac->colon(), "00:0e:08:aa:bb:cc");
  EXPECT_EQ(mac->oui(), "000E08");
}

// Verify that each malformed input is refused with a message saying why.
TEST(MacAddress, RejectsMalformedInput) {
  struct bad_case {
    const char* text;
    const char* message;
  };
  const bad_case cases[] = {
      {"", "empty MAC address"},
      {"0023ab00001", "MAC address must have 12 hex digits"},
      {"0023ab0000011", "MAC address has more than 12 hex digits"},
      {"0023ab00000g", "MAC address contains an invalid character"},
      {"00:23-ab:00:00:01", "MAC address mixes separators"},
      {"002:3ab:000:001", "MAC address has an unusual grouping of digits"},
      {"00:23:ab:00:00:01:", "MAC address ends with a separator"},
      {"::0023ab000001", "MAC address has misplaced separators"},
      {"MACE0023ab000001", "MAC address contains an invalid character"},
  };
  for (const auto& c : cases) {
    auto mac = mac_address::parse(c.text);
    ASSERT_FALSE(mac.ok()) << c.text;
    EXPECT_EQ(mac.message(), c.message) << c.text;
  }
  EXPECT_FALSE(mac_address::parse(std::string(100, 'a')).ok());
}

}  // namespace
}  // namespace provstation
