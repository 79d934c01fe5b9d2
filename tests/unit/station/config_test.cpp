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
