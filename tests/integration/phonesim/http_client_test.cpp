// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the phone's HTTP client against a fake server on loopback.
#include <provstation/phonesim/http_client.hpp>

#include "fake_servers.hpp"

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

http_request get(const std::string& target) {
  http_request r;
  r.host = "prov.example";
  r.target = target;
  r.user_agent = "Cisco/SPA504G-7.4.9c (649EF3788E6A)(CCQ162306EA)";
  return r;
}

// Verify that a closed port is a transport failure, not a status.
TEST(PhonesimHttpClient, ReportsRefusedConnection) {
  std::uint16_t port = 0;
  {
    test::fake_http_server gone;
    port = gone.port();
  }
  const auto r = http_fetch("127.0.0.1", port, get("/x"), {});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "connection refused");
}

// Verify a 200 with Content-Length, and the headers the server saw.
TEST(PhonesimHttpClient, FetchesWithContentLength) {
  test::fake_http_server server;
  const std::string body(100000, 'x');
  server.set("/prov/a.xml?sn=1", {200, body});
  const auto r = http_fetch("127.0.0.1", server.port(), get("/prov/a.xml?sn=1"), {});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].headers.at("host"), "prov.example");
  EXPECT_EQ(seen[0].headers.at("user-agent"), "Cisco/SPA504G-7.4.9c (649EF3788E6A)(CCQ162306EA)");
}

// Verify a chunked body and a non-200 status.
TEST(PhonesimHttpClient, HandlesChunkedBodiesAndStatuses) {
  test::fake_http_server server;
  server.chunked = true;
  const std::string body(2500, 'y');
  server.set("/c", {200, body});
  auto r = http_fetch("127.0.0.1", server.port(), get("/c"), {});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body, body);
  r = http_fetch("127.0.0.1", server.port(), get("/nothing"), {});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 404);
}

// Verify the body limit.
TEST(PhonesimHttpClient, RefusesOversizedBodies) {
  test::fake_http_server server;
  server.set("/big", {200, std::string(5000, 'z')});
  http_options o;
  o.max_body_bytes = 1000;
  const auto r = http_fetch("127.0.0.1", server.port(), get("/big"), o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "incomplete or oversized body");
}

// Verify a POST body reaches the server.
TEST(PhonesimHttpClient, SendsPostBody) {
  test::fake_http_server server;
  server.set("/resync", {200, "<flat-profile/>"});
  auto req = get("/resync");
  req.post_body = "MAC_Addr = \"0023ab000001\";";
  const auto r = http_fetch("127.0.0.1", server.port(), req, {});
  ASSERT_TRUE(r.ok) << r.error;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, "MAC_Addr = \"0023ab000001\";");
}

}  // namespace
}  // namespace provstation::phonesim
