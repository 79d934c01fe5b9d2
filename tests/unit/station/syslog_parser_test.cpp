// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the SPA syslog parser.
#include <provstation/syslog_parser.hpp>

#include <gtest/gtest.h>

#include <span>
#include <string>

namespace provstation {
namespace {

result<syslog_report> parse(const std::string& s) {
  return parse_syslog(std::as_bytes(std::span(s.data(), s.size())));
}

// Verify the documented default templates parse (with and without "-- $ERR", with PRI).
TEST(SyslogParser, ParsesDefaultTemplates) {
  auto r =
      parse("<134>SPA504G 00:0e:08:aa:bb:cc -- Requesting resync tftp://192.0.2.1:69/spa504G.cfg");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->kind, evidence_kind::resync_requested);
  EXPECT_EQ(r->product, "SPA504G");
  EXPECT_EQ(r->mac.str(), "000e08aabbcc");
  EXPECT_EQ(r->url, "tftp://192.0.2.1:69/spa504G.cfg");
  r = parse("SPA504G 00:0e:08:aa:bb:cc -- Successful resync http://192.0.2.1:80/p.xml -- ");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, evidence_kind::resync_succeeded);
  r = parse("SPA504G 00:0e:08:aa:bb:cc -- Resync failed: http_get failed");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, evidence_kind::resync_failed);
  EXPECT_EQ(r->err, "http_get failed");
  r = parse(
      "SPA525G2 00:0e:08:aa:bb:cc \xE2\x80\x93 Successful upgrade tftp://192.0.2.1:69/fw/a.bin "
      "\xE2\x80\x93 7.5.5");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->kind, evidence_kind::upgrade_succeeded);
  EXPECT_EQ(r->err, "7.5.5");
  r = parse(
      "Nov 27 07:00:00 192.0.2.100 SPA525G2 00:0e:08:aa:bb:cc -- Upgrade failed: corrupt file");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->kind, evidence_kind::upgrade_failed);
  EXPECT_EQ(r->err, "corrupt file");
}

// Verify the station's trailer gives serial and version, and must name the same MAC.
TEST(SyslogParser, ReadsStationTrailer) {
  auto r = parse(
      "SPA525G2 00:0e:08:aa:bb:cc -- Requesting upgrade tftp://192.0.2.1/fw/x.bin "
      "[ps ma=000e08aabbcc sn=CBT141900G7 fw=7.4.9c]");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->serial, "CBT141900G7");
  EXPECT_EQ(r->version, "7.4.9c");
  EXPECT_EQ(r->url, "tftp://192.0.2.1/fw/x.bin");
  r = parse(
      "SPA525G2 00:0e:08:aa:bb:cc -- Requesting resync tftp://x/y [ps ma=000e08aabbcd sn=A fw=B]");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "the trailer names another MAC");
}

// Verify that garbage is refused with a reason.
TEST(SyslogParser, RefusesGarbage) {
  EXPECT_EQ(parse("").message(), "empty syslog datagram");
  EXPECT_EQ(parse("hello world").message(), "not an SPA provisioning message");
  EXPECT_EQ(parse("SPA504G zz:0e:08:aa:bb:cc -- Requesting resync x").message(),
            "bad MAC in syslog line: MAC address contains an invalid character");
  EXPECT_EQ(parse("SPA504G 00:0e:08:aa:bb:cc -- Rebooting now").message(),
            "unknown SPA provisioning event");
  EXPECT_EQ(parse(std::string("SPA504G 00:0e:08:aa:bb:cc -- Resync failed: \x01")).message(),
            "syslog datagram has control characters");
  EXPECT_EQ(parse(std::string(3000, 'a')).message(), "syslog datagram too long");
}

}  // namespace
}  // namespace provstation
