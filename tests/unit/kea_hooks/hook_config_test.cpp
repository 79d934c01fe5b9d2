// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the validation of the hook's parameters (Kea's "parameters" map).
#include "hook_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace provstation::kea {
namespace {

using isc::data::Element;
using ::testing::ElementsAre;

parsed_config parse(const std::string& json) {
  return parse_hook_config(Element::fromJSON(json));
}

std::vector<std::string> errors_of(const std::string& json) {
  return parse(json).errors;
}

// Verify that missing parameters are refused for the missing station address.
TEST(KeaHookConfig, RequiresStationAddress) {
  EXPECT_THAT(parse_hook_config(nullptr).errors, ElementsAre("'station-address' is required"));
  EXPECT_THAT(errors_of("{}"), ElementsAre("'station-address' is required"));
}

// Verify that parameters that are not a map are refused.
TEST(KeaHookConfig, RejectsNonMap) {
  EXPECT_THAT(errors_of("[1]"), ElementsAre("the hook's parameters must be a map"));
}

// Verify that a misspelt parameter is refused by name.
TEST(KeaHookConfig, RejectsUnknownParameter) {
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "honor-prl": true})"),
              ElementsAre("unknown parameter \"honor-prl\""));
}

// Verify that each wrong type is named.
TEST(KeaHookConfig, RejectsWrongTypes) {
  EXPECT_THAT(errors_of(R"({"station-address": 5})"),
              ElementsAre("'station-address' must be a string"));
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "honour-prl": "yes"})"),
              ElementsAre("'honour-prl' must be a boolean"));
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "mac-ouis": "00:04:f2"})"),
              ElementsAre("'mac-ouis' must be a list"));
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "event-queue-capacity": "1"})"),
              ElementsAre("'event-queue-capacity' must be an integer"));
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "vendor-class-patterns": ["a", 1]})"),
              ElementsAre("'vendor-class-patterns'[1] must be a string"));
}

// Verify that a station address that is neither an IPv4 address nor a host name is refused.
TEST(KeaHookConfig, RejectsBadStationAddress) {
  for (const char* bad : {"", "192.0.2.256", "1.2.3", "bad name", "-x.test", "x-.test", "a..b",
                          "2001:db8::1", "x_y.test"}) {
    const std::string json = std::string(R"({"station-address": ")") + bad + "\"}";
    EXPECT_THAT(errors_of(json),
                ElementsAre("'station-address' must be an IPv4 address or a host name, not \"" +
                            std::string(bad) + "\""))
        << bad;
  }
  EXPECT_TRUE(errors_of(R"({"station-address": "station.example"})").empty());
  EXPECT_TRUE(errors_of(R"({"station-address": "prov1"})").empty());
}

// Verify that bad TFTP server addresses are refused one by one, and too many at all.
TEST(KeaHookConfig, RejectsBadTftpServers) {
  EXPECT_THAT(
      errors_of(R"({"station-address": "192.0.2.1",
                    "tftp-server-addresses": ["192.0.2.1", "tftp.example", "192.0.2.300"]})"),
      ElementsAre("'tftp-server-addresses'[1] must be an IPv4 address, not \"tftp.example\"",
                  "'tftp-server-addresses'[2] must be an IPv4 address, not \"192.0.2.300\""));
  std::string many = R"({"station-address": "192.0.2.1", "tftp-server-addresses": [)";
  for (int i = 0; i < 64; ++i)
    many += std::string(i ? "," : "") + "\"192.0.2." + std::to_string(i) + "\"";
  many += "]}";
  EXPECT_THAT(errors_of(many), ElementsAre("'tftp-server-addresses' holds more than 63 addresses"));
}

// Verify that provisioning URLs must be printable and fit into an option.
TEST(KeaHookConfig, RejectsBadUrls) {
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "provisioning-url": ""})"),
              ElementsAre("'provisioning-url' must be 1 to 255 printable ASCII characters"));
  EXPECT_THAT(
      errors_of(R"({"station-address": "192.0.2.1", "provisioning-url-159": "http://a\nb"})"),
      ElementsAre("'provisioning-url-159' must be 1 to 255 printable ASCII characters"));
  const std::string long_url = "http://" + std::string(250, 'a');
  EXPECT_THAT(
      errors_of(R"({"station-address": "192.0.2.1", "provisioning-url": ")" + long_url + "\"}"),
      ElementsAre("'provisioning-url' must be 1 to 255 printable ASCII characters"));
}

// Verify that bad patterns and OUIs are refused with their position.
TEST(KeaHookConfig, RejectsBadPatternsAndOuis) {
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1",
                            "vendor-class-patterns": ["Cisco SPA", "", "0x123"],
                            "mac-ouis": ["00:04:f2", "00:04"]})"),
              ElementsAre("'vendor-class-patterns'[1] is empty",
                          "'vendor-class-patterns'[2] has an odd number of hex digits",
                          "'mac-ouis'[1] must be three bytes, like \"00:04:f2\", not \"00:04\""));
}

// Verify that a configuration that could never match a phone is refused.
TEST(KeaHookConfig, RejectsNothingToMatch) {
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "vendor-class-patterns": []})"),
              ElementsAre("'vendor-class-patterns' and 'mac-ouis' are both empty: no phone "
                          "would ever match"));
  EXPECT_TRUE(
      errors_of(
          R"({"station-address": "192.0.2.1", "vendor-class-patterns": [], "mac-ouis": ["00:04:f2"]})")
          .empty());
}

