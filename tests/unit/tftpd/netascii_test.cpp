// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the netascii translation in both directions.
#include <provstation/tftpd/netascii.hpp>

#include <gtest/gtest.h>

#include <string>

namespace provstation::tftpd {
namespace {

using namespace std::string_literals;

std::vector<std::byte> bytes(const std::string& s) {
  std::vector<std::byte> out;
  for (char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

std::string text(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Verify that LF becomes CR LF and a bare CR becomes CR NUL.
TEST(TftpNetascii, EncodesLineEndsAndBareCr) {
  EXPECT_EQ(text(encode_netascii(bytes("a\nb\rc"))), "a\r\nb\r\0c"s);
  EXPECT_EQ(text(encode_netascii(bytes("\r\n"))), "\r\0\r\n"s);
  EXPECT_TRUE(encode_netascii({}).empty());
}

// Verify that decoding undoes encoding, whatever the block boundaries.
TEST(TftpNetascii, DecodeUndoesEncodeAcrossBlocks) {
  const std::string local = "line1\nline2\r\n\rend\r";
  const auto wire = encode_netascii(bytes(local));
  for (std::size_t split = 0; split <= wire.size(); ++split) {
    netascii_decoder d;
    std::vector<std::byte> out;
    d.decode(std::span(wire).first(split), out);
    d.decode(std::span(wire).subspan(split), out);
    d.finish(out);
    EXPECT_EQ(text(out), local) << "split at " << split;
  }
}

// Verify that invalid CR sequences are kept rather than lost.
TEST(TftpNetascii, KeepsInvalidCrSequences) {
  netascii_decoder d;
  std::vector<std::byte> out;
  d.decode(bytes("a\rb"), out);
  d.finish(out);
  EXPECT_EQ(text(out), "a\rb");
}

}  // namespace
}  // namespace provstation::tftpd
