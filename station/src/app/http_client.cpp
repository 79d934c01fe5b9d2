// SPDX-License-Identifier: Apache-2.0
#include "app/http_client.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace provstation::app {

result<http_reply> http_request(const std::string& host, std::uint16_t port,
                                const std::string& method, const std::string& target,
                                const std::string& body, const std::string& content_type,
                                std::chrono::milliseconds timeout) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return make_error(fmt::format("bad address {}", host));
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(std::strerror(errno));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    return make_error(fmt::format("connect {}:{}: {}", host, port, err));
  }
  std::string req = fmt::format("{} {} HTTP/1.1\r\nHost: {}:{}\r\nConnection: close\r\n", method,
                                target, host, port);
  if (!body.empty() || method == "POST") {
    req += fmt::format("Content-Type: {}\r\nContent-Length: {}\r\n", content_type, body.size());
  }
  req += "\r\n";
  req += body;
  std::size_t off = 0;
  while (off < req.size()) {
    const ssize_t n = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return make_error("send failed");
    }
    off += static_cast<std::size_t>(n);
  }
  std::string resp;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      resp.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      ::close(fd);
      return make_error(fmt::format("receive failed: {}", std::strerror(errno)));
    }
  }
  ::close(fd);
  const auto head_end = resp.find("\r\n\r\n");
  if (head_end == std::string::npos || resp.size() < 12 || !resp.starts_with("HTTP/1.")) {
    return make_error("malformed HTTP response");
  }
  http_reply r;
  r.status = std::atoi(resp.c_str() + 9);
  r.body = resp.substr(head_end + 4);
  return r;
}

}  // namespace provstation::app
