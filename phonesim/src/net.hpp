// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provstation::phonesim::detail {

/// @brief Owns a file descriptor.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  ~unique_fd();
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;

  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// @brief An IPv4 socket address, or nothing when `ip` is not a dotted quad.
std::optional<sockaddr_in> ipv4_address(const std::string& ip, std::uint16_t port);

/// @brief The IPv4 addresses of `host` (A records only, as the phones do), or `host` itself.
std::vector<std::string> resolve_ipv4(const std::string& host);

/// @brief Binds `fd` to `local_ip` (port 0); an empty address binds nothing.
bool bind_local(int fd, const std::string& local_ip);

/// @brief Sends one UDP datagram from `local_ip` (or any) to ip:port.
bool send_udp(const std::string& local_ip, const std::string& ip, std::uint16_t port,
              const std::string& payload);

}  // namespace provstation::phonesim::detail
