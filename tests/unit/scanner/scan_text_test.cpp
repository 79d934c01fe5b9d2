// SPDX-License-Identifier: Apache-2.0
/// @file Tests of parse_scan_text(): keyboard-wedge text of one box, fields in any order.
#include <provstation/scanner/scan_text.hpp>

#include <provstation/scanner/oui_registry.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace provstation::scanner {
namespace {

label_context ctx(std::optional<std::string> model = std::nullopt,
                  const oui_registry* ouis = &oui_registry::none()) {
  return label_context{std::move(model), ouis};
}

scan_fields must(std::string_view text, const label_context& context = ctx()) {
  auto f = parse_scan_text(text, context);
  EXPECT_TRUE(f.ok()) << text << ": " << (f.ok() ? "" : f.message());
  return f.ok() ? *f : scan_fields{};
}

std::string error_of(std::string_view text, const label_context& context = ctx()) {
  auto f = parse_scan_text(text, context);
  EXPECT_FALSE(f.ok()) << text;
  return f.ok() ? std::string() : f.message();
}

// Verify that conflicting values in one scan are refused with the values named.
TEST(ScannerScanText, RejectsConflicts) {
  EXPECT_EQ(error_of("SPA525G2\n0023AB1C2D3E\n0023AB1C2D3F\n"),
            "two different MACs in one scan: 0023ab1c2d3e and 0023ab1c2d3f");
  EXPECT_EQ(error_of("CCQ17410ABC\nCCQ17410ABD\n"),
            "two different serials in one scan: CCQ17410ABC and CCQ17410ABD");
  EXPECT_EQ(error_of("SPA525G2\r\nSPA504G\r\n"),
            "two different models in one scan: SPA525G2 and SPA504G");
  // A Polycom's serial is its MAC.
  EXPECT_EQ(error_of("2200-48500-025\nMAC:0004F2ABCDEF\nSN:0004F2ABCDE0\n"),
            "two different MACs in one scan: 0004f2abcdef and 0004f2abcde0");
  EXPECT_EQ(error_of("2200-48500-025\nMAC:0004F2ABCDEF\nSN:ABC12345\n"),
            "serial ABC12345 differs from MAC 0004f2abcdef, but a 2200-48500-025 (Polycom) has "
            "its MAC as serial");
  // A third value that could only be the MAC or the serial, both already known.
  EXPECT_EQ(error_of("SPA942\nMAC:000E08AABBCC\nSN:4MM00F903042\n88012BA01234\n"),
            "'88012BA01234' could only be the MAC or the serial, but the MAC is 000e08aabbcc and "
            "the serial is 4MM00F903042");
  EXPECT_EQ(error_of("MAC: 0023AB1C2D\nCCQ17410ABC"),
            "MAC '0023AB1C2D' is not a MAC address (MAC address must have 12 hex digits)");
}

// Verify the limits on text size and number of values.
TEST(ScannerScanText, EnforcesLimits) {
  EXPECT_EQ(error_of(std::string(max_scan_text_bytes + 1, 'A')),
            "scan text is longer than 8192 bytes");
  std::string many;
  for (int i = 0; i < 33; ++i) many += "SPA525G2\n";
  EXPECT_EQ(error_of(many), "a scan may hold at most 32 values");
}

// Verify that a Cisco box reads the same in every order and with every line ending.
TEST(ScannerScanText, ReadsCiscoBoxInAnyOrder) {
  std::array<std::string, 3> lines{"]C0SPA525G2", "]C0CCQ17410ABC", "]C00023AB1C2D3E"};
  std::sort(lines.begin(), lines.end());
  do {
    for (const char* eol : {"\r\n", "\n", "\r", "\t"}) {
      const std::string text = lines[0] + eol + lines[1] + eol + lines[2] + eol;
      scan_fields f = must(text);
      ASSERT_TRUE(f.complete()) << text;
      EXPECT_EQ(f.mac->str(), "0023ab1c2d3e");
      EXPECT_EQ(*f.serial, "CCQ17410ABC");
      EXPECT_EQ(*f.model, "SPA525G2");
      EXPECT_EQ(f.vendor, "Cisco");
      EXPECT_FALSE(f.model_from_context);
      EXPECT_TRUE(f.warnings.empty());
      ASSERT_EQ(f.values.size(), 3u);
      for (const auto& v : f.values) EXPECT_EQ(v.symbology, "]C0");
    }
  } while (std::next_permutation(lines.begin(), lines.end()));
}

// Verify prefixes, one-line entry and combined payloads.
TEST(ScannerScanText, ReadsPrefixedAndCombinedInput) {
  for (const char* text :
       {"PID: SPA525G2\nS/N: CCQ17410ABC\nMAC: 00:23:AB:1C:2D:3E\n",
        "PID:SPA525G2;SN:CCQ17410ABC;MAC:0023AB1C2D3E", "SPA525G2 CCQ17410ABC 0023AB1C2D3E",
        "MAC:0023AB1C2D3E,SN:CCQ17410ABC\nSPA525G2\n",
        "PID SPA525G2 VID V02 SN CCQ17410ABC\nMAC 0023.ab1c.2d3e\n"}) {
    scan_fields f = must(text);
    ASSERT_TRUE(f.complete()) << text;
    EXPECT_EQ(f.mac->str(), "0023ab1c2d3e") << text;
    EXPECT_EQ(*f.serial, "CCQ17410ABC") << text;
    EXPECT_EQ(*f.model, "SPA525G2") << text;
  }
  scan_fields f = must("PID:SPA525G2;SN:CCQ17410ABC;MAC:0023AB1C2D3E");
  ASSERT_EQ(f.values.size(), 1u);
  EXPECT_EQ(f.values[0].kind, field_kind::combined);
}

// Verify that barcodes arriving separately (camera) read like wedge lines, even multi-line QR.
TEST(ScannerScanText, ReadsBarcodeValues) {
  const std::vector<std::string> values{"]Q1PID:SPA525G2\nSN:CCQ17410ABC\nMAC:0023AB1C2D3E",
                                        "]E0882658123450"};
  auto f = parse_scan_values(values, ctx());
  ASSERT_TRUE(f.ok()) << f.message();
  EXPECT_TRUE(f->complete());
  EXPECT_EQ(f->values[1].kind, field_kind::ignored);
}

// Verify that values ambiguous alone are decided by the rest of the box, not guessed.
TEST(ScannerScanText, DecidesByElimination) {
  // Linksys serial that is all hex, plus a prefixed MAC: the other one is the serial.
  scan_fields a = must("SPA942\n88012BA01234\nMAC:000E08AABBCC\n");
  ASSERT_TRUE(a.complete());
  EXPECT_EQ(*a.serial, "88012BA01234");
  EXPECT_EQ(a.mac->str(), "000e08aabbcc");
  EXPECT_EQ(a.values[1].kind, field_kind::serial);
  // A serial that cannot be a MAC: the hex value is the MAC.
  scan_fields b = must("SPA942\n000E08AABBCC\n4MM00F903042\n");
  EXPECT_EQ(b.mac->str(), "000e08aabbcc");
  EXPECT_EQ(*b.serial, "4MM00F903042");
  // Two hex values for a Linksys model: nobody can tell.
  EXPECT_EQ(error_of("SPA942\n88012BA01234\n000E08AABBCC\n"),
            "ambiguous value '88012BA01234': it could be the MAC or the serial (SPA942 serials "
            "can look like MACs); scan the other fields of the box too, or enter it with its "
            "prefix (MAC: or SN:); ambiguous value '000E08AABBCC': it could be the MAC or the "
            "serial (SPA942 serials can look like MACs); scan the other fields of the box too, "
            "or enter it with its prefix (MAC: or SN:)");
  // The same MAC twice in different forms is no conflict.
  scan_fields c = must("SPA525G2\n0023AB1C2D3E\n00:23:ab:1c:2d:3e\nCCQ17410ABC\n");
  EXPECT_TRUE(c.complete());
  // A UPC code on the box next to a prefixed MAC is read as the UPC.
  scan_fields d = must("SPA525G2\n001049123453\nMAC:0023AB1C2D3E\nCCQ17410ABC\n");
  EXPECT_EQ(d.mac->str(), "0023ab1c2d3e");
  EXPECT_EQ(d.values[1].kind, field_kind::ignored);
}

// Verify the batch's default model and the warnings about it.
TEST(ScannerScanText, UsesDefaultModel) {
  scan_fields f = must("0023AB1C2D3E\nCCQ17410ABC\n", ctx("spa525g2"));
  ASSERT_TRUE(f.complete());
  EXPECT_TRUE(f.model_from_context);
  EXPECT_EQ(*f.model, "SPA525G2");
  scan_fields g = must("SPA504G\n0023AB1C2D3E\nCCQ17410ABC\n", ctx("SPA525G2"));
  EXPECT_EQ(*g.model, "SPA504G");
  ASSERT_EQ(g.warnings.size(), 1u);
  EXPECT_EQ(g.warnings[0], "the label says model SPA504G, the batch expects SPA525G2");
  // Polycom: one value gives MAC and serial.
  scan_fields p = must("0004F2ABCDEF", ctx("2200-48500-025"));
  ASSERT_TRUE(p.complete());
  EXPECT_EQ(*p.serial, "0004F2ABCDEF");
  EXPECT_EQ(p.values[0].kind, field_kind::mac_serial);
}

// Verify the OUI checks against the model's vendor, built-in and with the IEEE registry.
TEST(ScannerScanText, WarnsAboutOuis) {
  scan_fields a = must("SPA525G2\n0004F2ABCDEF\nCCQ17410ABC\n");
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_EQ(a.warnings[0],
            "MAC 0004f2abcdef has OUI 0004F2 of Polycom, but SPA525G2 is a Cisco phone");

  oui_registry registry;
  ASSERT_TRUE(registry
                  .add_csv("Registry,Assignment,Organization Name,Organization Address\n"
                           "MA-L,A0B2C4,Example Networks,Somewhere\n"
                           "MA-L,649EF3,\"Cisco Systems, Inc\",San Jose\n")
                  .ok());
  scan_fields b = must("SPA525G2\nA0B2C4000001\nCCQ17410ABC\n", ctx(std::nullopt, &registry));
  ASSERT_EQ(b.warnings.size(), 1u);
  EXPECT_EQ(b.warnings[0],
            "MAC a0b2c4000001 has OUI A0B2C4 registered to Example Networks, but SPA525G2 is a "
            "Cisco phone");
  scan_fields c = must("SPA525G2\nA0B2C6000001\nCCQ17410ABC\n", ctx(std::nullopt, &registry));
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0],
            "MAC a0b2c6000001 has OUI A0B2C6, which is not registered with the IEEE");
  EXPECT_TRUE(
      must("SPA525G2\n649EF3000001\nCCQ17410ABC\n", ctx(std::nullopt, &registry)).warnings.empty());
  // Without a registry an OUI outside the built-in table is not judged.
  EXPECT_TRUE(must("SPA525G2\nA0B2C4000001\nCCQ17410ABC\n").warnings.empty());

  scan_fields local = must("SPA525G2\n020000000001\nCCQ17410ABC\n");
  ASSERT_EQ(local.warnings.size(), 1u);
  EXPECT_EQ(local.warnings[0],
            "MAC 020000000001 is a locally administered address, not a factory MAC");
}

// Verify that values not understood are kept and reported, not dropped silently.
TEST(ScannerScanText, ReportsUnknownValues) {
  scan_fields f = must("SPA525G2\nhello there\n0023AB1C2D3E\nCCQ17410ABC\n");
  EXPECT_TRUE(f.complete());
  ASSERT_EQ(f.values.size(), 4u);
  EXPECT_EQ(f.values[1].kind, field_kind::unknown);
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_EQ(f.warnings[0], "ignored value 'hello there': not a MAC, serial, model or version");
  scan_fields empty = must("");
  EXPECT_FALSE(empty.complete());
  EXPECT_TRUE(empty.values.empty());
}

}  // namespace
}  // namespace provstation::scanner
