// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>
#include <provstation/tftpd/server.hpp>

#include <boost/asio/ip/udp.hpp>

#include <string>
#include <string_view>

namespace provstation::tftpd {

/// @brief Settings of `provstation tftpd`: a plain directory served by the same engine.
struct standalone_options {
  std::string root;                           ///< Directory to serve (read-only).
  boost::asio::ip::udp::endpoint listen{boost::asio::ip::address_v4::any(), 69};  ///< Request socket.
  bool case_insensitive = false;              ///< Look names up ignoring ASCII case.
  server_options server;                      ///< Engine settings; `server.listen` is ignored.
  std::string user;                           ///< Drop to this user after binding (empty: stay).
  std::string log_level;                      ///< spdlog level for "tftpd"; empty: leave as is.
};

/// @brief Serves `options.root` until SIGINT or SIGTERM, logging one line per transfer at info.
/// @return 0 after a clean shutdown, 1 when the server cannot start, 2 on bad options.
int run_standalone(const standalone_options& options);

/// @brief Parses "ADDR:PORT", "[V6ADDR]:PORT", "ADDR" (port 69) or ":PORT" (all IPv4 addresses).
result<boost::asio::ip::udp::endpoint> parse_endpoint(std::string_view text);

}  // namespace provstation::tftpd
