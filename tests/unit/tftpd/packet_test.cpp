// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the TFTP packet codec: every opcode, every rejection, round trips.
#include <provstation/tftpd/packet.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace provstation::tftpd {
namespace {

std::vector<std::byte> bytes(std::string_view s) {
  std::vector<std::byte> out;
  for (char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

std::string text(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

using namespace std::string_literals;
using namespace std::string_view_literals;

// Verify that an empty datagram is rejected.
TEST(TftpPacket, RejectsEmpty) {
  auto r = decode_packet({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "packet too short");
}

// Verify that a one-byte datagram is rejected.
TEST(TftpPacket, RejectsOneByte) {
  auto r = decode_packet(bytes("\x00"s));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "packet too short");
}

// Verify that unknown opcodes are rejected with their number.
TEST(TftpPacket, RejectsUnknownOpcode) {
  auto r = decode_packet(bytes("\x00\x07xx"s));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "unknown opcode 7");
  EXPECT_EQ(decode_packet(bytes("\x00\x00"s)).message(), "unknown opcode 0");
  EXPECT_EQ(decode_packet(bytes("\xff\xff"s)).message(), "unknown opcode 65535");
}

// Verify that a datagram longer than the largest DATA is rejected.
TEST(TftpPacket, RejectsOversizedDatagram) {
  std::vector<std::byte> big(max_packet_bytes + 1);
  big[1] = std::byte{3};
  EXPECT_EQ(decode_packet(big).message(), "packet too long");
}

// Verify that a request without the NUL after the filename is rejected.
TEST(TftpPacket, RejectsUnterminatedFilename) {
  EXPECT_EQ(decode_packet(bytes("\x00\x01" "file"s)).message(), "filename is not NUL-terminated");
}

// Verify that a request with an empty filename is rejected.
TEST(TftpPacket, RejectsEmptyFilename) {
  EXPECT_EQ(decode_packet(bytes("\x00\x01\x00octet\x00"s)).message(), "empty filename");
}

// Verify that a request without the NUL after the mode is rejected.
TEST(TftpPacket, RejectsUnterminatedMode) {
  EXPECT_EQ(decode_packet(bytes("\x00\x01" "f\x00octet"s)).message(), "mode is not NUL-terminated");
}

// Verify that an unknown mode is rejected and named.
TEST(TftpPacket, RejectsUnknownMode) {
  EXPECT_EQ(decode_packet(bytes("\x00\x01" "f\x00" "binary\x00"s)).message(),
            "unknown transfer mode 'binary'");
}

// Verify that an option without a value is rejected.
TEST(TftpPacket, RejectsOptionWithoutValue) {
  EXPECT_EQ(decode_packet(bytes("\x00\x01" "f\x00octet\x00" "blksize\x00"s)).message(),
            "option 'blksize' has no value");
}

// Verify that an option value without its NUL is rejected.
TEST(TftpPacket, RejectsUnterminatedOptionValue) {
  EXPECT_EQ(decode_packet(bytes("\x00\x01" "f\x00octet\x00" "blksize\x00" "1468"s)).message(),
            "option 'blksize' value is not NUL-terminated");
}

// Verify that an option name without its NUL is rejected.
TEST(TftpPacket, RejectsUnterminatedOptionName) {
  EXPECT_EQ(decode_packet(bytes("\x00\x01" "f\x00octet\x00" "blks"s)).message(),
            "option name is not NUL-terminated");
}

// Verify that an empty option name followed by more bytes is rejected.
TEST(TftpPacket, RejectsEmptyOptionName) {
  EXPECT_EQ(decode_packet(bytes("\x00\x01" "f\x00octet\x00\x00" "5\x00"s)).message(),
            "empty option name");
}

// Verify that short DATA, ACK and ERROR packets are rejected.
TEST(TftpPacket, RejectsTruncatedHeaders) {
  EXPECT_EQ(decode_packet(bytes("\x00\x03\x00"s)).message(), "DATA without block number");
  EXPECT_EQ(decode_packet(bytes("\x00\x04\x00"s)).message(), "ACK without block number");
  EXPECT_EQ(decode_packet(bytes("\x00\x05\x00"s)).message(), "ERROR without error code");
}

// Verify that a plain RRQ decodes with its filename and mode, case-insensitively.
TEST(TftpPacket, DecodesPlainRrq) {
  auto r = decode_packet(bytes("\x00\x01" "spa525G2.cfg\x00OcTeT\x00"s));
  ASSERT_TRUE(r.ok()) << r.message();
  const auto& req = std::get<request_packet>(*r);
  EXPECT_EQ(req.op, opcode::rrq);
  EXPECT_EQ(req.filename, "spa525G2.cfg");
  EXPECT_EQ(req.mode, transfer_mode::octet);
  EXPECT_TRUE(req.options.empty());
}

// Verify that a WRQ in netascii mode decodes.
TEST(TftpPacket, DecodesWrqNetascii) {
  auto r = decode_packet(bytes("\x00\x02" "up.txt\x00NETASCII\x00"s));
  ASSERT_TRUE(r.ok()) << r.message();
  const auto& req = std::get<request_packet>(*r);
  EXPECT_EQ(req.op, opcode::wrq);
  EXPECT_EQ(req.mode, transfer_mode::netascii);
}

// Verify that the obsolete mail mode still decodes (the server refuses it later).
TEST(TftpPacket, DecodesMailMode) {
  auto r = decode_packet(bytes("\x00\x01" "f\x00mail\x00"s));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<request_packet>(*r).mode, transfer_mode::mail);
}

// Verify that options keep their order and spelling, and later duplicates are dropped.
TEST(TftpPacket, DecodesOptionsInOrderWithoutDuplicates) {
  auto r = decode_packet(
      bytes("\x00\x01" "f\x00octet\x00tsize\x00" "0\x00" "BLKSIZE\x00" "1468\x00"
            "blksize\x00" "8\x00"s));
  ASSERT_TRUE(r.ok()) << r.message();
  const auto& o = std::get<request_packet>(*r).options;
  ASSERT_EQ(o.size(), 2U);
  EXPECT_EQ(o[0], (option{"tsize", "0"}));
  EXPECT_EQ(o[1], (option{"BLKSIZE", "1468"}));
}

// Verify that NUL padding after the options is tolerated.
TEST(TftpPacket, ToleratesTrailingNulPadding) {
  auto r = decode_packet(bytes("\x00\x01" "f\x00octet\x00tsize\x00" "0\x00\x00\x00\x00"s));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(std::get<request_packet>(*r).options.size(), 1U);
}

// Verify that DATA keeps its block number and points at its payload.
TEST(TftpPacket, DecodesData) {
  const auto in = bytes("\x00\x03\xff\xfe" "abc"s);
  auto r = decode_packet(in);
  ASSERT_TRUE(r.ok());
  const auto& d = std::get<data_packet>(*r);
  EXPECT_EQ(d.block, 0xfffe);
  ASSERT_EQ(d.payload.size(), 3U);
  EXPECT_EQ(d.payload.data(), in.data() + 4);
}

// Verify that an empty DATA (the end of a file that fills its blocks) decodes.
TEST(TftpPacket, DecodesEmptyData) {
  auto r = decode_packet(bytes("\x00\x03\x00\x02"s));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::get<data_packet>(*r).payload.empty());
}

// Verify that ACK decodes, ignoring trailing bytes.
TEST(TftpPacket, DecodesAck) {
  auto r = decode_packet(bytes("\x00\x04\x12\x34zz"s));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<ack_packet>(*r).block, 0x1234);
}

