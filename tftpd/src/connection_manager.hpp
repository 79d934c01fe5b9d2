// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <spdlog/logger.h>

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include <sys/epoll.h>

namespace provstation::tftpd::detail {

/// @brief Something the connection_manager wakes up when its socket is readable.
class readiness_handler {
 public:
  virtual ~readiness_handler() = default;
  /// @brief The socket has datagrams (called on the manager's strand).
  virtual void on_readable() = 0;
};

/// @brief Watches every transfer socket with one level-triggered epoll set, itself waited on
/// through Asio once per batch of events.
///
/// How it works: Boost.Asio's reactor re-arms a descriptor with epoll_ctl on every async_wait,
/// which on a lock-step transfer is one extra system call per block. Here each transfer socket
/// is added once; when Asio reports the epoll descriptor readable, epoll_wait(0) returns every
/// ready socket and each handler reads what is queued. All of it runs on this manager's
/// strand, which the transfers share.
class connection_manager : public std::enable_shared_from_this<connection_manager> {
 public:
  /// @brief Creates the epoll set; `strand` is the executor every transfer runs on.
  static std::shared_ptr<connection_manager> create(const boost::asio::any_io_executor& strand,
                                                    std::shared_ptr<spdlog::logger> log,
                                                    boost::system::error_code& ec);
  connection_manager(const connection_manager&) = delete;
  connection_manager& operator=(const connection_manager&) = delete;

  /// @brief Watches `fd` for `handler` (strand only). False on failure.
  bool add(int fd, std::shared_ptr<readiness_handler> handler);
  /// @brief Stops watching `fd` (strand only); call before closing it.
  void remove(int fd);
  /// @brief Closes the epoll set once nothing is watched any more (strand only).
  void close();
  /// @brief The strand every transfer runs on.
  const boost::asio::any_io_executor& strand() const { return strand_; }

 private:
  connection_manager(const boost::asio::any_io_executor& strand, int epoll_fd,
                     std::shared_ptr<spdlog::logger> log);
  void do_wait();
  void on_ready(const boost::system::error_code& ec);

  static constexpr std::size_t events_per_call = 256;

  boost::asio::any_io_executor strand_;
  boost::asio::posix::stream_descriptor epoll_;
  std::shared_ptr<spdlog::logger> log_;
  std::unordered_map<int, std::shared_ptr<readiness_handler>> handlers_;
  std::array<epoll_event, events_per_call> events_{};
  bool waiting_ = false;
  bool closed_ = false;
};

}  // namespace provstation::tftpd::detail
