// SPDX-License-Identifier: Apache-2.0
/// @file Tests of profile rendering, path classification, templates, CSV and encryption.
#include <provstation/profiles.hpp>

#include <provstation/csv.hpp>
#include <provstation/template.hpp>

#include <gtest/gtest.h>

namespace provstation {
namespace {

profile_settings settings() {
  profile_settings s;
  s.bench_address = "192.0.2.1";
  return s;
}

// Verify the seed carries the per-MAC rule with macros, bench timers, syslog and the guard.
TEST(Profiles, SeedHasRuleTimersSyslogAndGuardedUpgrade) {
  profile_builder b(settings());
  firmware_row fw;
  fw.version = "7.5.5";
  fw.file_name = "spa525g-7-5-5.bin";
  auto seed = b.seed("spa525g2", fw);
  ASSERT_TRUE(seed.ok()) << seed.message();
  EXPECT_NE(seed->find("<Profile_Rule>http://192.0.2.1/prov/"
                       "$MA.xml?sn=$SN&amp;pn=$PN&amp;fw=$SWVER</Profile_Rule>"),
            std::string::npos)
      << *seed;
  EXPECT_NE(seed->find("<Upgrade_Rule>( $SWVER ne 7.5.5 )? "
                       "tftp://192.0.2.1/fw/spa525g-7-5-5.bin</Upgrade_Rule>"),
            std::string::npos);
  EXPECT_NE(seed->find("<Syslog_Server>192.0.2.1</Syslog_Server>"), std::string::npos);
  EXPECT_NE(seed->find("<Resync_Random_Delay>0</Resync_Random_Delay>"), std::string::npos);
  EXPECT_NE(seed->find("[ps ma=$MA sn=$SN fw=$SWVER]"), std::string::npos);
  EXPECT_NE(seed->find("seed for SPA525G2"), std::string::npos);
}

// Verify that values are XML-escaped and unknown placeholders are errors.
TEST(Profiles, TemplatesEscapeAndRefuseUnknownPlaceholders) {
  auto r = render_template("<a>{{ unit.serial }}</a>", {{"unit.serial", "<&\"'>"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "<a>&lt;&amp;&quot;&apos;&gt;</a>");
  EXPECT_EQ(render_template("x\n{{unit.serail}}", {}).message(),
            "line 2: unknown placeholder {{unit.serail}}");
  EXPECT_EQ(render_template("{{Unit}}", {}).message(),
            "line 1: malformed placeholder \"{{Unit}}\"");
  EXPECT_EQ(render_template("{{unit", {}).message(), "line 1: \"{{\" without \"}}\"");
  EXPECT_EQ(*render_template("$MA $(SN:2) $$", {}), "$MA $(SN:2) $$");
}

// Verify the paths phones request are classified, case-insensitively, with reported values.
TEST(Profiles, ClassifiesPhonePaths) {
  auto p = classify_path("/spa525G2.cfg");
  EXPECT_EQ(p.what, profile_path::kind::seed);
  EXPECT_EQ(p.model, "SPA525G2");
  EXPECT_EQ(classify_path("spa504g.cfg").model, "SPA504G");
  p = classify_path("/prov/0023AB000001.xml?sn=CBT141900G7&pn=SPA525G2&fw=7.4.9c");
  EXPECT_EQ(p.what, profile_path::kind::device);
  EXPECT_EQ(p.mac, "0023ab000001");
  EXPECT_EQ(p.serial, "CBT141900G7");
  EXPECT_EQ(p.version, "7.4.9c");
  EXPECT_EQ(p.reported_model, "SPA525G2");
  EXPECT_EQ(classify_path("/prov/0023ab000001.xml?sn=$SN").serial, "");
  EXPECT_EQ(classify_path("/fw/spa525g-7-5-5.bin").file_name, "spa525g-7-5-5.bin");
  EXPECT_EQ(classify_path("/fw/../etc/passwd").what, profile_path::kind::unknown);
  EXPECT_EQ(classify_path("/prov/nothex.xml").what, profile_path::kind::unknown);
  EXPECT_EQ(classify_path("/etc/passwd").what, profile_path::kind::unknown);
}

// Verify encryption round-trips and the wrong key or digest is refused.
TEST(Profiles, EncryptionRoundTrips) {
  const std::string xml = "<flat-profile><A>1</A></flat-profile>";
  const auto md5 = encrypt_profile(xml, "SecretPhrase1234", key_digest::md5);
  EXPECT_EQ(md5.substr(0, 8), "Salted__");
  EXPECT_EQ(*decrypt_profile(md5, "SecretPhrase1234", key_digest::md5), xml);
  EXPECT_FALSE(decrypt_profile(md5, "wrong", key_digest::md5).ok() &&
               *decrypt_profile(md5, "wrong", key_digest::md5) == xml);
  const auto sha = encrypt_profile(xml, "k", key_digest::sha256);
  EXPECT_EQ(*decrypt_profile(sha, "k", key_digest::sha256), xml);
  EXPECT_EQ(gzip_compress(xml).substr(0, 2), "\x1f\x8b");
}

// Verify CSV cells are quoted per RFC 4180 and never evaluated by a spreadsheet.
TEST(Csv, EscapesFormulasAndQuotes) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csv_cell("+1"), "'+1");
  EXPECT_EQ(csv_cell("-1"), "'-1");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(iso_time(1764230400000), "2025-11-27T08:00:00Z");
}

// Verify the export lists only finished units, with upper-case MACs and a header row.
TEST(Csv, ExportsVerifiedUnits) {
  unit_record a;
  a.mac = *mac_address::parse("0023ab000001");
  a.serial = "S1";
  a.model = "SPA525G2";
  a.current = stage::verified;
  a.reported_version = "7.5.5";
  a.verified_at = 1764230400000;
  a.batch_id = 1;
  unit_record b = a;
  b.mac = *mac_address::parse("0023ab000002");
  b.current = stage::profiled;
  batch_row batch;
  batch.id = 1;
  batch.name = "order-1";
  const auto csv = export_csv({a, b}, {batch}, {});
  EXPECT_EQ(csv,
            "mac,serial,model,firmware,account,batch,verified_at,shipped_at\r\n"
            "0023AB000001,S1,SPA525G2,7.5.5,,order-1,2025-11-27T08:00:00Z,\r\n");
}

}  // namespace
}  // namespace provstation

