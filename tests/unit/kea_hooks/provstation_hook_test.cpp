// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the hook's Impl: phone matching, options put into responses, the parameter
/// request list, policy decisions and the events built from leases.
#include "provstation_hook.hpp"

#include <provstation/test/temp_dir.hpp>

#include <asiolink/io_address.h>
#include <cc/data.h>
#include <dhcp/dhcp4.h>
#include <dhcp/option_int_array.h>
#include <dhcp/option_string.h>
#include <log/logger_support.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>  // setenv
#include <string>
#include <vector>

namespace provstation::kea {
namespace {

using isc::asiolink::IOAddress;
using isc::data::Element;
using isc::dhcp::HWAddr;
using isc::dhcp::HWAddrPtr;
using isc::dhcp::Lease4;
using isc::dhcp::Option;
using isc::dhcp::OptionPtr;
using isc::dhcp::Pkt4;
using isc::dhcp::Pkt4Ptr;
using ::testing::ElementsAre;

// Kea's loggers refuse to work before logging is initialised; debug level 99 also runs the
// formatting of every per-packet message.
class kea_logging : public ::testing::Environment {
 public:
  void SetUp() override {
    // No interprocess lock file: the default one is under /run/kea.
    ::setenv("KEA_LOCKFILE_DIR", "none", 1);
    isc::log::initLogger("provstation-hook-test", isc::log::DEBUG, 99);
  }
};
const auto* const logging_env = ::testing::AddGlobalTestEnvironment(new kea_logging);

const std::vector<std::uint8_t> phone_mac = {0x00, 0x23, 0xab, 0x00, 0x00, 0x01};
const std::vector<std::uint8_t> polycom_mac = {0x00, 0x04, 0xf2, 0x00, 0x00, 0x02};
const std::vector<std::uint8_t> laptop_mac = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x03};

provstation_hook::environment test_env() {
  return {"0123456789abcdef0123456789abcdef", [] { return std::int64_t{1764230400}; }};
}

hook_config config_from(const std::string& json) {
  parsed_config p = parse_hook_config(Element::fromJSON(json));
  EXPECT_TRUE(p.errors.empty()) << (p.errors.empty() ? "" : p.errors.front());
  return p.config;
}

Pkt4Ptr make_query(std::uint8_t type, const std::vector<std::uint8_t>& mac,
                   const std::string& vendor_class) {
  Pkt4Ptr q(new Pkt4(type, 0x1234));
  q->setHWAddr(HWAddrPtr(new HWAddr(mac, isc::dhcp::HTYPE_ETHER)));
  if (!vendor_class.empty()) {
    q->addOption(OptionPtr(new isc::dhcp::OptionString(
        Option::V4, isc::dhcp::DHO_VENDOR_CLASS_IDENTIFIER, vendor_class)));
  }
  return q;
}

void add_prl(Pkt4& q, const std::vector<std::uint8_t>& codes) {
  // Kea parses option 55 into this array class, whose getData() is empty.
  auto prl = boost::make_shared<isc::dhcp::OptionUint8Array>(
      Option::V4, isc::dhcp::DHO_DHCP_PARAMETER_REQUEST_LIST);
  for (std::uint8_t c : codes) prl->addValue(c);
  q.addOption(prl);
}

std::string option_payload(Pkt4& p, std::uint16_t code) {
  const OptionPtr o = p.getOption(code);
  if (!o) return "(absent)";
  const auto data = o->toBinary(false);
  return std::string(data.begin(), data.end());
}

// The gtest suite name is the fixture's name, hence CamelCase.
struct KeaHook : ::testing::Test {
  std::unique_ptr<provstation_hook> hook;
  test::temp_dir dir;

  void load(const std::string& json) {
    hook = std::make_unique<provstation_hook>(config_from(json), test_env());
    hook->start();
  }

