// SPDX-License-Identifier: Apache-2.0
/// @file Tests of option negotiation: what goes into the OACK and what the transfer uses.
#include <provstation/tftpd/negotiation.hpp>

#include <gtest/gtest.h>

namespace provstation::tftpd {
namespace {

request_packet rrq(std::vector<option> options) {
  return request_packet{opcode::rrq, "f", transfer_mode::octet, std::move(options)};
}

// Verify that a request without options gets no OACK and RFC 1350 defaults.
TEST(TftpNegotiation, NoOptionsNoOack) {
  const auto n = negotiate(rrq({}), 1000, {});
  EXPECT_TRUE(n.oack.empty());
  EXPECT_EQ(n.blksize, 512);
  EXPECT_EQ(n.windowsize, 1);
  EXPECT_FALSE(n.refusal);
}

// Verify that unknown options are ignored and never appear in the OACK.
TEST(TftpNegotiation, UnknownOptionsIgnored) {
  const auto n = negotiate(rrq({{"multicast", ""}, {"utimeout", "1000"}}), 1000, {});
  EXPECT_TRUE(n.oack.empty());
}

// Verify that blksize is clamped to the server maximum and echoed with the client's spelling.
TEST(TftpNegotiation, BlksizeClampedToMaximum) {
  negotiation_limits l;
  l.max_blksize = 1468;
  const auto n = negotiate(rrq({{"BlkSize", "8192"}}), 1, l);
  EXPECT_EQ(n.blksize, 1468);
  ASSERT_EQ(n.oack.size(), 1U);
  EXPECT_EQ(n.oack[0], (option{"BlkSize", "1468"}));
}

// Verify that a smaller blksize than the maximum is granted as asked.
TEST(TftpNegotiation, BlksizeGrantedBelowMaximum) {
  const auto n = negotiate(rrq({{"blksize", "1024"}}), 1, {});
  EXPECT_EQ(n.blksize, 1024);
}

// Verify that the RFC range caps a server maximum set above it.
TEST(TftpNegotiation, BlksizeNeverAboveRfcLimit) {
  negotiation_limits l;
  l.max_blksize = 65535;
  EXPECT_EQ(negotiate(rrq({{"blksize", "65535"}}), 1, l).blksize, 65464);
  EXPECT_EQ(negotiate(rrq({{"blksize", "99999999"}}), 1, l).blksize, 65464);
}

// Verify that invalid blksize values are ignored, not echoed.
TEST(TftpNegotiation, InvalidBlksizeIgnored) {
  for (const char* v : {"7", "0", "", "-5", "12x", " 512", "123456789012345678901234"}) {
    const auto n = negotiate(rrq({{"blksize", v}}), 1, {});
    EXPECT_TRUE(n.oack.empty()) << v;
    EXPECT_EQ(n.blksize, 512) << v;
  }
}

// Verify that an RRQ tsize is answered with the file size whatever the client sent.
TEST(TftpNegotiation, TsizeAnswersFileSize) {
  EXPECT_EQ(negotiate(rrq({{"tsize", "0"}}), 4194304, {}).oack[0], (option{"tsize", "4194304"}));
  EXPECT_EQ(negotiate(rrq({{"tsize", "enable"}}), 7, {}).oack[0], (option{"tsize", "7"}));
}

// Verify that tsize is left out for an empty file (curl rejects "tsize 0" in an OACK).
TEST(TftpNegotiation, TsizeOmittedForEmptyFile) {
  EXPECT_TRUE(negotiate(rrq({{"tsize", "0"}}), 0, {}).oack.empty());
}

// Verify that the timeout option is declined by default.
TEST(TftpNegotiation, TimeoutDeclinedByDefault) {
  const auto n = negotiate(rrq({{"timeout", "6"}, {"tsize", "0"}}), 3, {});
  ASSERT_EQ(n.oack.size(), 1U);
  EXPECT_EQ(n.oack[0].name, "tsize");
  EXPECT_FALSE(n.timeout_s);
}

// Verify that with the honour policy the timeout is echoed exactly, within 1..255.
TEST(TftpNegotiation, TimeoutHonouredExactly) {
  negotiation_limits l;
  l.timeout = timeout_policy::honour;
  const auto n = negotiate(rrq({{"timeout", "6"}}), 3, l);
  ASSERT_EQ(n.oack.size(), 1U);
  EXPECT_EQ(n.oack[0], (option{"timeout", "6"}));
  EXPECT_EQ(n.timeout_s, 6);
  EXPECT_TRUE(negotiate(rrq({{"timeout", "0"}}), 3, l).oack.empty());
  EXPECT_TRUE(negotiate(rrq({{"timeout", "256"}}), 3, l).oack.empty());
}

// Verify that windowsize is clamped to the server maximum.
TEST(TftpNegotiation, WindowsizeClampedToMaximum) {
  negotiation_limits l;
  l.max_windowsize = 16;
  const auto n = negotiate(rrq({{"windowsize", "64"}}), 1, l);
  EXPECT_EQ(n.windowsize, 16);
  EXPECT_EQ(n.oack[0], (option{"windowsize", "16"}));
  EXPECT_EQ(negotiate(rrq({{"windowsize", "4"}}), 1, l).windowsize, 4);
}

// Verify that window × blksize is kept within the receive-buffer budget.
TEST(TftpNegotiation, WindowKeptWithinReceiveBuffer) {
  negotiation_limits l;
  l.max_blksize = 65464;
  l.max_windowsize = 64;
  l.window_budget_bytes = 131072;
  const auto big = negotiate(rrq({{"blksize", "65464"}, {"windowsize", "16"}}), 1, l);
  EXPECT_EQ(big.windowsize, 1);
  const auto mid = negotiate(rrq({{"windowsize", "16"}, {"blksize", "8192"}}), 1, l);
  EXPECT_LE(mid.windowsize * estimated_packet_cost(8192), l.window_budget_bytes);
  EXPECT_GE(mid.windowsize, 2);
  EXPECT_EQ(mid.oack[0], (option{"windowsize", std::to_string(mid.windowsize)}));
  const auto small = negotiate(rrq({{"blksize", "1468"}, {"windowsize", "16"}}), 1, l);
  EXPECT_EQ(small.windowsize, 16);
}

// Verify that invalid windowsize values are ignored.
TEST(TftpNegotiation, InvalidWindowsizeIgnored) {
  for (const char* v : {"0", "65536", "x"}) {
    EXPECT_TRUE(negotiate(rrq({{"windowsize", v}}), 1, {}).oack.empty()) << v;
  }
}

// Verify that the rollover option selects the wrap and is echoed; bad values are ignored.
TEST(TftpNegotiation, RolloverOption) {
  EXPECT_EQ(negotiate(rrq({{"rollover", "1"}}), 1, {}).rollover, rollover_mode::to_one);
  EXPECT_EQ(negotiate(rrq({{"rollover", "0"}}), 1, {}).oack[0], (option{"rollover", "0"}));
  EXPECT_TRUE(negotiate(rrq({{"rollover", "2"}}), 1, {}).oack.empty());
  negotiation_limits l;
  l.rollover = rollover_mode::to_one;
  EXPECT_EQ(negotiate(rrq({}), 1, l).rollover, rollover_mode::to_one);
}

// Verify that the OACK lists accepted options in the order the client sent them.
TEST(TftpNegotiation, OackKeepsClientOrder) {
  const auto n = negotiate(
      rrq({{"tsize", "0"}, {"timeout", "6"}, {"windowsize", "8"}, {"blksize", "1468"}}), 10, {});
  ASSERT_EQ(n.oack.size(), 3U);
  EXPECT_EQ(n.oack[0].name, "tsize");
  EXPECT_EQ(n.oack[1].name, "windowsize");
  EXPECT_EQ(n.oack[2].name, "blksize");
}

// Verify that a WRQ tsize above the upload limit is refused with "disk full".
TEST(TftpNegotiation, WrqTsizeAboveLimitRefused) {
  negotiation_limits l;
  l.max_upload_bytes = 100;
  request_packet w{opcode::wrq, "up", transfer_mode::octet, {{"tsize", "101"}}};
  const auto n = negotiate(w, 0, l);
  ASSERT_TRUE(n.refusal);
  EXPECT_EQ(*n.refusal, error_code::disk_full);
  EXPECT_EQ(n.refusal_message, "file too large");
  w.options[0].value = "100";
  const auto ok = negotiate(w, 0, l);
  EXPECT_FALSE(ok.refusal);
  EXPECT_EQ(ok.upload_size, 100U);
  EXPECT_EQ(ok.oack[0], (option{"tsize", "100"}));
}

// Verify decimal parsing limits.
TEST(TftpNegotiation, ParsesDecimal) {
  EXPECT_EQ(parse_decimal("0"), 0U);
  EXPECT_EQ(parse_decimal("18446744073709551615"), 18446744073709551615ULL);
  EXPECT_FALSE(parse_decimal("18446744073709551616"));
  EXPECT_FALSE(parse_decimal("+1"));
  EXPECT_FALSE(parse_decimal(""));
}

}  // namespace
}  // namespace provstation::tftpd
