// SPDX-License-Identifier: Apache-2.0
/// @file Tests of classify(): one scanned value, understood by content, never guessed.
#include <provstation/scanner/field.hpp>

#include <provstation/scanner/oui_registry.hpp>

#include <gtest/gtest.h>

#include <string>

namespace provstation::scanner {
namespace {

// Hermetic context: built-in vendor table only, optionally a known model.
label_context ctx(std::optional<std::string> model = std::nullopt) {
  return label_context{std::move(model), &oui_registry::none()};
}

field must(std::string_view value, const label_context& context = ctx()) {
  auto f = classify(value, context);
  EXPECT_TRUE(f.ok()) << value << ": " << (f.ok() ? "" : f.message());
  return f.ok() ? *f : field{};
}

std::string error_of(std::string_view value, const label_context& context = ctx()) {
  auto f = classify(value, context);
  EXPECT_FALSE(f.ok()) << value << " was read as " << (f.ok() ? to_string(f->kind) : "");
  return f.ok() ? std::string() : f.message();
}

// Verify that malformed prefixed values are errors naming the value and the reason.
TEST(ScannerClassify, RejectsMalformedPrefixedValues) {
  EXPECT_EQ(error_of("MAC: 12345"),
            "MAC '12345' is not a MAC address (MAC address must have 12 hex digits)");
  EXPECT_EQ(error_of("MAC ID:0023AB1C2D3G"),
            "MAC ID '0023AB1C2D3G' is not a MAC address (MAC address contains an invalid "
            "character)");
  EXPECT_EQ(error_of("MAC:01005E000001"),
            "MAC 01005e000001 is a multicast address; no phone has it");
  EXPECT_EQ(error_of("MAC 000000000000"), "MAC 000000000000 is all zeros; no phone has it");
  EXPECT_EQ(error_of("SN: ab"),
            "SN 'ab' is not a serial number (4 to 40 letters, digits, '-', '/', '.')");
  EXPECT_EQ(error_of("S/N:CCQ17410ABC!"),
            "S/N 'CCQ17410ABC!' is not a serial number (4 to 40 letters, digits, '-', '/', '.')");
  EXPECT_EQ(error_of("PID:"), "PID '' is not a model");
  EXPECT_EQ(error_of(std::string(600, 'A')), "scanned value is longer than 512 bytes");
}

// Verify that values fitting two readings are errors, never a guess.
TEST(ScannerClassify, RejectsAmbiguousValues) {
  // A Linksys-era serial is 12 alphanumerics and may be all hex.
  EXPECT_EQ(error_of("88012BA01234", ctx("SPA942")),
            "ambiguous value '88012BA01234': it could be the MAC or the serial (SPA942 serials "
            "can look like MACs); scan the other fields of the box too, or enter it with its "
            "prefix (MAC: or SN:)");
  EXPECT_EQ(error_of("0023AB1C2D3E"),
            "ambiguous value '0023AB1C2D3E': it could be the MAC or the serial (the model is not "
            "known, and some serials look like MACs); scan the other fields of the box too, or "
            "enter it with its prefix (MAC: or SN:)");
  // 12 digits with a valid UPC check digit and a phone vendor's OUI.
  EXPECT_EQ(error_of("001049123453", ctx("SPA525G2")),
            "ambiguous value '001049123453': it could be the MAC or a UPC code (OUI 001049 "
            "belongs to a phone vendor); scan the other fields of the box too, or enter it with "
            "its prefix (MAC: or SN:)");
  EXPECT_EQ(error_of("MAC:0023AB1C2D3E;MAC:0023AB1C2D3F"),
            "two different MACs in one scan: 0023ab1c2d3e and 0023ab1c2d3f");
  EXPECT_EQ(error_of("PID:SPA525G2;PID:SPA504G"),
            "two different models in one scan: SPA525G2 and SPA504G");
}

// Verify every written form of a MAC, with and without prefix and AIM identifier.
TEST(ScannerClassify, ReadsMacs) {
  for (const char* text : {"00:23:AB:1C:2D:3E", "00-23-ab-1c-2d-3e", "0023.AB1C.2D3E",
                           "MAC: 0023AB1C2D3E", "MAC ID 00:23:AB:1C:2D:3E", "mac=0023ab1c2d3e",
                           "MAC Address: 0023AB1C2D3E", "]C0MAC:0023AB1C2D3E"}) {
    field f = must(text);
    EXPECT_EQ(f.kind, field_kind::mac) << text;
    EXPECT_EQ(f.value, "0023ab1c2d3e") << text;
  }
  // A bare 12-hex value is a MAC once the model's serials cannot look like one.
  field f = must("]C00023AB1C2D3E", ctx("SPA525G2"));
  EXPECT_EQ(f.kind, field_kind::mac);
  EXPECT_EQ(f.value, "0023ab1c2d3e");
  EXPECT_EQ(f.symbology, "]C0");
}

// Verify Cisco UDI and Linksys serials, and that look-alikes are not serials.
TEST(ScannerClassify, ReadsSerials) {
  for (const char* text : {"CCQ17410ABC", "]C0CCQ17410ABC", "SN:CCQ17410ABC", "S/N CCQ17410ABC",
                           "Serial No.: ccq17410abc", "SN#CCQ17410ABC"}) {
    field f = must(text);
    EXPECT_EQ(f.kind, field_kind::serial) << text;
    EXPECT_EQ(f.value, "CCQ17410ABC") << text;
  }
  EXPECT_EQ(must("4MM00F903042").kind, field_kind::serial);
  EXPECT_EQ(must("4MM00F903042", ctx("SPA942")).value, "4MM00F903042");
  // Week 99 is no week: not a Cisco serial.
  EXPECT_EQ(must("CCQ17990ABC").kind, field_kind::unknown);
  // A Linksys-shaped value is no serial for a model with Cisco serials only.
  field f = must("4MM00F903042", ctx("SPA525G2"));
  EXPECT_EQ(f.kind, field_kind::unknown);
  EXPECT_EQ(f.note, "not a MAC, model or version, and not a Cisco serial (LLLYYWWSSSS)");
  // "SN" glued to a value is not a prefix.
  EXPECT_EQ(must("SN12345").kind, field_kind::unknown);
}

// Verify models of each vendor family and their normalisation.
TEST(ScannerClassify, ReadsModels) {
  struct model_case {
    const char* text;
    const char* value;
    const char* vendor;
  };
  const model_case cases[] = {
      {"SPA525G2", "SPA525G2", "Cisco"},
      {"]C0spa504g", "SPA504G", "Cisco"},
      {"PID:CP-8841-K9=", "CP-8841-K9", "Cisco"},
      {"2200-48500-025", "2200-48500-025", "Polycom"},
      {"P/N: 2200-48500-025", "2200-48500-025", "Polycom"},
      {"SIP-T46S", "SIP-T46S", "Yealink"},
      {"SNOM 320", "SNOM 320", "Snom"},
      {"Model: GXP2170", "GXP2170", "Grandstream"},
  };
  for (const auto& c : cases) {
    field f = must(c.text);
    EXPECT_EQ(f.kind, field_kind::model) << c.text;
    EXPECT_EQ(f.value, c.value) << c.text;
    EXPECT_EQ(f.vendor, c.vendor) << c.text;
  }
  field unknown_model = must("PID:XYZ-1000");
  EXPECT_EQ(unknown_model.kind, field_kind::model);
  EXPECT_EQ(unknown_model.vendor, "");
  EXPECT_EQ(unknown_model.note, "model not in the catalogue");
}

// Verify combined payloads: every separator, key order and the GS1 forms.
TEST(ScannerClassify, SplitsCombinedPayloads) {
  field f = must("]Q1PID:SPA525G2;SN:CCQ17410ABC;MAC:0023AB1C2D3E");
  ASSERT_EQ(f.kind, field_kind::combined);
  EXPECT_EQ(f.symbology, "]Q1");
  ASSERT_EQ(f.parts.size(), 3u);
  EXPECT_EQ(f.parts[0].kind, field_kind::model);
  EXPECT_EQ(f.parts[0].value, "SPA525G2");
  EXPECT_EQ(f.parts[1].kind, field_kind::serial);
  EXPECT_EQ(f.parts[1].value, "CCQ17410ABC");
  EXPECT_EQ(f.parts[2].kind, field_kind::mac);
  EXPECT_EQ(f.parts[2].value, "0023ab1c2d3e");

  for (const char* text :
       {"MAC:0023AB1C2D3E,SN:CCQ17410ABC", "MAC=0023AB1C2D3E|SN=CCQ17410ABC",
        "MAC 00 23 AB 1C 2D 3E SN CCQ17410ABC", "MAC:0023AB1C2D3E\x1dSN:CCQ17410ABC"}) {
    field g = must(text);
    ASSERT_EQ(g.kind, field_kind::combined) << text;
    ASSERT_EQ(g.parts.size(), 2u) << text;
    EXPECT_EQ(g.parts[0].value, "0023ab1c2d3e") << text;
    EXPECT_EQ(g.parts[1].value, "CCQ17410ABC") << text;
  }

  field udi = must("PID SPA525G2 VID V02 SN CCQ17410ABC");
  ASSERT_EQ(udi.parts.size(), 3u);
  EXPECT_EQ(udi.parts[1].kind, field_kind::version);
  EXPECT_EQ(udi.parts[1].value, "V02");
}

// Verify GS1 element strings: AIM ]d2 with FNC1 as GS, and the human-readable form.
TEST(ScannerClassify, ReadsGs1) {
  field f = must(
      "]d20100614141999996"
      "21CCQ17410ABC\x1d"
      "240SPA525G2");
  ASSERT_EQ(f.kind, field_kind::combined);
  ASSERT_EQ(f.parts.size(), 3u);
  EXPECT_EQ(f.parts[0].kind, field_kind::ignored);
  EXPECT_EQ(f.parts[0].note, "GTIN");
  EXPECT_EQ(f.parts[1].kind, field_kind::serial);
  EXPECT_EQ(f.parts[2].kind, field_kind::model);

  field paren = must("(01)00614141999996(21)CCQ17410ABC");
  ASSERT_EQ(paren.parts.size(), 2u);
  EXPECT_EQ(paren.parts[1].value, "CCQ17410ABC");

  field bad = must(
      "]C1"
      "99ABC");
  EXPECT_EQ(bad.kind, field_kind::unknown);
  EXPECT_EQ(bad.note, "unsupported GS1 application identifier at '99AB'");
  EXPECT_EQ(must("]C10112345").note, "GS1 field (01) is cut short");
}

// Verify ISO/IEC 15434 envelopes (format 06 data identifiers) as 2-D shipping labels use them.
TEST(ScannerClassify, ReadsIso15434) {
  field f = must(
      "]d1[)>\x1e"
      "06\x1dPSPA525G2\x1dSCCQ17410ABC\x1d"
      "4LCN\x1e\x04");
  ASSERT_EQ(f.kind, field_kind::combined);
  ASSERT_EQ(f.parts.size(), 3u);
  EXPECT_EQ(f.parts[0].kind, field_kind::model);
  EXPECT_EQ(f.parts[0].value, "SPA525G2");
  // The data identifier "S" is not part of the serial.
  EXPECT_EQ(f.parts[1].kind, field_kind::serial);
  EXPECT_EQ(f.parts[1].value, "CCQ17410ABC");
  EXPECT_EQ(f.parts[2].kind, field_kind::ignored);
  EXPECT_EQ(must("[)>\x1e"
                 "07\x1dx\x1e\x04")
                .note,
            "unsupported ISO/IEC 15434 format '07'");
  EXPECT_EQ(must("[)>\x1e"
                 "06\x1d"
                 "12\x1e")
                .note,
            "ISO/IEC 15434 field without a data identifier");
}

// Verify models whose serial is the MAC, and MACs completed from 6 digits.
TEST(ScannerClassify, UsesModelContext) {
  field poly = must("0004F2ABCDEF", ctx("2200-48500-025"));
  EXPECT_EQ(poly.kind, field_kind::mac_serial);
  EXPECT_EQ(poly.value, "0004f2abcdef");
  EXPECT_EQ(must("SN:0004F2ABCDEF", ctx("VVX 400")).kind, field_kind::mac_serial);

  field mitel = must("1A2B3C", ctx("IP480"));
  EXPECT_EQ(mitel.kind, field_kind::mac);
  EXPECT_EQ(mitel.value, "0010491a2b3c");
  EXPECT_EQ(mitel.note, "completed from its last 6 digits with OUI 001049");
  EXPECT_EQ(must("1A2B3C").kind, field_kind::unknown);
}

// Verify that EAN/UPC codes and other things on a box are recognised and not used.
TEST(ScannerClassify, IgnoresUpcAndUnknownValues) {
  field upc = must("]E0012345678905");
  EXPECT_EQ(upc.kind, field_kind::ignored);
  EXPECT_EQ(upc.note, "EAN/UPC");
  // Valid check digit and no phone vendor's OUI: the UPC on the box, not a MAC.
  EXPECT_EQ(must("882658123450", ctx("SPA525G2")).kind, field_kind::ignored);
  // The same digits from a Code 128 symbol are no UPC.
  EXPECT_EQ(must("]C0882658123450", ctx("SPA525G2")).kind, field_kind::mac);

  field text = must("Made in China");
  EXPECT_EQ(text.kind, field_kind::unknown);
  EXPECT_EQ(text.note, "not a MAC, serial, model or version");
  field binary = must(std::string_view("\x01\x02zz", 4));
  EXPECT_EQ(binary.kind, field_kind::unknown);
  EXPECT_EQ(binary.note, "contains control or non-ASCII characters");
  EXPECT_EQ(must("").kind, field_kind::unknown);
  EXPECT_EQ(must("V02").kind, field_kind::version);
}

}  // namespace
}  // namespace provstation::scanner
