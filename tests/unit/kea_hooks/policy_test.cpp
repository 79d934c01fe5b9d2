// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the policy file parser and of the decisions a policy makes.
#include "policy.hpp"

#include <provstation/kea/policy_file.hpp>

#include <gtest/gtest.h>

#include <string>

namespace provstation::kea {
namespace {

constexpr mac48 mac_a = 0x0023ab000001;
constexpr mac48 mac_b = 0x0023ab000002;
constexpr mac48 mac_c = 0x0023ab000003;

std::string parse_error(std::string_view text) {
  auto p = policy::parse(text);
  return p ? std::string("(parsed)") : p.message();
}

// Verify that an empty or blank file is refused.
TEST(KeaPolicy, RejectsEmptyFile) {
  EXPECT_EQ(parse_error(""), "policy file is empty");
  EXPECT_EQ(parse_error("\n  \n# only a comment\n"), "policy file is empty");
}

// Verify that the first line must be the magic line.
TEST(KeaPolicy, RejectsMissingMagic) {
  EXPECT_EQ(parse_error("mode all\n"), "line 1: expected 'provstation-policy 1'");
  EXPECT_EQ(parse_error("\n\nhello\n"), "line 3: expected 'provstation-policy 1'");
}

// Verify that another format version is refused with its number.
TEST(KeaPolicy, RejectsOtherVersion) {
  EXPECT_EQ(parse_error("provstation-policy 2\nmode all\n"),
            "line 1: unsupported policy file version '2'");
}

// Verify that a file without a mode line is refused.
TEST(KeaPolicy, RejectsMissingMode) {
  EXPECT_EQ(parse_error("provstation-policy 1\nscanned 0023ab000001\n"),
            "policy file has no 'mode' line");
}

// Verify that an unknown mode is refused with the choices.
TEST(KeaPolicy, RejectsUnknownMode) {
  EXPECT_EQ(parse_error("provstation-policy 1\nmode some\n"),
            "line 2: unknown mode 'some' (expected all, scanned or not-shipped)");
}

// Verify that a second mode line is refused.
TEST(KeaPolicy, RejectsTwoModes) {
  EXPECT_EQ(parse_error("provstation-policy 1\nmode all\nmode scanned\n"),
            "line 3: 'mode' given twice");
}

// Verify that an unknown directive is refused, shown without control bytes.
TEST(KeaPolicy, RejectsUnknownDirective) {
  EXPECT_EQ(parse_error("provstation-policy 1\nmode all\nallow\x01x 0023ab000001\n"),
            "line 3: unknown directive 'allow?x'");
}

// Verify that a line with a missing or extra word is refused.
TEST(KeaPolicy, RejectsWrongWordCount) {
  EXPECT_EQ(parse_error("provstation-policy 1\nmode\n"),
            "line 2: expected a directive and one value, got 1 words");
  EXPECT_EQ(parse_error("provstation-policy 1\nmode all\nscanned 0023ab000001 extra\n"),
            "line 3: expected a directive and one value, got 3 words");
}

// Verify that a bad MAC is refused, and a long one is cut in the message.
TEST(KeaPolicy, RejectsBadMac) {
  EXPECT_EQ(parse_error("provstation-policy 1\nmode scanned\nscanned 0023ab00000\n"),
            "line 3: bad MAC address '0023ab00000'");
  EXPECT_EQ(parse_error("provstation-policy 1\nmode scanned\nshipped " + std::string(100, 'z')),
            "line 3: bad MAC address '" + std::string(40, 'z') + "...'");
}

// Verify that a file above the size limit is refused before parsing.
TEST(KeaPolicy, RejectsHugeFile) {
  std::string text = "provstation-policy 1\nmode all\n";
  text.resize(max_policy_file_bytes + 1, '#');
  EXPECT_EQ(parse_error(text), "policy file is larger than 16777216 bytes");
}

// Verify that mode "all" allows every MAC, whatever the lists say.
TEST(KeaPolicy, ModeAllAllowsEveryone) {
  auto p = policy::parse("provstation-policy 1\nmode all\nshipped 0023ab000001\n");
  ASSERT_TRUE(p) << p.message();
  EXPECT_EQ(p->mode(), policy_mode::all);
  EXPECT_TRUE(p->allows(mac_a));
  EXPECT_TRUE(p->allows(mac_c));
}

// Verify that mode "scanned" allows only listed MACs, in any MAC spelling and with comments.
TEST(KeaPolicy, ModeScannedAllowsOnlyScanned) {
  auto p = policy::parse(
      "# written by the station\r\n"
      "provstation-policy 1   # magic\r\n"
      "mode scanned\r\n"
      "scanned 0023ab000001\r\n"
      "\tscanned 00:23:AB:00:00:02  # second unit\r\n"
      "shipped 0023ab000003\r\n");
  ASSERT_TRUE(p) << p.message();
  EXPECT_EQ(p->mode(), policy_mode::scanned);
  EXPECT_EQ(p->scanned_count(), 2u);
  EXPECT_EQ(p->shipped_count(), 1u);
  EXPECT_TRUE(p->allows(mac_a));
  EXPECT_TRUE(p->allows(mac_b));
  EXPECT_FALSE(p->allows(mac_c));
}

// Verify that mode "not-shipped" refuses only shipped MACs.
TEST(KeaPolicy, ModeNotShippedRefusesShipped) {
  auto p = policy::parse("provstation-policy 1\nshipped 0023ab000002\nmode not-shipped");
  ASSERT_TRUE(p) << p.message();
  EXPECT_TRUE(p->allows(mac_a));
  EXPECT_FALSE(p->allows(mac_b));
  EXPECT_TRUE(p->allows(mac_c));
}

// Verify the two built-in policies used when the file is missing.
TEST(KeaPolicy, FallbackPolicies) {
  EXPECT_TRUE(policy::allow_all().allows(mac_a));
  EXPECT_FALSE(policy::deny_all().allows(mac_a));
  EXPECT_EQ(to_string(policy::deny_all().mode()), "deny-all");
  EXPECT_EQ(to_string(policy_mode::not_shipped), "not-shipped");
}

// Verify that the MAC packing puts the first byte in the most significant position.
TEST(KeaPolicy, PacksMacBytes) {
  EXPECT_EQ(to_mac48({0x00, 0x23, 0xab, 0x00, 0x00, 0x01}), mac_a);
}

}  // namespace
}  // namespace provstation::kea
