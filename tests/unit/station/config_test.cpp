// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the TOML configuration: defaults and one clear error per mistake.
#include <provstation/config.hpp>

#include <gtest/gtest.h>

namespace provstation {
namespace {

// Verify that only bench.address is required and every listener defaults to it.
TEST(Config, DefaultsFollowBenchAddress) {
  auto c = parse_config("[bench]\naddress = \"192.0.2.1\"\n");
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->tftp.listen.str(), "192.0.2.1:69");
  EXPECT_EQ(c->http.listen.str(), "192.0.2.1:80");
  EXPECT_EQ(c->syslog.listen.str(), "192.0.2.1:514");
  EXPECT_EQ(c->dashboard.listen.str(), "127.0.0.1:8080");
  EXPECT_EQ(c->tftp.max_blksize, 1468);
  EXPECT_EQ(c->tftp.port_first, 0);
  EXPECT_EQ(c->tftp.port_last, 0);
}

// Verify the TFTP engine settings an admin may need (firewall port range, caps) are read.
TEST(Config, ReadsTftpEngineSettings) {
  auto c = parse_config(
      "[bench]\naddress = \"192.0.2.1\"\n[tftp]\nport_range = \"40000:40999\"\n"
      "max_transfers = 500\nmax_per_client = 4\nmax_windowsize = 16\n");
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->tftp.port_first, 40000);
  EXPECT_EQ(c->tftp.port_last, 40999);
  EXPECT_EQ(c->tftp.max_transfers, 500u);
  EXPECT_EQ(c->tftp.max_per_client, 4u);
  EXPECT_EQ(c->tftp.max_windowsize, 16);
}

// Verify each mistake is reported with the key it concerns.
TEST(Config, ErrorsNameTheKey) {
  struct bad_case {
    const char* toml;
    const char* message;
  };
  const bad_case cases[] = {
      {"", "bench.address: required (the address phones reach the station at, e.g. \"10.66.0.1\")"},
      {"[bench]\naddress = 1\n", "bench.address: expected a string"},
      {"[bench]\naddress = \"192.0.2.1\"\n[tftp]\nlisten = \"nope\"\n",
       "tftp.listen: expected \"ADDRESS:PORT\", got \"nope\""},
      {"[bench]\naddress = \"192.0.2.1\"\n[tftp]\nmax_blksize = 70000\n",
       "tftp.max_blksize: 70000 is outside 512..65464"},
      {"[bench]\naddress = \"192.0.2.1\"\n[tftp]\nport_range = \"5000:4000\"\n",
       "tftp.port_range: expected \"FIRST:LAST\" (1-65535), got \"5000:4000\""},
      {"[bench]\naddress = \"192.0.2.1\"\n[tftp]\nport_range = \"40000\"\n",
       "tftp.port_range: expected \"FIRST:LAST\" (1-65535), got \"40000\""},
      {"[bench]\naddress = \"192.0.2.1\"\n[tftp]\nmax_windowsize = 0\n",
       "tftp.max_windowsize: 0 is outside 1..64"},
      {"[bench]\naddress = \"192.0.2.1\"\n[tftp]\nmaxblksize = 1\n",
       "tftp.maxblksize: unknown key"},
      {"[bench]\naddress = \"192.0.2.1\"\n[tftpd]\n", "tftpd: unknown section"},
      {"[bench]\naddress = \"192.0.2.1\"\n[kea]\npolicy_mode = \"some\"\n",
       "kea.policy_mode: \"some\" is not one of \"all\", \"scanned\", \"not-shipped\""},
      {"[bench]\naddress = \"192.0.2.1\"\n[profiles]\nencrypt = true\n",
       "profiles.key_file: required when profiles.encrypt = true"},
      {"[bench\n", "line 1: Error while parsing table header: expected ']', saw '\\n'"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.toml);
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_EQ(r.message(), c.message) << c.toml;
  }
}

// Verify endpoint parsing for IPv4 and bracketed IPv6.
TEST(Config, ParsesEndpoints) {
  EXPECT_EQ(parse_endpoint("[2001:db8::1]:69")->address, "2001:db8::1");
  EXPECT_EQ(parse_endpoint("192.0.2.1:6969")->port, 6969);
  EXPECT_FALSE(parse_endpoint("192.0.2.1:70000").ok());
  EXPECT_FALSE(parse_endpoint(":69").ok());
}

}  // namespace
}  // namespace provstation
