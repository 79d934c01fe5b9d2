// SPDX-License-Identifier: Apache-2.0
/// @file Tests of phone recognition by option 60 patterns and MAC OUIs.
#include "phone_matcher.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace provstation::kea {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

phone_matcher make(std::vector<std::string> patterns, std::vector<std::string> ouis) {
  std::vector<vendor_pattern> p;
  for (const auto& s : patterns) p.push_back(phone_matcher::parse_pattern(s).value());
  std::vector<std::uint32_t> o;
  for (const auto& s : ouis) o.push_back(phone_matcher::parse_oui(s).value());
  return phone_matcher(std::move(p), std::move(o));
}

const std::vector<std::uint8_t> other_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

// Verify that an empty pattern is refused.
TEST(KeaPhoneMatcher, RejectsEmptyPattern) {
  EXPECT_EQ(phone_matcher::parse_pattern("").message(), "is empty");
}

// Verify that malformed hex patterns are refused with the reason.
TEST(KeaPhoneMatcher, RejectsBadHexPattern) {
  EXPECT_EQ(phone_matcher::parse_pattern("0x000036").value().prefix.size(), 3u);
  EXPECT_EQ(phone_matcher::parse_pattern("0x00003").message(), "has an odd number of hex digits");
  EXPECT_EQ(phone_matcher::parse_pattern("0x0g").message(), "is not valid hex after '0x'");
}

// Verify that a pattern longer than option 60 can be is refused.
TEST(KeaPhoneMatcher, RejectsLongPattern) {
  EXPECT_EQ(phone_matcher::parse_pattern(std::string(256, 'a')).message(),
            "is longer than 255 bytes");
  EXPECT_TRUE(phone_matcher::parse_pattern(std::string(255, 'a')));
}

// Verify the OUI spellings accepted and refused.
TEST(KeaPhoneMatcher, ParsesOuis) {
  EXPECT_EQ(phone_matcher::parse_oui("00:04:f2").value(), 0x0004f2u);
  EXPECT_EQ(phone_matcher::parse_oui("00-04-F2").value(), 0x0004f2u);
  EXPECT_EQ(phone_matcher::parse_oui("0004f2").value(), 0x0004f2u);
  for (const char* bad : {"", "00:04", "00:04:f2:01", "0:04:f2", "00:04-f2",
                          "00:04:f2:", ":00:04:f2", "00:04:fg", "0004f"}) {
    auto r = phone_matcher::parse_oui(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.message(), "must be three bytes, like \"00:04:f2\"") << bad;
  }
}

// Verify that the defaults match Cisco and Linksys SPA phones in any letter case.
TEST(KeaPhoneMatcher, DefaultsMatchSpaInAnyCase) {
  std::vector<std::string> d(phone_matcher::default_patterns().begin(),
                             phone_matcher::default_patterns().end());
  const phone_matcher m = make(d, {});
  for (const char* vc :
       {"Cisco SPA525G2", "CISCO SPA504G", "cisco spa303", "LINKSYS SPA-942", "Linksys SPA921"}) {
    EXPECT_EQ(m.match(bytes(vc), other_mac), match_kind::vendor_class) << vc;
  }
  for (const char* vc : {"", "udhcp 1.35.0", "Cisco", "Cisco SP", "MSFT 5.0", "xCisco SPA525"}) {
    EXPECT_EQ(m.match(bytes(vc), other_mac), match_kind::none) << vc;
  }
}

// Verify that a hex pattern matches binary option 60 exactly (Polycom's enterprise number).
TEST(KeaPhoneMatcher, HexPatternMatchesBinaryPrefix) {
  const phone_matcher m = make({"0x0000363d"}, {});
  const std::vector<std::uint8_t> polycom = {0x00, 0x00, 0x36, 0x3d, 0x12, 0x01, 0x07, 'P'};
  EXPECT_EQ(m.match(polycom, other_mac), match_kind::vendor_class);
  const std::vector<std::uint8_t> other = {0x00, 0x00, 0x36, 0x1d, 0x12};
  EXPECT_EQ(m.match(other, other_mac), match_kind::none);
}

// Verify that OUIs match 6-byte hardware addresses only.
TEST(KeaPhoneMatcher, OuiMatchesHardwareAddress) {
  const phone_matcher m = make({"Cisco SPA"}, {"00:04:f2", "00:15:65"});
  const std::vector<std::uint8_t> polycom = {0x00, 0x04, 0xf2, 0x12, 0x34, 0x56};
  const std::vector<std::uint8_t> yealink = {0x00, 0x15, 0x65, 0x00, 0x00, 0x01};
  const std::vector<std::uint8_t> short_addr = {0x00, 0x04, 0xf2};
  EXPECT_EQ(m.match({}, polycom), match_kind::oui);
  EXPECT_EQ(m.match(bytes("Yealink SIP-T46G"), yealink), match_kind::oui);
  EXPECT_EQ(m.match({}, other_mac), match_kind::none);
  EXPECT_EQ(m.match({}, short_addr), match_kind::none);
  EXPECT_EQ(m.match(bytes("Cisco SPA525G2"), polycom), match_kind::vendor_class);
}

// Verify that option 60 with odd bytes (NUL, high bytes, huge) never matches by accident.
TEST(KeaPhoneMatcher, OddVendorClassDoesNotMatch) {
  const phone_matcher m = make({"Cisco SPA"}, {});
  std::vector<std::uint8_t> junk(255, 0xff);
  EXPECT_EQ(m.match(junk, other_mac), match_kind::none);
  std::vector<std::uint8_t> nul = bytes("Cisco");
  nul.push_back(0);
  EXPECT_EQ(m.match(nul, other_mac), match_kind::none);
}

}  // namespace
}  // namespace provstation::kea
