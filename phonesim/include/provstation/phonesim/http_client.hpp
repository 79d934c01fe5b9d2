// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provstation::phonesim {

/// @brief One HTTP/1.1 request as a phone sends it.
struct http_request {
  std::string host;  ///< The Host header (host[:port]).
  std::string target = "/";
  std::string user_agent;
  std::optional<std::string> post_body;  ///< POST this body instead of GET.
  std::optional<std::string> user;       ///< Basic authentication.
  std::optional<std::string> password;
};

/// @brief Transport settings.
struct http_options {
  std::string local_ip;         ///< Source address ("" = any).
  bool tls = false;             ///< https.
  std::string tls_server_name;  ///< SNI / certificate name for https.
  std::string ca_file;          ///< Verify the server against this CA (https).
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds io_timeout{15000};  ///< For each read/write.
  std::size_t max_body_bytes = 64 * 1024 * 1024;
};

/// @brief The result of an HTTP exchange.
struct http_response {
  bool ok = false;  ///< A complete response was received (any status).
  int status = 0;
  std::string body;
  std::string error;  ///< What went wrong when !ok.
  std::vector<std::pair<std::string, std::string>> headers;
};

/// @brief Sends one request over a new connection (`Connection: close`) and reads the
/// response (Content-Length, chunked, or until close).
http_response http_fetch(const std::string& server_ip, std::uint16_t port,
                         const http_request& request, const http_options& options);

/// @brief Builds the request bytes (exposed for tests).
std::string format_http_request(const http_request& request);

}  // namespace provstation::phonesim
