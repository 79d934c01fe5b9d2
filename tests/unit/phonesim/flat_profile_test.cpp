// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the <flat-profile> parser and alias maps.
#include <provstation/phonesim/flat_profile.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

// Verify that documents without a flat profile, or broken XML, are refused with a reason.
TEST(PhonesimFlatProfile, RejectsMissingOrBrokenProfiles) {
  EXPECT_EQ(parse_flat_profile("<other><a>1</a></other>").message(), "no <flat-profile> element");
  EXPECT_EQ(parse_flat_profile("").message(), "invalid XML: No document element found at byte 0");
  const auto broken = parse_flat_profile("<flat-profile><a>1</b></flat-profile>");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.message().rfind("invalid XML: ", 0), 0U) << broken.message();
  EXPECT_FALSE(parse_flat_profile(std::string(max_profile_bytes + 1, ' ')).ok());
}

// Verify the guide's example: values are trimmed, names are case-sensitive.
TEST(PhonesimFlatProfile, ParsesGuideExample) {
  const auto p = parse_flat_profile(R"(<flat-profile>
  <Resync_On_Reset> Yes </Resync_On_Reset>
  <Resync_Periodic> 7200 </Resync_Periodic>
  <Profile_Rule> tftp://prov.telco.com:6900/cisco/config/spa962.cfg </Profile_Rule>
</flat-profile>)");
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->size(), 3U);
  EXPECT_EQ(p->at("Resync_On_Reset"), "Yes");
  EXPECT_EQ(p->at("Resync_Periodic"), "7200");
  EXPECT_EQ(p->at("Profile_Rule"), "tftp://prov.telco.com:6900/cisco/config/spa962.cfg");
  EXPECT_EQ(p->count("resync_on_reset"), 0U);
}

// Verify that a wrapped flat profile is found and nested groups are walked.
TEST(PhonesimFlatProfile, FindsWrappedProfileAndNestedElements) {
  const auto p = parse_flat_profile(
      "<?xml version=\"1.0\"?><device><config><flat-profile><group><GPP_A>a</GPP_A></group>"
      "<GPP_B>b</GPP_B></flat-profile></config><GPP_C>outside</GPP_C></device>");
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->at("GPP_A"), "a");
  EXPECT_EQ(p->at("GPP_B"), "b");
  EXPECT_EQ(p->count("GPP_C"), 0U);
}

// Verify that the last occurrence wins and unknown names are kept.
TEST(PhonesimFlatProfile, LastOccurrenceWinsAndUnknownKept) {
  const auto p = parse_flat_profile(
      "<flat-profile><GPP_A>first</GPP_A><Made_Up_>x</Made_Up_><GPP_A>second</GPP_A></"
      "flat-profile>");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->at("GPP_A"), "second");
  EXPECT_EQ(p->at("Made_Up_"), "x");
}

// Verify empty elements: explicit or self-closing sets "", self-closing with ua is unchanged.
TEST(PhonesimFlatProfile, EmptyAndUserAccessOnlyElements) {
  const auto p = parse_flat_profile(
      "<flat-profile><GPP_A></GPP_A><Profile_Rule_B /><Speed_Dial_2_2_ ua=\"rw\"/>"
      "<Dial_Plan_1_ ua=\"ro\">(x)</Dial_Plan_1_><GPP_C ua='na' ></GPP_C>"
      "<GPP_D group=\"a/b\" ua=\"rw\" /></flat-profile>");
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->at("GPP_A"), "");
  EXPECT_EQ(p->at("Profile_Rule_B"), "");
  EXPECT_EQ(p->count("Speed_Dial_2_2_"), 0U);
  EXPECT_EQ(p->at("Dial_Plan_1_"), "(x)");
  EXPECT_EQ(p->at("GPP_C"), "");
  EXPECT_EQ(p->count("GPP_D"), 0U);
}

// Verify that numeric character references and entities are translated.
TEST(PhonesimFlatProfile, TranslatesCharacterReferences) {
  const auto p = parse_flat_profile(
      "<flat-profile><Upgrade_Rule>&#40; $SWVER ne 7&#x2e;5&#46;5 &#41;? http://a/b?x=1&amp;y=2"
      "</Upgrade_Rule><GPP_A><![CDATA[<raw>]]></GPP_A></flat-profile>");
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->at("Upgrade_Rule"), "( $SWVER ne 7.5.5 )? http://a/b?x=1&y=2");
  EXPECT_EQ(p->at("GPP_A"), "<raw>");
}

// Verify that alias maps parse and remap elements of a foreign document.
TEST(PhonesimFlatProfile, AliasMapRemapsForeignElements) {
  EXPECT_EQ(parse_alias_map("/a = ").message(), "alias entry with an empty path");
  EXPECT_EQ(parse_alias_map("/a /b").message(), "alias entry without '='");
  const auto map = parse_alias_map(
      "/customer-account/SIP-number = /flat-profile/User_ID_1_ ;\n"
      " /customer-account/SIP-password = /flat-profile/Password_1_ ;");
  ASSERT_TRUE(map.ok()) << map.message();
  ASSERT_EQ(map->size(), 2U);
  EXPECT_EQ(map->at(0).target, "User_ID_1_");
  const auto p = parse_flat_profile(
      "<root><customer-account><SIP-number>1001</SIP-number><SIP-password>pw</SIP-password>"
      "</customer-account></root>",
      *map);
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->at("User_ID_1_"), "1001");
  EXPECT_EQ(p->at("Password_1_"), "pw");
}

// Verify that an alias map longer than 30 entries is refused.
TEST(PhonesimFlatProfile, AliasMapIsLimited) {
  std::string text;
  for (int i = 0; i < 31; ++i) text += "/a" + std::to_string(i) + " = /flat-profile/B ;";
  EXPECT_EQ(parse_alias_map(text).message(), "alias map has more than 30 entries");
}

}  // namespace
}  // namespace provstation::phonesim
