// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the firmware version grammar and its ordering.
#include <provstation/phonesim/firmware_version.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

firmware_version v(const char* text) {
  auto parsed = firmware_version::parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.ok() ? "" : parsed.message());
  return parsed.ok() ? *parsed : firmware_version();
}

// Verify that malformed versions are refused with a reason.
TEST(PhonesimFirmwareVersion, RejectsMalformedText) {
  EXPECT_EQ(firmware_version::parse("").message(), "empty version");
  EXPECT_EQ(firmware_version::parse("7").message(), "version needs at least two numbers");
  EXPECT_EQ(firmware_version::parse("abc").message(), "version must start with numbers");
  EXPECT_EQ(firmware_version::parse("7.4.").message(), "version must start with numbers");
  EXPECT_EQ(firmware_version::parse("1.0.31(b").message(), "version has an unclosed '('");
  EXPECT_EQ(firmware_version::parse("1.0.31(b) x").message(), "unexpected text after the version");
  EXPECT_EQ(firmware_version::parse("1.99999999999.0").message(), "version number is too large");
  EXPECT_FALSE(firmware_version::parse("7.5.5 beta").ok());
}

// Verify that the documented literals parse and print back unchanged.
TEST(PhonesimFirmwareVersion, ParsesDocumentedLiterals) {
  for (const char* text : {"7.4.9c", "7.5.5", "7.5.2b", "1.0.31(b)", "2.0.3(0412s)", "2.0.6",
                           "7.6.1(ES_RC01)", "1.3.5"}) {
    EXPECT_EQ(v(text).str(), text);
  }
  EXPECT_EQ(v("  7.5.5 ").str(), "7.5.5");
}

// Verify the ordering: numbers, then the letter tail, then the build suffix.
TEST(PhonesimFirmwareVersion, OrdersNumbersThenTailThenBuild) {
  EXPECT_LT(v("7.4.9"), v("7.4.9a"));
  EXPECT_LT(v("7.4.9a"), v("7.4.9c"));
  EXPECT_LT(v("7.4.9c"), v("7.4.10"));
  EXPECT_LT(v("7.4.10"), v("7.5.2b"));
  EXPECT_LT(v("7.5.2b"), v("7.5.5"));
  EXPECT_LT(v("7.5.5"), v("7.6.2"));
  EXPECT_LT(v("1.0.31"), v("1.0.31(b)"));
  EXPECT_LT(v("1.0.31(a)"), v("1.0.31(b)"));
  EXPECT_LT(v("2.0.3(412s)"), v("2.0.3(0413s)"));
  EXPECT_EQ(v("7.5"), v("7.5.0"));
  EXPECT_EQ(v("7.4.9C"), v("7.4.9c"));
  EXPECT_GT(v("10.0.0"), v("9.9.9z"));
}

// Verify that the natural comparison compares digit runs as numbers.
TEST(PhonesimFirmwareVersion, NaturalCompareTreatsDigitsAsNumbers) {
  EXPECT_TRUE(natural_compare("a2", "a10") < 0);
  EXPECT_TRUE(natural_compare("RC01", "rc1") == 0);
  EXPECT_TRUE(natural_compare("b", "a") > 0);
  EXPECT_TRUE(natural_compare("", "a") < 0);
}

}  // namespace
}  // namespace provstation::phonesim
