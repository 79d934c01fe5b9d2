// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the standalone entry point's endpoint parser.
#include <provstation/tftpd/standalone.hpp>

#include <gtest/gtest.h>

namespace provstation::tftpd {
namespace {

// Verify that malformed endpoints are rejected with a message naming the problem.
TEST(TftpParseEndpoint, RejectsMalformed) {
  EXPECT_EQ(parse_endpoint("192.0.2.1:70000").message(), "bad port in '192.0.2.1:70000'");
  EXPECT_EQ(parse_endpoint("192.0.2.1:x").message(), "bad port in '192.0.2.1:x'");
  EXPECT_EQ(parse_endpoint("192.0.2.1:").message(), "bad port in '192.0.2.1:'");
  EXPECT_EQ(parse_endpoint("phone.example:69").message(), "bad address 'phone.example'");
  EXPECT_EQ(parse_endpoint("[2001:db8::1").message(), "missing ']' in '[2001:db8::1'");
  EXPECT_EQ(parse_endpoint("[2001:db8::1]69").message(), "expected ':' after ']' in '[2001:db8::1]69'");
}

// Verify the accepted forms: address and port, address alone (port 69), port alone (any v4),
// and a bracketed IPv6 address.
TEST(TftpParseEndpoint, AcceptsForms) {
  auto a = parse_endpoint("192.0.2.1:6969");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->address().to_string(), "192.0.2.1");
  EXPECT_EQ(a->port(), 6969);
  auto b = parse_endpoint("198.51.100.7");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port(), 69);
  auto c = parse_endpoint(":1069");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->address().to_string(), "0.0.0.0");
  EXPECT_EQ(c->port(), 1069);
  auto d = parse_endpoint("[2001:db8::1]:69");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->address().is_v6());
  EXPECT_EQ(d->address().to_string(), "2001:db8::1");
  auto e = parse_endpoint("[2001:db8::2]");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->port(), 69);
}

}  // namespace
}  // namespace provstation::tftpd
