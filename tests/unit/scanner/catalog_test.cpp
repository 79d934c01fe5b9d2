// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the built-in vendor and model catalogue.
#include <provstation/scanner/catalog.hpp>

#include <gtest/gtest.h>

namespace provstation::scanner {
namespace {

// Verify that each model family is found with its vendor and serial forms.
TEST(ScannerCatalog, FindsModelFamilies) {
  struct model_case {
    const char* model;
    const char* vendor;
    serial_form serials;
  };
  const model_case cases[] = {
      {"SPA525G2", "Cisco", serial_form::cisco_udi},
      {"spa504g", "Cisco", serial_form::cisco_udi},
      {"SPA942", "Cisco", serial_form::linksys12 | serial_form::cisco_udi},
      {"SPA2102", "Cisco", serial_form::linksys12 | serial_form::cisco_udi},
      {"CP-8841-K9", "Cisco", serial_form::cisco_udi},
      {"CP-7841-3PCC-K9=", "Cisco", serial_form::cisco_udi},
      {"2200-48500-025", "Polycom", serial_form::same_as_mac},
      {"VVX 400", "Polycom", serial_form::same_as_mac},
      {"SIP-T46S", "Yealink", serial_form::prefixed_only},
      {"SIP-T21P E2", "Yealink", serial_form::prefixed_only},
      {"IP480G", "Mitel", serial_form::prefixed_only},
      {"GXP2170", "Grandstream", serial_form::prefixed_only},
      {"snom 320", "Snom", serial_form::prefixed_only},
  };
  for (const auto& c : cases) {
    const model_info* m = find_model(c.model);
    ASSERT_NE(m, nullptr) << c.model;
    EXPECT_EQ(m->vendor, c.vendor) << c.model;
    EXPECT_EQ(m->serials, c.serials) << c.model;
  }
  EXPECT_EQ(find_model("IP480")->mac_suffix_oui, "001049");
}

// Verify that look-alikes of models are not taken for models.
TEST(ScannerCatalog, RejectsNonModels) {
  for (const char* text : {"", "SPA", "SPA525G3", "CCQ17410ABC", "0023AB1C2D3E", "CP-88", "V02",
                           "2200-4850-025", "SPA525G2X", "SIP-T4", "IP 48"}) {
    EXPECT_EQ(find_model(text), nullptr) << text;
  }
  EXPECT_EQ(find_model(std::string(100, 'A')), nullptr);
}

// Verify the canonical model text: upper case, single blanks, no spare '='.
TEST(ScannerCatalog, NormalizesModels) {
  EXPECT_EQ(normalize_model("  cp-8841-k9= "), "CP-8841-K9");
  EXPECT_EQ(normalize_model("sip-t21p   e2"), "SIP-T21P E2");
  EXPECT_EQ(normalize_model(""), "");
}

// Verify the built-in OUI table and the whole-word match of registry organisation names.
TEST(ScannerCatalog, MatchesVendorsByOui) {
  ASSERT_NE(find_vendor_by_oui("0023AB"), nullptr);
  EXPECT_EQ(find_vendor_by_oui("0023AB")->name, "Cisco");
  EXPECT_EQ(find_vendor_by_oui("000e08")->name, "Cisco");
  EXPECT_EQ(find_vendor_by_oui("0004F2")->name, "Polycom");
  EXPECT_EQ(find_vendor_by_oui("805EC0")->name, "Yealink");
  EXPECT_EQ(find_vendor_by_oui("001049")->name, "Mitel");
  EXPECT_EQ(find_vendor_by_oui("123456"), nullptr);

  const vendor_info& mitel = *find_vendor("mitel");
  EXPECT_TRUE(org_names_vendor("ShoreTel, Inc", mitel));
  EXPECT_TRUE(org_names_vendor("MITEL CORPORATION", mitel));
  EXPECT_FALSE(org_names_vendor("ARMITEL Co.", mitel));
  EXPECT_TRUE(
      org_names_vendor("YEALINK(XIAMEN) NETWORK TECHNOLOGY CO.,LTD.", *find_vendor("Yealink")));
  EXPECT_TRUE(org_names_vendor("Cisco-Linksys, LLC", *find_vendor("Cisco")));
  EXPECT_EQ(find_vendor("Nokia"), nullptr);
}

}  // namespace
}  // namespace provstation::scanner
