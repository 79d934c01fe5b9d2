// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace provstation::app {

/// @brief A reply from http_request().
struct http_reply {
  int status = 0;
  std::string body;
};

/// @brief One blocking HTTP/1.1 request (Connection: close) to `host:port`, for the demo and
/// the tests that drive the dashboard API.
result<http_reply> http_request(const std::string& host, std::uint16_t port,
                                const std::string& method, const std::string& target,
                                const std::string& body = {},
                                const std::string& content_type = "text/plain",
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace provstation::app
