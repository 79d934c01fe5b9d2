// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the simulated firmware image header.
#include <provstation/phonesim/firmware_image.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

// Verify that images without a valid header are refused with a reason.
TEST(PhonesimFirmwareImage, RejectsBadHeaders) {
  EXPECT_EQ(parse_firmware_header("").message(), "no firmware header line");
  EXPECT_EQ(parse_firmware_header("garbage\n").message(), "not a firmware image");
  EXPECT_EQ(parse_firmware_header(std::string(2000, 'x')).message(), "no firmware header line");
  EXPECT_EQ(parse_firmware_header("PROVSTATION-SIMFW models=SPA525G\n").message(),
            "firmware header lacks models or version");
  EXPECT_EQ(parse_firmware_header("PROVSTATION-SIMFW models=SPA525G version=x.y\n").message(),
            "invalid version in firmware header");
  EXPECT_EQ(parse_firmware_header("PROVSTATION-SIMFW models=SPA 525G version=7.5.5\n").message(),
            "malformed firmware header field");
  EXPECT_EQ(parse_firmware_header("PROVSTATION-SIMFW models=,A version=7.5.5\n").message(),
            "invalid model in firmware header");
  EXPECT_EQ(parse_firmware_header("PROVSTATION-SIMFWmodels=A version=7.5.5\n").message(),
            "malformed firmware header");
}

// Verify that the header of the brief parses and that the model check is case-insensitive.
TEST(PhonesimFirmwareImage, ChecksModelList) {
  const std::string image = "PROVSTATION-SIMFW models=SPA525G,SPA525G2 version=7.5.5\n\x01\x02\x03";
  auto h = parse_firmware_header(image);
  ASSERT_TRUE(h.ok()) << h.message();
  EXPECT_EQ(h->version, "7.5.5");
  ASSERT_EQ(h->models.size(), 2U);
  EXPECT_TRUE(check_firmware(image, "SPA525G2").ok());
  EXPECT_TRUE(check_firmware(image, "spa525g").ok());
  EXPECT_EQ(check_firmware(image, "SPA504G").message(), "image is not for SPA504G");
}

// Verify that make_firmware writes the header, the exact size and deterministic bytes.
TEST(PhonesimFirmwareImage, MakesDeterministicImages) {
  const auto a = make_firmware({"SPA525G", "SPA525G2"}, "7.5.5", 5000, 42);
  const auto b = make_firmware({"SPA525G", "SPA525G2"}, "7.5.5", 5000, 42);
  const auto c = make_firmware({"SPA525G", "SPA525G2"}, "7.5.5", 5000, 43);
  EXPECT_EQ(a.size(), 5000U);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a.rfind("PROVSTATION-SIMFW models=SPA525G,SPA525G2 version=7.5.5\n", 0), 0U);
  EXPECT_TRUE(check_firmware(a, "SPA525G2").ok());
  EXPECT_EQ(make_firmware({"A"}, "1.0", 3, 1), "PROVSTATION-SIMFW models=A version=1.0\n");
}

}  // namespace
}  // namespace provstation::phonesim
