// SPDX-License-Identifier: Apache-2.0
/// @file Tests of rule URL resolution (default scheme, option 66 server, ports).
#include <provstation/phonesim/url.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

std::string resolved(std::string_view url, std::string_view opt66) {
  auto r = resolve_url(url, opt66);
  return r.ok() ? r->str() : "error: " + r.message();
}

// Verify that unusable URLs are refused with a reason.
TEST(PhonesimRuleUrl, RejectsUnusableUrls) {
  EXPECT_EQ(resolved("", "192.0.2.1"), "error: empty URL");
  EXPECT_EQ(resolved("/spa.cfg", ""), "error: URL names no server and DHCP gave none (option 66)");
  EXPECT_EQ(resolved("ftp://h/x", ""), "error: unsupported URL scheme 'ftp'");
  EXPECT_EQ(resolved("http://h:0/x", ""), "error: invalid port '0'");
  EXPECT_EQ(resolved("http://h:99999/x", ""), "error: invalid port '99999'");
  EXPECT_EQ(resolved("http://h:/x", ""), "error: invalid port ''");
  EXPECT_EQ(resolved("http://h%41/x", ""), "error: invalid server name 'h%41'");
  EXPECT_EQ(resolved("/a b", "192.0.2.1"), "error: URL contains white space or control characters");
}

// Verify the documented examples: default scheme tftp, default ports, explicit servers.
TEST(PhonesimRuleUrl, ResolvesDocumentedExamples) {
  EXPECT_EQ(resolved("/$MA.cfg", "192.0.2.1"), "tftp://192.0.2.1:69/$MA.cfg");
  EXPECT_EQ(resolved("192.168.1.130/profiles/init.cfg", "192.0.2.1"),
            "tftp://192.168.1.130:69/profiles/init.cfg");
  EXPECT_EQ(resolved("tftp://prov.call.com/cpe/cisco.cfg", ""),
            "tftp://prov.call.com:69/cpe/cisco.cfg");
  EXPECT_EQ(resolved("http://neptune.speak.net:8080/prov/d/e.cfg", ""),
            "http://neptune.speak.net:8080/prov/d/e.cfg");
  EXPECT_EQ(resolved("https://secure.me.com/profile?Linksys", ""),
            "https://secure.me.com:443/profile?Linksys");
  EXPECT_EQ(resolved("HTTP://h", ""), "http://h:80/");
  EXPECT_EQ(resolved("http://h?x=1", ""), "http://h:80/?x=1");
}

// Verify option 66 forms: host, host:port and a URL that prefixes the path.
TEST(PhonesimRuleUrl, UsesOption66AsDefaultServer) {
  EXPECT_EQ(resolved("/spa525G2.cfg", "192.0.2.1:6969"), "tftp://192.0.2.1:6969/spa525G2.cfg");
  EXPECT_EQ(resolved("/spa504G.cfg", "http://provision.example.com/provision"),
            "http://provision.example.com:80/provision/spa504G.cfg");
  EXPECT_EQ(resolved("/spa504G.cfg", "http://provision.example.com/provision/"),
            "http://provision.example.com:80/provision/spa504G.cfg");
  EXPECT_EQ(resolved("/x.cfg", "https://p.example:8443"), "https://p.example:8443/x.cfg");
  EXPECT_EQ(resolved("http:///x.cfg", "192.0.2.1"), "http://192.0.2.1:80/x.cfg");
}

}  // namespace
}  // namespace provstation::phonesim
