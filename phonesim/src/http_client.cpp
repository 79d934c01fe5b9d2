// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/http_client.hpp>

#include "net.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <memory>

namespace provstation::phonesim {

namespace {

using detail::unique_fd;

constexpr std::size_t max_head_bytes = 16 * 1024;
constexpr std::size_t max_chunk_line_bytes = 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char table[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  while (i + 2 < in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], table[v & 63]};
    i += 3;
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
  }
  return out;
}

// A connection that reads and writes either plain bytes or TLS records.
class connection {
 public:
  connection(unique_fd fd, SSL* ssl) : fd_(std::move(fd)), ssl_(ssl, &SSL_free) {}

  bool write_all(std::string_view data) {
    while (!data.empty()) {
      const int n =
          ssl_ ? SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()))
               : static_cast<int>(::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Returns the number of bytes read, 0 at end of stream, -1 on error or timeout.
  long read_some(char* buf, std::size_t size) {
    if (ssl_) {
      const int n = SSL_read(ssl_.get(), buf, static_cast<int>(size));
      if (n > 0) return n;
      return SSL_get_error(ssl_.get(), n) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
    }
    const ssize_t n = ::recv(fd_.get(), buf, size, 0);
    return n < 0 ? -1 : static_cast<long>(n);
  }

 private:
  unique_fd fd_;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl_;
};

// Buffered reading on top of a connection.
class reader {
 public:
  explicit reader(connection& c) : conn_(c) {}

  bool fill() {
    std::array<char, 16384> tmp{};
    const long n = conn_.read_some(tmp.data(), tmp.size());
    if (n <= 0) {
      eof_ = n == 0;
      return false;
    }
    buf_.append(tmp.data(), static_cast<std::size_t>(n));
    return true;
  }

  // Reads up to and including `delim`; false if it does not come within `limit` bytes.
  bool read_until(std::string_view delim, std::size_t limit, std::string& out) {
    while (true) {
      const std::size_t at = buf_.find(delim);
      if (at != std::string::npos) {
        out = buf_.substr(0, at + delim.size());
        buf_.erase(0, at + delim.size());
        return true;
      }
      if (buf_.size() > limit || !fill()) return false;
    }
  }

  bool read_exact(std::size_t n, std::string& out) {
    while (buf_.size() < n) {
      if (!fill()) return false;
    }
    out.append(buf_, 0, n);
    buf_.erase(0, n);
    return true;
  }

  bool read_to_end(std::size_t limit, std::string& out) {
    while (fill()) {
      if (buf_.size() > limit) return false;
    }
    if (!eof_) return false;
    out += buf_;
    buf_.clear();
    return out.size() <= limit;
  }

 private:
  connection& conn_;
  std::string buf_;
  bool eof_ = false;
};

unique_fd connect_with_timeout(const std::string& ip, std::uint16_t port,
                               const http_options& options, std::string& error) {
  const auto sa = detail::ipv4_address(ip, port);
  if (!sa) {
    error = "invalid address " + ip;
    return {};
  }
  unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd || !detail::bind_local(fd.get(), options.local_ip)) {
    error = "cannot open a TCP socket";
    return {};
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*sa), sizeof *sa) != 0) {
    if (errno != EINPROGRESS) {
      error = "connect failed";
      return {};
    }
    pollfd pfd{fd.get(), POLLOUT, 0};
    if (::poll(&pfd, 1, static_cast<int>(options.connect_timeout.count())) != 1) {
      error = "connect timed out";
      return {};
    }
    int so_error = 0;
    socklen_t len = sizeof so_error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &len);
    if (so_error != 0) {
      error = "connection refused";
      return {};
    }
  }
  // From here on plain blocking I/O with a timeout on every read and write.
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(options.io_timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((options.io_timeout.count() % 1000) * 1000);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

SSL* start_tls(int fd, const http_options& options, std::string& error) {
  static SSL_CTX* const verify_none_ctx = [] {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx != nullptr) SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return ctx;
  }();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> own_ctx(nullptr, &SSL_CTX_free);
  SSL_CTX* ctx = verify_none_ctx;
  if (!options.ca_file.empty()) {
    own_ctx.reset(SSL_CTX_new(TLS_client_method()));
    if (!own_ctx ||
        SSL_CTX_load_verify_locations(own_ctx.get(), options.ca_file.c_str(), nullptr) != 1) {
      error = "cannot load CA file " + options.ca_file;
      return nullptr;
    }
    SSL_CTX_set_verify(own_ctx.get(), SSL_VERIFY_PEER, nullptr);
    ctx = own_ctx.get();
  }
  if (ctx == nullptr) {
    error = "TLS initialisation failed";
    return nullptr;
  }
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) {
    error = "TLS initialisation failed";
    return nullptr;
  }
  SSL_set_fd(ssl, fd);
  if (!options.tls_server_name.empty()) {
    // SSL_set_tlsext_host_name() is a macro with an old-style cast; this is what it expands to.
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(options.tls_server_name.c_str()));
    if (!options.ca_file.empty()) SSL_set1_host(ssl, options.tls_server_name.c_str());
  }
  if (SSL_connect(ssl) != 1) {
    error = "TLS handshake failed";
    SSL_free(ssl);
    return nullptr;
  }
  return ssl;
}

