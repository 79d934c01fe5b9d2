// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>
#include <provstation/tftpd/file_source.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace provstation::tftpd {

/// @brief TFTP opcodes (RFC 1350; OACK from RFC 2347).
enum class opcode : std::uint16_t { rrq = 1, wrq = 2, data = 3, ack = 4, error = 5, oack = 6 };

/// @brief Transfer modes (RFC 1350). `mail` is obsolete and parsed only to be refused.
enum class transfer_mode { octet, netascii, mail };

/// @brief Largest block size RFC 2348 allows.
inline constexpr std::uint16_t max_blksize_rfc = 65464;
/// @brief Smallest block size RFC 2348 allows.
inline constexpr std::uint16_t min_blksize_rfc = 8;
/// @brief The RFC 1350 block size, used when no `blksize` is negotiated.
inline constexpr std::uint16_t default_blksize = 512;
/// @brief Size of the DATA/ACK header (opcode + block number).
inline constexpr std::size_t header_bytes = 4;
/// @brief Largest datagram the codec produces or accepts (a DATA of the largest block size).
inline constexpr std::size_t max_packet_bytes = header_bytes + max_blksize_rfc;

/// @brief One `name\0value\0` option pair, as sent (names compare case-insensitively).
struct option {
  std::string name;   ///< Option name as sent.
  std::string value;  ///< Option value as sent.
  bool operator==(const option&) const = default;
};

/// @brief RRQ or WRQ.
struct request_packet {
  opcode op = opcode::rrq;                  ///< rrq or wrq.
  std::string filename;                     ///< As sent, never empty.
  transfer_mode mode = transfer_mode::octet;  ///< Parsed mode.
  std::vector<option> options;              ///< In the order sent; duplicates dropped.
  bool operator==(const request_packet&) const = default;
};

/// @brief DATA; the payload is a view into the decoded buffer.
struct data_packet {
  std::uint16_t block = 0;              ///< Block number on the wire.
  std::span<const std::byte> payload;   ///< 0..blksize bytes.
};

/// @brief ACK.
struct ack_packet {
  std::uint16_t block = 0;  ///< Block number on the wire (0 acknowledges an OACK or a WRQ).
};

/// @brief ERROR.
struct error_packet {
  std::uint16_t code = 0;  ///< Raw code (see error_code); unknown codes are kept as sent.
  std::string message;     ///< Message text, without the terminating NUL.
};

/// @brief OACK.
struct oack_packet {
  std::vector<option> options;  ///< Accepted options, in order.
};

/// @brief Any decoded TFTP packet.
using packet = std::variant<request_packet, data_packet, ack_packet, error_packet, oack_packet>;

/// @brief Parses one datagram. Never throws; views in the result point into `bytes`.
///
/// Lenient where real clients are sloppy and harmless: trailing NUL padding after the options,
/// an ERROR message without its NUL, extra bytes after an ACK. Strict everywhere else.
result<packet> decode_packet(std::span<const std::byte> bytes);

/// @brief Parses a mode string case-insensitively ("octet", "netascii", "mail").
std::optional<transfer_mode> parse_mode(std::string_view text);

/// @brief The canonical lower-case name of a mode.
std::string_view mode_name(transfer_mode mode);

/// @brief Case-insensitive ASCII comparison, as option names and modes need.
bool iequals(std::string_view a, std::string_view b);

/// @brief Writes a DATA or ACK style 4-byte header (opcode, block) into `out`.
void write_header(opcode op, std::uint16_t block, std::span<std::byte, header_bytes> out);

/// @brief Encodes an ACK.
std::vector<std::byte> encode_ack(std::uint16_t block);

/// @brief Encodes a DATA packet (tests and clients; the server sends header and payload
/// without building this vector).
std::vector<std::byte> encode_data(std::uint16_t block, std::span<const std::byte> payload);

/// @brief Encodes an ERROR. The message is cut at its first NUL and at 255 characters.
std::vector<std::byte> encode_error(std::uint16_t code, std::string_view message);

/// @brief Encodes an ERROR from an error_code.
inline std::vector<std::byte> encode_error(error_code code, std::string_view message) {
  return encode_error(static_cast<std::uint16_t>(code), message);
}

/// @brief Encodes an OACK: exactly the given pairs, no padding.
std::vector<std::byte> encode_oack(std::span<const option> options);

/// @brief Encodes an RRQ or WRQ (for clients and tests).
std::vector<std::byte> encode_request(opcode op, std::string_view filename,
                                      std::string_view mode, std::span<const option> options);

/// @brief Encodes any packet (round-trip tests, the fuzzer).
std::vector<std::byte> encode(const packet& p);

}  // namespace provstation::tftpd
