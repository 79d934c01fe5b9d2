// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the phone's TFTP client against a fake server on loopback.
#include <provstation/phonesim/tftp_client.hpp>

#include "fake_servers.hpp"

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

using namespace std::chrono_literals;

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + 3) & 0xff);
  return s;
}

tftp_options fast() {
  tftp_options o;
  o.timeout = 200ms;
  o.retries = 3;
  return o;
}

// Verify that a file the server does not have gives its ERROR code and text.
TEST(PhonesimTftpClient, ReportsServerError) {
  test::fake_tftp_server server;
  const auto r = tftp_get("127.0.0.1", server.port(), "/missing.cfg", fast());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_code, 1);
  EXPECT_EQ(r.error_message, "File not found");
}

// Verify that a silent server times out after the retries.
TEST(PhonesimTftpClient, TimesOutWhenNobodyAnswers) {
  test::fake_tftp_server server;
  server.silent = true;
  const auto start = std::chrono::steady_clock::now();
  const auto r = tftp_get("127.0.0.1", server.port(), "/x", fast());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_code, -1);
  EXPECT_EQ(r.error_message, "timeout");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 700ms);
  EXPECT_EQ(server.requests().size(), 0U);
}

// Verify that the phone asks for blksize 1468 and uses the OACK's value.
TEST(PhonesimTftpClient, NegotiatesBlksize) {
  test::fake_tftp_server server;
  const std::string file = pattern(1468 * 3 + 17);
  server.set_file("/spa525G2.cfg", file);
  const auto r = tftp_get("127.0.0.1", server.port(), "/spa525G2.cfg", fast());
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.data, file);
  EXPECT_EQ(r.blksize, 1468);
  ASSERT_EQ(server.requests().size(), 1U);
  EXPECT_EQ(server.requests()[0].path, "/spa525G2.cfg");
  EXPECT_EQ(server.requests()[0].options.at("blksize"), "1468");
}

// Verify that a server ignoring options is read with 512-byte blocks, including a file that
// is an exact multiple of the block size (final empty DATA).
TEST(PhonesimTftpClient, AcceptsPlainDataWithoutOack) {
  test::fake_tftp_server server;
  server.honour_options = false;
  const std::string file = pattern(512 * 4);
  server.set_file("/f", file);
  const auto r = tftp_get("127.0.0.1", server.port(), "/f", fast());
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.data, file);
  EXPECT_EQ(r.blksize, 512);
}

// Verify that a lost DATA packet is recovered by retransmission.
TEST(PhonesimTftpClient, RecoversFromLoss) {
  test::fake_tftp_server server;
  const std::string file = pattern(5000);
  server.set_file("/f", file);
  server.drop_data_packets = 2;
  const auto r = tftp_get("127.0.0.1", server.port(), "/f", fast());
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.data, file);
}

// Verify the size limit and the stop callback.
TEST(PhonesimTftpClient, EnforcesLimitsAndStops) {
  test::fake_tftp_server server;
  server.set_file("/big", pattern(10000));
  auto o = fast();
  o.max_bytes = 4000;
  auto r = tftp_get("127.0.0.1", server.port(), "/big", o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_message, "file too large");
  r = tftp_get("127.0.0.1", server.port(), "/big", fast(), [] { return true; });
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_message, "stopped");
  r = tftp_get("not-an-ip", server.port(), "/big", fast());
  EXPECT_EQ(r.error_message, "invalid server address not-an-ip");
}

}  // namespace
}  // namespace provstation::phonesim