// Verify that ERROR decodes, with or without the message's NUL.
TEST(TftpPacket, DecodesError) {
  auto r = decode_packet(bytes("\x00\x05\x00\x08" "no thanks\x00"s));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<error_packet>(*r).code, 8);
  EXPECT_EQ(std::get<error_packet>(*r).message, "no thanks");
  auto r2 = decode_packet(bytes("\x00\x05\x00\x01" "unterminated"s));
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(std::get<error_packet>(*r2).message, "unterminated");
}

// Verify that OACK decodes its options.
TEST(TftpPacket, DecodesOack) {
  auto r = decode_packet(bytes("\x00\x06" "blksize\x00" "1468\x00tsize\x00" "42\x00"s));
  ASSERT_TRUE(r.ok());
  const auto& o = std::get<oack_packet>(*r).options;
  ASSERT_EQ(o.size(), 2U);
  EXPECT_EQ(o[1], (option{"tsize", "42"}));
}

// Verify the exact bytes of each encoder.
TEST(TftpPacket, EncodesExactBytes) {
  EXPECT_EQ(text(encode_ack(0x0102)), "\x00\x04\x01\x02"s);
  const std::vector<std::byte> payload = bytes("xy");
  EXPECT_EQ(text(encode_data(7, payload)), "\x00\x03\x00\x07xy"s);
  EXPECT_EQ(text(encode_error(error_code::file_not_found, "nope")), "\x00\x05\x00\x01nope\x00"s);
  const std::vector<option> opts{{"blksize", "1468"}, {"tsize", "9"}};
  EXPECT_EQ(text(encode_oack(opts)), "\x00\x06" "blksize\x00" "1468\x00tsize\x00" "9\x00"s);
  EXPECT_EQ(text(encode_request(opcode::rrq, "a", "octet", opts)),
            "\x00\x01" "a\x00octet\x00" "blksize\x00" "1468\x00tsize\x00" "9\x00"s);
}

// Verify that an ERROR message is cut at an embedded NUL and at 255 characters.
TEST(TftpPacket, ErrorMessageIsBounded) {
  EXPECT_EQ(text(encode_error(std::uint16_t{0}, "ab\0cd"sv)), "\x00\x05\x00\x00" "ab\x00"s);
  const auto long_msg = encode_error(std::uint16_t{0}, std::string(1000, 'x'));
  EXPECT_EQ(long_msg.size(), 4U + 255U + 1U);
}

// Verify that every packet kind survives encode → decode → encode unchanged.
TEST(TftpPacket, RoundTrips) {
  const std::vector<std::byte> payload = bytes("payload");
  const std::vector<packet> packets{
      request_packet{opcode::rrq, "dir/file.bin", transfer_mode::octet, {{"blksize", "512"}}},
      request_packet{opcode::wrq, "x", transfer_mode::netascii, {}},
      data_packet{65535, payload},
      ack_packet{0},
      error_packet{5, "unknown transfer ID"},
      oack_packet{{{"windowsize", "16"}}},
  };
  for (const auto& p : packets) {
    const auto once = encode(p);
    auto back = decode_packet(once);
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(encode(*back), once);
  }
}

// Verify that mode parsing ignores case and names modes canonically.
TEST(TftpPacket, ParsesModes) {
  EXPECT_EQ(parse_mode("NetAscii"), transfer_mode::netascii);
  EXPECT_EQ(parse_mode("octet"), transfer_mode::octet);
  EXPECT_FALSE(parse_mode("octets").has_value());
  EXPECT_EQ(mode_name(transfer_mode::netascii), "netascii");
  EXPECT_TRUE(iequals("BlkSize", "blksize"));
  EXPECT_FALSE(iequals("blksize", "blksiz"));
}

}  // namespace
}  // namespace provstation::tftpd