// Verify that paths must be absolute, and the socket path must fit into sockaddr_un.
TEST(KeaHookConfig, RejectsBadPaths) {
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "event-socket": "run/e.sock",
                            "policy-file": ""})"),
              ElementsAre("'event-socket' must be an absolute path, not \"run/e.sock\"",
                          "'policy-file' must be an absolute path, not \"\""));
  const std::string long_path = "/" + std::string(108, 'a');
  EXPECT_THAT(
      errors_of(R"({"station-address": "192.0.2.1", "event-socket": ")" + long_path + "\"}"),
      ElementsAre("'event-socket' must be at most 107 bytes long"));
}

// Verify the choices of policy-missing and the ranges of the numbers.
TEST(KeaHookConfig, RejectsBadChoicesAndRanges) {
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "policy-missing": "allow"})"),
              ElementsAre("'policy-missing' must be \"allow-all\" or \"deny-all\", not \"allow\""));
  EXPECT_THAT(errors_of(R"({"station-address": "192.0.2.1", "event-queue-capacity": 15,
                            "policy-check-interval-ms": 60001})"),
              ElementsAre("'event-queue-capacity' must be between 16 and 1048576, not 15",
                          "'policy-check-interval-ms' must be between 50 and 60000, not 60001"));
}

// Verify that every mistake is reported, not only the first.
TEST(KeaHookConfig, ReportsEveryMistake) {
  EXPECT_EQ(errors_of(R"({"station-address": "", "honour-prl": 1, "policy-missing": "x",
                          "mac-ouis": ["zz"], "bogus": 1})")
                .size(),
            5u);
}

// Verify the defaults of a minimal configuration.
TEST(KeaHookConfig, AppliesDefaults) {
  const parsed_config p = parse(R"({"station-address": "192.0.2.1"})");
  ASSERT_TRUE(p.errors.empty());
  const hook_config& c = p.config;
  EXPECT_EQ(c.station_address, "192.0.2.1");
  // Option 150 defaults to the station's address when it is an IPv4 address.
  ASSERT_EQ(c.tftp_server_addresses.size(), 1u);
  EXPECT_EQ(c.tftp_server_addresses[0], (std::array<std::uint8_t, 4>{192, 0, 2, 1}));
  EXPECT_TRUE(c.provisioning_url.empty());
  EXPECT_TRUE(c.provisioning_url_159.empty());
  ASSERT_EQ(c.vendor_class_patterns.size(), 2u);
  EXPECT_EQ(c.vendor_class_patterns[0].text, "Cisco SPA");
  EXPECT_EQ(c.vendor_class_patterns[1].text, "Linksys SPA");
  EXPECT_TRUE(c.mac_ouis.empty());
  EXPECT_TRUE(c.event_socket.empty());
  EXPECT_TRUE(c.policy_file.empty());
  EXPECT_EQ(c.policy_missing, policy_missing_action::allow_all);
  EXPECT_FALSE(c.honour_prl);
  EXPECT_EQ(c.event_queue_capacity, 65536u);
  EXPECT_EQ(c.policy_check_interval, std::chrono::milliseconds(250));
}

// Verify that a station known by name gets no default option 150, and an empty list none.
TEST(KeaHookConfig, NoDefaultTftpServerForNames) {
  EXPECT_TRUE(
      parse(R"({"station-address": "station.example"})").config.tftp_server_addresses.empty());
  EXPECT_TRUE(parse(R"({"station-address": "192.0.2.1", "tftp-server-addresses": []})")
                  .config.tftp_server_addresses.empty());
}

// Verify a full configuration.
TEST(KeaHookConfig, ParsesEverything) {
  const parsed_config p = parse(R"({
      "station-address": "station.example",
      "tftp-server-addresses": ["192.0.2.5", "192.0.2.6"],
      "provisioning-url": "http://192.0.2.1/prov/",
      "provisioning-url-159": "tftp://192.0.2.1/",
      "vendor-class-patterns": ["Cisco SPA", "0x0000363d", "CP-"],
      "mac-ouis": ["00:04:f2", "001565"],
      "event-socket": "/run/provstation/kea-events.sock",
      "policy-file": "/var/lib/provstation/kea-policy",
      "policy-missing": "deny-all",
      "honour-prl": true,
      "event-queue-capacity": 1024,
      "policy-check-interval-ms": 100})");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  const hook_config& c = p.config;
  EXPECT_EQ(c.tftp_server_addresses.size(), 2u);
  EXPECT_EQ(c.provisioning_url, "http://192.0.2.1/prov/");
  EXPECT_EQ(c.provisioning_url_159, "tftp://192.0.2.1/");
  ASSERT_EQ(c.vendor_class_patterns.size(), 3u);
  EXPECT_FALSE(c.vendor_class_patterns[1].ignore_case);
  EXPECT_EQ(c.vendor_class_patterns[1].prefix, std::string("\x00\x00\x36\x3d", 4));
  EXPECT_THAT(c.mac_ouis, ElementsAre(0x0004f2u, 0x001565u));
  EXPECT_EQ(c.event_socket, "/run/provstation/kea-events.sock");
  EXPECT_EQ(c.policy_file, "/var/lib/provstation/kea-policy");
  EXPECT_EQ(c.policy_missing, policy_missing_action::deny_all);
  EXPECT_TRUE(c.honour_prl);
  EXPECT_EQ(c.event_queue_capacity, 1024u);
  EXPECT_EQ(c.policy_check_interval, std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace provstation::kea