  provstation_hook::decision offer(const std::vector<std::uint8_t>& mac,
                                   const std::string& vendor_class, Pkt4Ptr* response_out = nullptr,
                                   const std::vector<std::uint8_t>* prl = nullptr) {
    Pkt4Ptr q = make_query(isc::dhcp::DHCPDISCOVER, mac, vendor_class);
    if (prl) add_prl(*q, *prl);
    Pkt4Ptr r(new Pkt4(isc::dhcp::DHCPOFFER, 0x1234));
    auto d = hook->process(*q, *r);
    if (response_out) *response_out = r;
    return d;
  }
};

// Verify that a Cisco SPA gets options 66 and 150 with the configured values.
TEST_F(KeaHook, AddsOptionsForSpa) {
  load(R"({"station-address": "192.0.2.1", "tftp-server-addresses": ["192.0.2.5", "192.0.2.6"]})");
  Pkt4Ptr r;
  const auto d = offer(phone_mac, "Cisco SPA525G2", &r);
  EXPECT_EQ(d.matched, match_kind::vendor_class);
  EXPECT_TRUE(d.allowed);
  EXPECT_THAT(d.added, ElementsAre(66, 150));
  EXPECT_EQ(option_payload(*r, 66), "192.0.2.1");
  EXPECT_EQ(option_payload(*r, 150), std::string("\xc0\x00\x02\x05\xc0\x00\x02\x06", 8));
  EXPECT_EQ(option_payload(*r, 159), "(absent)");
  EXPECT_EQ(option_payload(*r, 160), "(absent)");
}

// Verify that options 159 and 160 are sent when configured.
TEST_F(KeaHook, AddsProvisioningUrls) {
  load(R"({"station-address": "station.example", "provisioning-url": "http://192.0.2.1/p/",
           "provisioning-url-159": "tftp://192.0.2.1/"})");
  Pkt4Ptr r;
  const auto d = offer(phone_mac, "LINKSYS SPA-942", &r);
  // A station known by name has no default option 150.
  EXPECT_THAT(d.added, ElementsAre(66, 159, 160));
  EXPECT_EQ(option_payload(*r, 66), "station.example");
  EXPECT_EQ(option_payload(*r, 159), "tftp://192.0.2.1/");
  EXPECT_EQ(option_payload(*r, 160), "http://192.0.2.1/p/");
}

// Verify that a client that is not a phone gets nothing.
TEST_F(KeaHook, LeavesNonPhonesAlone) {
  load(R"({"station-address": "192.0.2.1"})");
  Pkt4Ptr r;
  const auto d = offer(laptop_mac, "MSFT 5.0", &r);
  EXPECT_EQ(d.matched, match_kind::none);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.added.empty());
  EXPECT_EQ(option_payload(*r, 66), "(absent)");
  EXPECT_EQ(option_payload(*r, 150), "(absent)");
  EXPECT_TRUE(offer(laptop_mac, "").added.empty());
}

// Verify that an OUI in the list makes a phone of a client without option 60.
TEST_F(KeaHook, MatchesByOui) {
  load(R"({"station-address": "192.0.2.1", "mac-ouis": ["00:04:f2"]})");
  const auto d = offer(polycom_mac, "");
  EXPECT_EQ(d.matched, match_kind::oui);
  EXPECT_THAT(d.added, ElementsAre(66, 150));
}

// Verify that an option the server already put into the response is replaced, not doubled.
TEST_F(KeaHook, ReplacesServerOptions) {
  load(R"({"station-address": "192.0.2.1"})");
  Pkt4Ptr q = make_query(isc::dhcp::DHCPREQUEST, phone_mac, "Cisco SPA504G");
  Pkt4Ptr r(new Pkt4(isc::dhcp::DHCPACK, 0x1234));
  r->addOption(OptionPtr(new isc::dhcp::OptionString(Option::V4, 66, "old.example")));
  r->addOption(OptionPtr(new Option(Option::V4, 150, std::vector<std::uint8_t>{10, 0, 0, 1})));
  const auto d = hook->process(*q, *r);
  EXPECT_THAT(d.added, ElementsAre(66, 150));
  EXPECT_EQ(r->options_.count(66), 1u);
  EXPECT_EQ(r->options_.count(150), 1u);
  EXPECT_EQ(option_payload(*r, 66), "192.0.2.1");
  EXPECT_EQ(option_payload(*r, 150), std::string("\xc0\x00\x02\x01", 4));
}

