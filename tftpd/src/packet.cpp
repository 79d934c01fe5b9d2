// SPDX-License-Identifier: Apache-2.0
#include <provstation/tftpd/packet.hpp>

#include <algorithm>
#include <string>

namespace provstation::tftpd {

namespace {

constexpr std::size_t max_error_message_chars = 255;

std::uint16_t read_u16(std::span<const std::byte> b, std::size_t at) {
  return static_cast<std::uint16_t>((std::to_integer<unsigned>(b[at]) << 8U) |
                                    std::to_integer<unsigned>(b[at + 1]));
}

void append_u16(std::vector<std::byte>& out, std::uint16_t v) {
  out.push_back(static_cast<std::byte>(v >> 8U));
  out.push_back(static_cast<std::byte>(v & 0xFFU));
}

void append_string(std::vector<std::byte>& out, std::string_view s) {
  for (char c : s) out.push_back(static_cast<std::byte>(c));
  out.push_back(std::byte{0});
}

// Reads a NUL-terminated string starting at `pos`; advances `pos` past the NUL.
std::optional<std::string_view> read_cstring(std::span<const std::byte> b, std::size_t& pos) {
  const auto* begin = b.data() + pos;
  const auto* end = b.data() + b.size();
  const auto* nul = std::find(begin, end, std::byte{0});
  if (nul == end) return std::nullopt;
  std::string_view s(reinterpret_cast<const char*>(begin), static_cast<std::size_t>(nul - begin));
  pos += s.size() + 1;
  return s;
}

bool only_nuls(std::span<const std::byte> b, std::size_t pos) {
  return std::all_of(b.begin() + static_cast<std::ptrdiff_t>(pos), b.end(),
                     [](std::byte x) { return x == std::byte{0}; });
}

// Parses `name\0value\0` pairs from `pos` to the end. Trailing NUL padding is tolerated
// (some clients pad their requests); a name without a value is an error.
result<std::vector<option>> read_options(std::span<const std::byte> b, std::size_t pos) {
  std::vector<option> options;
  while (pos < b.size()) {
    if (only_nuls(b, pos)) break;
    auto name = read_cstring(b, pos);
    if (!name) return make_error("option name is not NUL-terminated");
    if (name->empty()) return make_error("empty option name");
    if (pos >= b.size()) return make_error("option '" + std::string(*name) + "' has no value");
    auto value = read_cstring(b, pos);
    if (!value) return make_error("option '" + std::string(*name) + "' value is not NUL-terminated");
    const bool seen = std::any_of(options.begin(), options.end(),
                                  [&](const option& o) { return iequals(o.name, *name); });
    if (!seen) options.push_back(option{std::string(*name), std::string(*value)});
  }
  return options;
}

result<packet> decode_request(opcode op, std::span<const std::byte> b) {
  std::size_t pos = 2;
  auto filename = read_cstring(b, pos);
  if (!filename) return make_error("filename is not NUL-terminated");
  if (filename->empty()) return make_error("empty filename");
  auto mode_text = read_cstring(b, pos);
  if (!mode_text) return make_error("mode is not NUL-terminated");
  auto mode = parse_mode(*mode_text);
  if (!mode) return make_error("unknown transfer mode '" + std::string(*mode_text) + "'");
  auto options = read_options(b, pos);
  if (!options) return options.err();
  return packet{request_packet{op, std::string(*filename), *mode, std::move(*options)}};
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<transfer_mode> parse_mode(std::string_view text) {
  if (iequals(text, "octet")) return transfer_mode::octet;
  if (iequals(text, "netascii")) return transfer_mode::netascii;
  if (iequals(text, "mail")) return transfer_mode::mail;
  return std::nullopt;
}

std::string_view mode_name(transfer_mode mode) {
  switch (mode) {
    case transfer_mode::octet: return "octet";
    case transfer_mode::netascii: return "netascii";
    case transfer_mode::mail: return "mail";
  }
  return "octet";
}

result<packet> decode_packet(std::span<const std::byte> b) {
  if (b.size() < 2) return make_error("packet too short");
  if (b.size() > max_packet_bytes) return make_error("packet too long");
  const std::uint16_t code = read_u16(b, 0);
  switch (static_cast<opcode>(code)) {
    case opcode::rrq:
    case opcode::wrq:
      return decode_request(static_cast<opcode>(code), b);
    case opcode::data:
      if (b.size() < header_bytes) return make_error("DATA without block number");
      return packet{data_packet{read_u16(b, 2), b.subspan(header_bytes)}};
    case opcode::ack:
      if (b.size() < header_bytes) return make_error("ACK without block number");
      return packet{ack_packet{read_u16(b, 2)}};
    case opcode::error: {
      if (b.size() < header_bytes) return make_error("ERROR without error code");
      std::size_t pos = header_bytes;
      auto text = read_cstring(b, pos);
      std::string message = text ? std::string(*text)
                                 : std::string(reinterpret_cast<const char*>(b.data()) + header_bytes,
                                               b.size() - header_bytes);
      return packet{error_packet{read_u16(b, 2), std::move(message)}};
    }
    case opcode::oack: {
      auto options = read_options(b, 2);
      if (!options) return options.err();
      return packet{oack_packet{std::move(*options)}};
    }
  }
  return make_error("unknown opcode " + std::to_string(code));
}

void write_header(opcode op, std::uint16_t block, std::span<std::byte, header_bytes> out) {
  const auto o = static_cast<std::uint16_t>(op);
  out[0] = static_cast<std::byte>(o >> 8U);
  out[1] = static_cast<std::byte>(o & 0xFFU);
  out[2] = static_cast<std::byte>(block >> 8U);
  out[3] = static_cast<std::byte>(block & 0xFFU);
}

std::vector<std::byte> encode_ack(std::uint16_t block) {
  std::vector<std::byte> out(header_bytes);
  write_header(opcode::ack, block, std::span<std::byte, header_bytes>(out.data(), header_bytes));
  return out;
}

std::vector<std::byte> encode_data(std::uint16_t block, std::span<const std::byte> payload) {
  std::vector<std::byte> out(header_bytes + payload.size());
  write_header(opcode::data, block, std::span<std::byte, header_bytes>(out.data(), header_bytes));
  std::copy(payload.begin(), payload.end(), out.begin() + header_bytes);
  return out;
}

std::vector<std::byte> encode_error(std::uint16_t code, std::string_view message) {
  message = message.substr(0, std::min(message.find('\0'), max_error_message_chars));
  std::vector<std::byte> out;
  out.reserve(header_bytes + message.size() + 1);
  append_u16(out, static_cast<std::uint16_t>(opcode::error));
  append_u16(out, code);
  append_string(out, message);
  return out;
}

std::vector<std::byte> encode_oack(std::span<const option> options) {
  std::vector<std::byte> out;
  append_u16(out, static_cast<std::uint16_t>(opcode::oack));
  for (const auto& o : options) {
    append_string(out, o.name);
    append_string(out, o.value);
  }
  return out;
}

std::vector<std::byte> encode_request(opcode op, std::string_view filename,
                                      std::string_view mode, std::span<const option> options) {
  std::vector<std::byte> out;
  append_u16(out, static_cast<std::uint16_t>(op));
  append_string(out, filename);
  append_string(out, mode);
  for (const auto& o : options) {
    append_string(out, o.name);
    append_string(out, o.value);
  }
  return out;
}

std::vector<std::byte> encode(const packet& p) {
  struct visitor {
    std::vector<std::byte> operator()(const request_packet& r) const {
      return encode_request(r.op, r.filename, mode_name(r.mode), r.options);
    }
    std::vector<std::byte> operator()(const data_packet& d) const {
      return encode_data(d.block, d.payload);
    }
    std::vector<std::byte> operator()(const ack_packet& a) const { return encode_ack(a.block); }
    std::vector<std::byte> operator()(const error_packet& e) const {
      return encode_error(e.code, e.message);
    }
    std::vector<std::byte> operator()(const oack_packet& o) const {
      return encode_oack(o.options);
    }
  };
  return std::visit(visitor{}, p);
}

}  // namespace provstation::tftpd