bool read_chunked(reader& in, std::size_t limit, std::string& body) {
  while (true) {
    std::string line;
    if (!in.read_until("\r\n", max_chunk_line_bytes, line)) return false;
    std::size_t size = 0;
    try {
      size = std::stoul(line.substr(0, line.find_first_of(";\r")), nullptr, 16);
    } catch (const std::exception&) {
      return false;
    }
    if (size == 0) {
      // Trailer headers end with an empty line.
      while (true) {
        if (!in.read_until("\r\n", max_chunk_line_bytes, line)) return false;
        if (line == "\r\n") return true;
      }
    }
    if (body.size() + size > limit) return false;
    if (!in.read_exact(size, body)) return false;
    if (!in.read_until("\r\n", 2, line) || line != "\r\n") return false;
  }
}

}  // namespace

std::string format_http_request(const http_request& request) {
  std::string out = (request.post_body ? "POST " : "GET ") + request.target + " HTTP/1.1\r\n";
  out += "Host: " + request.host + "\r\n";
  if (!request.user_agent.empty()) out += "User-Agent: " + request.user_agent + "\r\n";
  if (request.user) {
    out += "Authorization: Basic " + base64(*request.user + ":" + request.password.value_or("")) +
           "\r\n";
  }
  out += "Accept: */*\r\nConnection: close\r\n";
  if (request.post_body) {
    out += "Content-Type: application/x-www-form-urlencoded\r\n";
    out += "Content-Length: " + std::to_string(request.post_body->size()) + "\r\n";
  }
  out += "\r\n";
  if (request.post_body) out += *request.post_body;
  return out;
}

http_response http_fetch(const std::string& server_ip, std::uint16_t port,
                         const http_request& request, const http_options& options) {
  http_response out;
  unique_fd fd = connect_with_timeout(server_ip, port, options, out.error);
  if (!fd) return out;
  SSL* ssl = nullptr;
  if (options.tls) {
    ssl = start_tls(fd.get(), options, out.error);
    if (ssl == nullptr) return out;
  }
  connection conn(std::move(fd), ssl);
  if (!conn.write_all(format_http_request(request))) {
    out.error = "sending the request failed";
    return out;
  }
  reader in(conn);
  std::string head;
  if (!in.read_until("\r\n\r\n", max_head_bytes, head)) {
    out.error = "no valid response head";
    return out;
  }
  // Status line: HTTP/1.x NNN reason
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) {
    out.error = "not an HTTP response";
    return out;
  }
  try {
    out.status = std::stoi(head.substr(9, 3));
  } catch (const std::exception&) {
    out.error = "bad status line";
    return out;
  }
  std::optional<std::size_t> content_length;
  bool chunked = false;
  std::size_t pos = head.find("\r\n") + 2;
  while (pos < head.size()) {
    const std::size_t end = head.find("\r\n", pos);
    if (end == std::string::npos || end == pos) break;
    const std::string line = head.substr(pos, end - pos);
    pos = end + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (name == "content-length") {
      try {
        content_length = std::stoull(value);
      } catch (const std::exception&) {
        out.error = "bad Content-Length";
        return out;
      }
    } else if (name == "transfer-encoding" && lower(value).find("chunked") != std::string::npos) {
      chunked = true;
    }
    out.headers.emplace_back(std::move(name), std::move(value));
  }
  bool body_ok = true;
  if (chunked) {
    body_ok = read_chunked(in, options.max_body_bytes, out.body);
  } else if (content_length) {
    body_ok = *content_length <= options.max_body_bytes && in.read_exact(*content_length, out.body);
  } else if (out.status != 204 && out.status != 304) {
    body_ok = in.read_to_end(options.max_body_bytes, out.body);
  }
  if (!body_ok) {
    out.error = "incomplete or oversized body";
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace provstation::phonesim
