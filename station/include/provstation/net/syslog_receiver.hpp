// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>
#include <provstation/tracker.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

namespace provstation {

/// @brief Receives the phones' syslog (UDP), believes a line only from the address leased to
/// the MAC it names, and turns resync/upgrade messages into evidence for the tracker.
class syslog_receiver {
 public:
  /// @brief Binds now (port 514 needs root), receives after start().
  static result<std::unique_ptr<syslog_receiver>> create(boost::asio::any_io_executor ex,
                                                         const boost::asio::ip::udp::endpoint& at,
                                                         tracker& t);
  void start();
  void stop();
  boost::asio::ip::udp::endpoint local_endpoint() const;

  std::uint64_t accepted() const { return accepted_; }
  std::uint64_t refused() const { return refused_; }

 private:
  syslog_receiver(boost::asio::ip::udp::socket socket, tracker& t);
  void do_receive();
  void on_receive(const boost::system::error_code& ec, std::size_t n);

  boost::asio::ip::udp::socket socket_;
  tracker& tracker_;
  boost::asio::ip::udp::endpoint sender_;
  std::array<char, 4096> buffer_{};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace provstation
