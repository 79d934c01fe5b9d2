// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/tftp_client.hpp>

#include "net.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cctype>
#include <string>

namespace provstation::phonesim {

namespace {

using detail::unique_fd;

constexpr std::uint16_t op_rrq = 1;
constexpr std::uint16_t op_data = 3;
constexpr std::uint16_t op_ack = 4;
constexpr std::uint16_t op_error = 5;
constexpr std::uint16_t op_oack = 6;
constexpr std::size_t max_packet_bytes = 65536 + 4;
constexpr std::size_t max_path_bytes = 400;

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

std::uint16_t get16(const std::string_view p, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(p[at]) << 8) |
                                    static_cast<unsigned char>(p[at + 1]));
}

std::string ack(std::uint16_t block) {
  std::string p;
  put16(p, op_ack);
  put16(p, block);
  return p;
}

std::string error_packet(std::uint16_t code, std::string_view message) {
  std::string p;
  put16(p, op_error);
  put16(p, code);
  p.append(message);
  p.push_back('\0');
  return p;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool same_endpoint(const sockaddr_in& a, const sockaddr_in& b) {
  return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}

}  // namespace

tftp_outcome tftp_get(const std::string& server_ip, std::uint16_t port, std::string_view path,
                      const tftp_options& options, const std::function<bool()>& should_stop) {
  tftp_outcome out;
  const auto server = detail::ipv4_address(server_ip, port);
  if (!server) {
    out.error_message = "invalid server address " + server_ip;
    return out;
  }
  if (path.size() > max_path_bytes) {
    out.error_message = "path too long";
    return out;
  }
  unique_fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd || !detail::bind_local(fd.get(), options.local_ip)) {
    out.error_message = "cannot open a UDP socket";
    return out;
  }
  std::string rrq;
  put16(rrq, op_rrq);
  rrq.append(path);
  rrq.push_back('\0');
  rrq.append("octet");
  rrq.push_back('\0');
  if (options.blksize != 0) {
    rrq.append("blksize");
    rrq.push_back('\0');
    rrq.append(std::to_string(options.blksize));
    rrq.push_back('\0');
  }

  std::string last_sent = rrq;
  sockaddr_in peer = *server;
  bool locked = false;
  std::uint16_t expected = 1;
  std::uint16_t blksize = 512;
  int retries = 0;
  const auto deadline = std::chrono::steady_clock::now() + options.deadline;
  std::string buf(max_packet_bytes, '\0');

  auto send_to = [&](const std::string& pkt, const sockaddr_in& to) {
    ::sendto(fd.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<const sockaddr*>(&to),
             sizeof to);
  };
  send_to(last_sent, peer);

  while (true) {
    if (should_stop && should_stop()) {
      if (locked) send_to(error_packet(0, "transfer cancelled"), peer);
      out.error_message = "stopped";
      return out;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      out.error_message = "transfer deadline exceeded";
      return out;
    }
    pollfd pfd{fd.get(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(options.timeout.count()));
    if (ready < 0) continue;
    if (ready == 0) {
      if (++retries > options.retries) {
        out.error_message = "timeout";
        return out;
      }
      send_to(last_sent, peer);
      continue;
    }
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(fd.get(), buf.data(), buf.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 4) continue;
    const std::string_view pkt(buf.data(), static_cast<std::size_t>(n));
    if (!locked) {
      // The server answers from a new port (its transfer ID); the address must be the server's.
      if (from.sin_addr.s_addr != server->sin_addr.s_addr) continue;
      peer = from;
      locked = true;
    } else if (!same_endpoint(from, peer)) {
      send_to(error_packet(5, "Unknown transfer ID"), from);
      continue;
    }
    const std::uint16_t opcode = get16(pkt, 0);
    if (opcode == op_error) {
      out.error_code = get16(pkt, 2);
      const std::string_view msg = pkt.substr(4);
      out.error_message = std::string(msg.substr(0, msg.find('\0')));
      return out;
    }
    if (opcode == op_oack && expected == 1 && out.data.empty()) {
      // Options: name\0value\0 pairs; only blksize was asked for.
      std::size_t i = 2;
      std::uint16_t agreed = 512;
      bool bad = false;
      while (i < pkt.size()) {
        const std::size_t z1 = pkt.find('\0', i);
        if (z1 == std::string_view::npos) break;
        const std::size_t z2 = pkt.find('\0', z1 + 1);
        if (z2 == std::string_view::npos) break;
        const std::string name = lower(pkt.substr(i, z1 - i));
        const std::string value(pkt.substr(z1 + 1, z2 - z1 - 1));
        if (name == "blksize") {
          unsigned long v = 0;
          try {
            v = std::stoul(value);
          } catch (const std::exception&) {
            v = 0;
          }
          if (v < 8 || v > options.blksize) bad = true;
          agreed = static_cast<std::uint16_t>(v);
        } else {
          bad = true;  // The server must not add options the client did not ask for.
        }
        i = z2 + 1;
      }
      if (bad) {
        send_to(error_packet(8, "option negotiation failed"), peer);
        out.error_code = 8;
        out.error_message = "bad OACK";
        return out;
      }
      blksize = agreed;
      last_sent = ack(0);
      retries = 0;
      send_to(last_sent, peer);
      continue;
    }
    if (opcode == op_data) {
      const std::uint16_t block = get16(pkt, 2);
      const std::size_t len = pkt.size() - 4;
      if (block == expected) {
        if (len > blksize) {
          send_to(error_packet(4, "DATA larger than blksize"), peer);
          out.error_message = "oversized DATA";
          return out;
        }
        out.data.append(pkt.substr(4));
        if (out.data.size() > options.max_bytes) {
          send_to(error_packet(3, "file too large"), peer);
          out.error_message = "file too large";
          return out;
        }
        last_sent = ack(block);
        retries = 0;
        send_to(last_sent, peer);
        if (len < blksize) {
          out.ok = true;
          out.blksize = blksize;
          return out;
        }
        ++expected;
      } else if (static_cast<std::uint16_t>(block + 1) == expected) {
        // The server missed our ACK: acknowledge the duplicate again.
        send_to(ack(block), peer);
      }
      continue;
    }
  }
}

}  // namespace provstation::phonesim
