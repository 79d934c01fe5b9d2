// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>
#include <provstation/web/http_types.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <memory>

namespace provstation::web {

/// @brief Limits of one listener.
struct server_options {
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::size_t max_connections = 512;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{600};  ///< Firmware over a slow link takes a while.
  std::string server_name = "provstation";
};

/// @brief An HTTP/1.1 listener (Beast) that hands each request to one router.
///
/// The acceptor is bound by create() (so privileged ports can be bound before dropping root);
/// start() accepts. Each connection is a session on its own strand with a deadline on every
/// read and write; the connection manager closes them all on stop(). Requests larger than the
/// limits get 413/431 and the connection is closed. The phone side and the dashboard each get
/// their own listener and router, so no dashboard route exists on the bench side.
class http_server {
 public:
  static result<std::unique_ptr<http_server>> create(boost::asio::any_io_executor ex,
                                                     const boost::asio::ip::tcp::endpoint& at,
                                                     router& r, server_options options);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  void start();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  std::size_t connections() const;

  class impl;

 private:
  explicit http_server(std::shared_ptr<impl> p);
  std::shared_ptr<impl> impl_;
};

}  // namespace provstation::web