// Verify that only OFFER and ACK responses are touched.
TEST_F(KeaHook, IgnoresNak) {
  load(R"({"station-address": "192.0.2.1"})");
  Pkt4Ptr q = make_query(isc::dhcp::DHCPREQUEST, phone_mac, "Cisco SPA504G");
  Pkt4Ptr r(new Pkt4(isc::dhcp::DHCPNAK, 0x1234));
  EXPECT_TRUE(hook->process(*q, *r).added.empty());
  EXPECT_EQ(option_payload(*r, 66), "(absent)");
}

// Verify that with honour-prl only the requested options are sent, and none without a PRL.
TEST_F(KeaHook, HonoursParameterRequestList) {
  load(R"({"station-address": "192.0.2.1", "provisioning-url": "http://192.0.2.1/",
           "honour-prl": true})");
  const std::vector<std::uint8_t> wants_66 = {1, 3, 66};
  EXPECT_THAT(offer(phone_mac, "Cisco SPA525G2", nullptr, &wants_66).added, ElementsAre(66));
  const std::vector<std::uint8_t> wants_150_160 = {160, 150, 6};
  EXPECT_THAT(offer(phone_mac, "Cisco SPA525G2", nullptr, &wants_150_160).added,
              ElementsAre(150, 160));
  EXPECT_TRUE(offer(phone_mac, "Cisco SPA525G2").added.empty());
}

// Verify that without honour-prl the options are sent whatever the client asked for.
TEST_F(KeaHook, IgnoresParameterRequestListByDefault) {
  load(R"({"station-address": "192.0.2.1"})");
  const std::vector<std::uint8_t> wants_nothing = {1, 3};
  EXPECT_THAT(offer(phone_mac, "Cisco SPA525G2", nullptr, &wants_nothing).added,
              ElementsAre(66, 150));
}

// Verify that mode "scanned" gives options to scanned phones only.
TEST_F(KeaHook, PolicyScanned) {
  const std::string path = dir.write("policy",
                                     "provstation-policy 1\nmode scanned\n"
                                     "scanned 0023ab000001\n");
  load(R"({"station-address": "192.0.2.1", "mac-ouis": ["00:04:f2"], "policy-file": ")" + path +
       "\"}");
  EXPECT_EQ(hook->current_policy()->mode(), policy_mode::scanned);
  auto d = offer(phone_mac, "Cisco SPA525G2");
  EXPECT_TRUE(d.allowed);
  EXPECT_THAT(d.added, ElementsAre(66, 150));
  d = offer(polycom_mac, "");
  EXPECT_EQ(d.matched, match_kind::oui);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.added.empty());
}

// Verify that mode "not-shipped" refuses shipped phones only.
TEST_F(KeaHook, PolicyNotShipped) {
  const std::string path = dir.write("policy",
                                     "provstation-policy 1\nmode not-shipped\n"
                                     "shipped 0023ab000001\n");
  load(R"({"station-address": "192.0.2.1", "mac-ouis": ["00:04:f2"], "policy-file": ")" + path +
       "\"}");
  EXPECT_FALSE(offer(phone_mac, "Cisco SPA525G2").allowed);
  EXPECT_TRUE(offer(polycom_mac, "").allowed);
}

// Verify that a missing policy file applies policy-missing, both ways.
TEST_F(KeaHook, PolicyMissingFile) {
  load(R"({"station-address": "192.0.2.1", "policy-file": ")" + dir.file("absent") +
       R"(", "policy-missing": "deny-all"})");
  EXPECT_EQ(hook->current_policy()->mode(), policy_mode::deny_all);
  EXPECT_FALSE(offer(phone_mac, "Cisco SPA525G2").allowed);
  load(R"({"station-address": "192.0.2.1", "policy-file": ")" + dir.file("absent") + "\"}");
  EXPECT_TRUE(offer(phone_mac, "Cisco SPA525G2").allowed);
}