namespace provstation {
namespace {

// Verify RFC 4180 parsing: quotes, doubled quotes, embedded newlines, CRLF, BOM.
TEST(Csv, ParsesRfc4180) {
  auto t = parse_csv(
      "\xEF\xBB\xBF"
      "a,\"b,c\",\"d\"\"e\"\r\n\"multi\nline\",x,\r\n\r\nlast");
  ASSERT_TRUE(t.ok()) << t.message();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0], (std::vector<std::string>{"a", "b,c", "d\"e"}));
  EXPECT_EQ((*t)[1], (std::vector<std::string>{"multi\nline", "x", ""}));
  EXPECT_EQ((*t)[2], (std::vector<std::string>{"last"}));
  EXPECT_EQ(parse_csv("a,\"open").message(), "line 1: a quoted cell is not closed");
  EXPECT_EQ(parse_csv(std::string(5000, 'x')).message(), "line 1: a cell is longer than 4 KiB");
}

// Verify a manifest with its columns in any order is read, and a bad one refused as a whole.
TEST(Csv, ReadsManifestAllOrNothing) {
  auto m = parse_manifest(
      "Serial Number,Model,MAC Address\nCBT141900G7,spa525g2,00:23:ab:00:00:01\n"
      "CBT141900G8,SPA525G2,0023ab000002\n");
  ASSERT_TRUE(m.ok()) << m.message();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].mac.str(), "0023ab000001");
  EXPECT_EQ((*m)[0].model, "SPA525G2");
  auto bad = parse_manifest("mac,serial\n0023ab000001,A\nnope,B\n0023ab000001,C\n0023ab000003,\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.message(),
            "manifest refused, nothing imported (3 problems):\n"
            "  line 3: MAC address contains an invalid character\n"
            "  line 4: MAC 0023AB000001 is listed twice\n"
            "  line 5: no serial");
  EXPECT_EQ(parse_manifest("a,b\n1,2\n").message(),
            "manifest: the header row must name a MAC column and a serial column (e.g. "
            "\"mac,serial,model\")");
}

}  // namespace
}  // namespace provstation
