// SPDX-License-Identifier: Apache-2.0
/// @file Tests of $PSN and the HTTP User-Agent.
#include <provstation/phonesim/identity.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

phone_identity identity(const char* model, const char* mac, const char* serial) {
  phone_identity id;
  id.model = model;
  id.mac = *mac_address::parse(mac);
  id.serial = serial;
  return id;
}

// Verify the product series number used by the default Profile_Rule.
TEST(PhonesimPhoneIdentity, ProductSeriesDropsSpaPrefix) {
  EXPECT_EQ(product_series("SPA525G2"), "525G2");
  EXPECT_EQ(product_series("SPA504G"), "504G");
  EXPECT_EQ(product_series("SPA-942"), "942");
  EXPECT_EQ(product_series("SPA"), "SPA");
  EXPECT_EQ(product_series("PAP2T"), "PAP2T");
}

// Verify the User-Agent against the strings Wazo and provisioner.net recorded.
TEST(PhonesimPhoneIdentity, UserAgentMatchesRecordedPhones) {
  EXPECT_EQ(user_agent(identity("SPA501G", "88:43:e1:57:dd:cc", "CBT141100HR"), "7.4.4"),
            "Cisco/SPA501G-7.4.4 (8843E157DDCC)(CBT141100HR)");
  EXPECT_EQ(user_agent(identity("SPA504G", "649ef3788e6a", "CCQ162306EA"), "7.4.9c"),
            "Cisco/SPA504G-7.4.9c (649EF3788E6A)(CCQ162306EA)");
  EXPECT_EQ(user_agent(identity("SPA525G", "0023ab000001", "CBT141900G7"), "7.4.7"),
            "Cisco/SPA525G-7.4.7 (CBT141900G7)");
  EXPECT_EQ(user_agent(identity("SPA525G2", "0023ab000001", "CBT141900G7"), "7.5.5"),
            "Cisco/SPA525G2-7.5.5 (0023AB000001)(CBT141900G7)");
}

}  // namespace
}  // namespace provstation::phonesim