// Verify that a garbage policy file is treated as missing, and Kea's packet still goes out.
TEST_F(KeaHook, PolicyGarbageFile) {
  const std::string path = dir.write("policy", std::string("\x7f"
                                                           "ELF\x02\x01\x01\0\0",
                                                           9));
  load(R"({"station-address": "192.0.2.1", "policy-file": ")" + path +
       R"(", "policy-missing": "deny-all"})");
  EXPECT_EQ(hook->current_policy()->mode(), policy_mode::deny_all);
  EXPECT_FALSE(offer(phone_mac, "Cisco SPA525G2").allowed);
}

// Verify that a commit event carries the lease's and the query's data.
TEST_F(KeaHook, BuildsCommitEvent) {
  load(R"({"station-address": "192.0.2.1"})");
  Pkt4Ptr q = make_query(isc::dhcp::DHCPREQUEST, phone_mac, "Cisco SPA525G2");
  q->addOption(
      OptionPtr(new isc::dhcp::OptionString(Option::V4, isc::dhcp::DHO_HOST_NAME, "SPA525G2")));
  const std::vector<std::uint8_t> cid = {0x01, 0x00, 0x23, 0xab, 0x00, 0x00, 0x01};
  Lease4 lease(IOAddress("192.0.2.100"), HWAddrPtr(new HWAddr(phone_mac, isc::dhcp::HTYPE_ETHER)),
               cid.data(), cid.size(), 600, 1764230000, 1);
  const lease_event e = hook->make_event(lease_event_type::commit, lease, q.get());
  EXPECT_EQ(e.type, lease_event_type::commit);
  EXPECT_EQ(e.mac, "0023ab000001");
  EXPECT_EQ(e.ip, "192.0.2.100");
  EXPECT_EQ(e.hostname, "SPA525G2");
  EXPECT_EQ(e.vendor_class, "Cisco SPA525G2");
  EXPECT_EQ(e.client_id, "01:00:23:ab:00:00:01");
  EXPECT_EQ(e.valid_lifetime, 600u);
  EXPECT_EQ(e.at, 1764230400);
}

// Verify that the event for an ACK takes the lease from the ACK and the client from the REQUEST.
TEST_F(KeaHook, BuildsAckEvent) {
  load(R"({"station-address": "192.0.2.1"})");
  Pkt4Ptr q = make_query(isc::dhcp::DHCPREQUEST, phone_mac, "Cisco SPA525G2");
  q->addOption(
      OptionPtr(new Option(Option::V4, isc::dhcp::DHO_DHCP_CLIENT_IDENTIFIER,
                           std::vector<std::uint8_t>{0x01, 0x00, 0x23, 0xab, 0x00, 0x00, 0x01})));
  Pkt4Ptr r(new Pkt4(isc::dhcp::DHCPACK, 0x1234));
  r->setYiaddr(IOAddress("192.0.2.100"));
  r->addOption(OptionPtr(new Option(Option::V4, isc::dhcp::DHO_DHCP_LEASE_TIME,
                                    std::vector<std::uint8_t>{0x00, 0x00, 0x02, 0x58})));
  r->addOption(
      OptionPtr(new isc::dhcp::OptionString(Option::V4, isc::dhcp::DHO_HOST_NAME, "spa-lab1")));
  const lease_event e = hook->make_ack_event(lease_event_type::commit, *q, *r);
  EXPECT_EQ(e.type, lease_event_type::commit);
  EXPECT_EQ(e.mac, "0023ab000001");
  EXPECT_EQ(e.ip, "192.0.2.100");
  EXPECT_EQ(e.hostname, "spa-lab1");
  EXPECT_EQ(e.vendor_class, "Cisco SPA525G2");
  EXPECT_EQ(e.client_id, "01:00:23:ab:00:00:01");
  EXPECT_EQ(e.valid_lifetime, 600u);
  EXPECT_EQ(e.at, 1764230400);
}

