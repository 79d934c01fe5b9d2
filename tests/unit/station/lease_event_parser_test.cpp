// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the lease-event datagram parser against the shared encoder.
#include <provstation/lease_event_parser.hpp>

#include <gtest/gtest.h>

namespace provstation {
namespace {

result<parsed_lease_event> parse(const std::string& s) {
  return parse_lease_event(std::as_bytes(std::span(s.data(), s.size())));
}

// Verify that what the hook encodes the station decodes, hostile strings included.
TEST(LeaseEventParser, RoundTripsTheEncoder) {
  kea::lease_event e;
  e.boot_id = "b0";
  e.seq = 42;
  e.type = kea::lease_event_type::release;
  e.mac = "0023ab000001";
  e.ip = "192.0.2.100";
  e.hostname = std::string("SPA\"525\\G2\n\xff\xfe", 13);
  e.vendor_class = "Cisco SPA525G2";
  e.valid_lifetime = 600;
  e.at = 1764230400;
  auto r = parse(kea::encode(e));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->event.seq, 42u);
  EXPECT_EQ(r->event.type, kea::lease_event_type::release);
  EXPECT_EQ(r->mac.str(), "0023ab000001");
  EXPECT_EQ(r->event.hostname, "SPA\"525\\G2\n\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(r->event.vendor_class, "Cisco SPA525G2");
}

// Verify that malformed datagrams are refused naming the field.
TEST(LeaseEventParser, RefusesMalformedDatagrams) {
  EXPECT_EQ(parse("{").message(), "lease event: not valid JSON");
  EXPECT_EQ(parse("[]").message(), "lease event: not a JSON object");
  EXPECT_EQ(parse(R"({"v":2})").message(), "lease event: unsupported version 2");
  EXPECT_EQ(
      parse(R"({"v":1,"boot_id":"b","seq":1,"type":"commit","mac":"zz","ip":"192.0.2.1","at":1})")
          .message(),
      "lease event: \"mac\": MAC address contains an invalid character");
  EXPECT_EQ(
      parse(
          R"({"v":1,"boot_id":"b","seq":1,"type":"commit","mac":"0023ab000001","ip":"999.1.1.1","at":1})")
          .message(),
      "lease event: \"ip\" is not an IPv4 address");
  EXPECT_EQ(parse(R"({"v":1,"boot_id":"b","seq":-1,"type":"commit"})").message(),
            "lease event: \"seq\" is not a non-negative integer");
  EXPECT_EQ(parse(R"({"v":1,"boot_id":"b","seq":1,"type":"bogus"})").message(),
            "lease event: unknown type \"bogus\"");
  EXPECT_EQ(parse(R"({"v":1,"seq":1})").message(), "lease event: missing \"boot_id\"");
}

}  // namespace
}  // namespace provstation
