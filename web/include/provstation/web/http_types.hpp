// SPDX-License-Identifier: Apache-2.0
#pragma once

// Plain HTTP request/response types for the routers and handlers. They carry no Beast types,
// so handlers are pure functions testable without sockets; only http_server.cpp sees Beast.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace provstation::web {

/// @brief One request, as the router sees it.
struct request {
  std::string method;                                     ///< "GET", "POST", ...
  std::string target;                                     ///< As sent: path and query.
  std::string path;                                       ///< Decoded path without the query.
  std::map<std::string, std::string, std::less<>> query;  ///< Decoded query parameters.
  std::string body;
  std::string content_type;
  std::string user_agent;
  std::string authorization;
  std::string cookie;
  std::string peer_ip;
  std::string host;
};

/// @brief A server-sent-events stream: handlers push lines, the session writes them.
class event_channel {
 public:
  /// @brief Queues one event (`data: ...\n\n` is added). Thread-safe. Drops the oldest events
  /// beyond a bound, so a stalled browser cannot grow memory.
  void push(std::string data);
  /// @brief Ends the stream.
  void close();
  /// @brief Takes everything queued (for the session).
  std::deque<std::string> take();
  bool closed() const;
  /// @brief Set by the session: called (from any thread) when something was pushed.
  void set_waker(std::function<void()> waker);

 private:
  static constexpr std::size_t max_queued = 256;
  mutable std::mutex mu_;
  std::deque<std::string> queue_;
  std::function<void()> waker_;
  bool closed_ = false;
};

/// @brief One response. The body is either `body` or `view` over bytes kept alive by `owner`.
struct response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::shared_ptr<const void> owner;
  std::span<const std::byte> view;
  /// @brief Called after the body was written (true) or the write failed (false).
  std::function<void(bool ok, std::uint64_t bytes)> on_sent;
  /// @brief Set for a server-sent-events stream; the session keeps the connection open.
  std::shared_ptr<event_channel> stream;

  static response text(int status, std::string body) {
    response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static response json(int status, std::string body) {
    response r;
    r.status = status;
    r.content_type = "application/json";
    r.body = std::move(body);
    return r;
  }
};

using responder = std::function<void(response)>;

/// @brief Maps requests to handlers. May answer now or later (from any thread).
class router {
 public:
  virtual ~router() = default;
  virtual void handle(request req, responder respond) = 0;
};

/// @brief Percent-decodes a URL component ('+' is a space in queries).
std::string url_decode(std::string_view s, bool plus_is_space);

/// @brief Splits a target into path and decoded query parameters.
void split_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string, std::less<>>& query);

}  // namespace provstation::web