// Verify that an expire event (no query) takes the hostname from the lease.
TEST_F(KeaHook, BuildsExpireEvent) {
  load(R"({"station-address": "192.0.2.1"})");
  Lease4 lease(IOAddress("192.0.2.101"), HWAddrPtr(new HWAddr(phone_mac, isc::dhcp::HTYPE_ETHER)),
               nullptr, 0, 600, 1764230000, 1, false, false, "spa-lab1");
  const lease_event e = hook->make_event(lease_event_type::expire, lease, nullptr);
  EXPECT_EQ(e.mac, "0023ab000001");
  EXPECT_EQ(e.hostname, "spa-lab1");
  EXPECT_EQ(e.vendor_class, "");
  EXPECT_EQ(e.client_id, "");
}

// Verify that a declined lease, which has lost its hardware address, takes the DECLINE's.
TEST_F(KeaHook, BuildsDeclineEventFromQueryMac) {
  load(R"({"station-address": "192.0.2.1"})");
  Pkt4Ptr q = make_query(isc::dhcp::DHCPDECLINE, phone_mac, "");
  Lease4 lease(IOAddress("192.0.2.102"), HWAddrPtr(new HWAddr()), nullptr, 0, 86400, 1764230000, 1);
  const lease_event e = hook->make_event(lease_event_type::decline, lease, q.get());
  EXPECT_EQ(e.mac, "0023ab000001");
  EXPECT_EQ(e.ip, "192.0.2.102");
}

// Verify that a hostile hostname still encodes to a bounded, valid datagram.
TEST_F(KeaHook, EncodesHostileHostname) {
  load(R"({"station-address": "192.0.2.1"})");
  Pkt4Ptr q = make_query(isc::dhcp::DHCPREQUEST, phone_mac, std::string("Cisco SPA\xff\"\\", 12));
  std::string evil(255, '\x01');
  evil[0] = '"';
  evil[1] = '\xc3';
  q->addOption(OptionPtr(new Option(Option::V4, isc::dhcp::DHO_HOST_NAME,
                                    std::vector<std::uint8_t>(evil.begin(), evil.end()))));
  Lease4 lease(IOAddress("192.0.2.100"), HWAddrPtr(new HWAddr(phone_mac, isc::dhcp::HTYPE_ETHER)),
               nullptr, 0, 600, 1764230000, 1);
  lease_event e = hook->make_event(lease_event_type::commit, lease, q.get());
  const std::string wire = encode(e);
  EXPECT_LE(wire.size(), max_event_bytes);
  EXPECT_NE(wire.find(R"("vendor_class":"Cisco SPA\ufffd\"\\")"), std::string::npos) << wire;
  EXPECT_NE(wire.find(R"("hostname":"\"\ufffd\u0001)"), std::string::npos) << wire;
}

// Verify that the worst case (every client string made of bytes that need escaping) still
// fits one datagram, so the station never receives a truncated event.
TEST_F(KeaHook, WorstCaseEventFitsDatagram) {
  load(R"({"station-address": "192.0.2.1"})");
  Pkt4Ptr q = make_query(isc::dhcp::DHCPREQUEST, phone_mac, std::string(255, '\xff'));
  q->addOption(OptionPtr(
      new Option(Option::V4, isc::dhcp::DHO_HOST_NAME, std::vector<std::uint8_t>(255, 0x01))));
  const std::vector<std::uint8_t> cid(128, 0xab);  // The longest client id Kea accepts.
  Lease4 lease(IOAddress("192.0.2.100"), HWAddrPtr(new HWAddr(phone_mac, isc::dhcp::HTYPE_ETHER)),
               cid.data(), cid.size(), 600, 1764230000, 1, false, false, std::string(255, '"'));
  lease_event e = hook->make_event(lease_event_type::commit, lease, q.get());
  e.boot_id = std::string(255, '\x7f');
  e.seq = ~std::uint64_t{0};
  EXPECT_LE(encode(e).size(), max_event_bytes);
}

}  // namespace
}  // namespace provstation::kea
