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

#include <provstation/kea_lease_file.hpp>
#include <provstation/test/temp_dir.hpp>

namespace provstation {
namespace {

constexpr const char* lease_header =
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n";

// Verify Kea's lease files are read oldest first (.1, .2, then the file; .completed replaces
// .1 and .2), so the newest entry for an address wins, and malformed rows are counted.
TEST(KeaLeaseFile, NewestEntryWins) {
  test::temp_dir dir;
  const std::string path = dir.file("kea-leases4.csv");
  dir.write("kea-leases4.csv.1", std::string(lease_header) + "192.0.2.10,00:23:ab:00:00:01,,600,2000000000,1,0,0,a,0,\n");
  dir.write("kea-leases4.csv.2", std::string(lease_header) + "192.0.2.10,00:23:ab:00:00:02,,600,2000000000,1,0,0,b,0,\n");
  dir.write("kea-leases4.csv", std::string(lease_header) + "192.0.2.11,00:23:ab:00:00:03,,600,2000000000,1,0,0,c,0,\n"
                               "garbage,row\n192.0.2.12,00:23:ab:00:00:04,,600,100,1,0,0,d,0,\n");
  auto f = read_kea_leases(path);
  ASSERT_TRUE(f.ok()) << f.message();
  EXPECT_EQ(f->by_ip.at("192.0.2.10").mac.str(), "0023ab000002");
  EXPECT_EQ(f->skipped, 1u);
  const auto active = active_leases(*f, 1000);
  EXPECT_EQ(active.size(), 2u) << "192.0.2.12 expired at 100";
  dir.write("kea-leases4.csv.completed", std::string(lease_header) + "192.0.2.10,00:23:ab:00:00:05,,600,2000000000,1,0,0,e,0,\n");
  f = read_kea_leases(path);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->by_ip.at("192.0.2.10").mac.str(), "0023ab000005");
  EXPECT_FALSE(read_kea_leases(dir.file("none.csv")).ok());
  EXPECT_EQ(parse_kea_leases("a,b\n1,2\n").message(),
            "not a Kea DHCPv4 lease file (no address/hwaddr/expire header)");
}

}  // namespace
}  // namespace provstation
