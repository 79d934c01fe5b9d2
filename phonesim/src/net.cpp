// SPDX-License-Identifier: Apache-2.0
#include "net.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace provstation::phonesim::detail {

unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

std::optional<sockaddr_in> ipv4_address(const std::string& ip, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) != 1) return std::nullopt;
  return sa;
}

std::vector<std::string> resolve_ipv4(const std::string& host) {
  if (ipv4_address(host, 0)) return {host};
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  std::vector<std::string> out;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
  for (addrinfo* p = res; p != nullptr; p = p->ai_next) {
    char buf[INET_ADDRSTRLEN];
    const auto* sa = reinterpret_cast<const sockaddr_in*>(p->ai_addr);
    if (::inet_ntop(AF_INET, &sa->sin_addr, buf, sizeof buf) != nullptr) {
      bool seen = false;
      for (const auto& a : out) seen = seen || a == buf;
      if (!seen) out.emplace_back(buf);
    }
  }
  ::freeaddrinfo(res);
  return out;
}

bool bind_local(int fd, const std::string& local_ip) {
  if (local_ip.empty()) return true;
  const auto sa = ipv4_address(local_ip, 0);
  if (!sa) return false;
  return ::bind(fd, reinterpret_cast<const sockaddr*>(&*sa), sizeof *sa) == 0;
}

bool send_udp(const std::string& local_ip, const std::string& ip, std::uint16_t port,
              const std::string& payload) {
  const auto to = ipv4_address(ip, port);
  if (!to) return false;
  unique_fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  // A phone sends from its own address; fall back to any if that fails (e.g. no lease yet).
  if (!bind_local(fd.get(), local_ip)) bind_local(fd.get(), "");
  return ::sendto(fd.get(), payload.data(), payload.size(), 0,
                  reinterpret_cast<const sockaddr*>(&*to),
                  sizeof *to) == static_cast<ssize_t>(payload.size());
}

}  // namespace provstation::phonesim::detail
