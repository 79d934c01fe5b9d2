// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the request bytes the phone's HTTP client sends.
#include <provstation/phonesim/http_client.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

// Verify a GET with Host and the phone's User-Agent.
TEST(PhonesimHttpRequest, FormatsGetWithUserAgent) {
  http_request r;
  r.host = "prov.example:8080";
  r.target = "/prov/0023ab000001.xml?sn=CBT141900G7";
  r.user_agent = "Cisco/SPA525G2-7.4.9c (0023AB000001)(CBT141900G7)";
  EXPECT_EQ(format_http_request(r),
            "GET /prov/0023ab000001.xml?sn=CBT141900G7 HTTP/1.1\r\nHost: prov.example:8080\r\n"
            "User-Agent: Cisco/SPA525G2-7.4.9c (0023AB000001)(CBT141900G7)\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n");
}

// Verify --post and --uid/--pwd: a POST with a body and Basic credentials.
TEST(PhonesimHttpRequest, FormatsPostWithBasicAuth) {
  http_request r;
  r.host = "h";
  r.target = "/cpe/resyncs?";
  r.post_body = "Product = \"SPA525G2\";";
  r.user = "admin";
  r.password = "555";
  const std::string s = format_http_request(r);
  EXPECT_EQ(s.rfind("POST /cpe/resyncs? HTTP/1.1\r\n", 0), 0U);
  EXPECT_NE(s.find("Authorization: Basic YWRtaW46NTU1\r\n"), std::string::npos);
  EXPECT_NE(s.find("Content-Length: 21\r\n"), std::string::npos);
  EXPECT_EQ(s.substr(s.size() - 21), "Product = \"SPA525G2\";");
}

}  // namespace
}  // namespace provstation::phonesim
