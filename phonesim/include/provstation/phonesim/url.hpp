// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace provstation::phonesim {

/// @brief The transports a phone fetches profiles and firmware with.
enum class url_scheme { tftp, http, https };

/// @brief `tftp`, `http` or `https`.
std::string_view scheme_name(url_scheme scheme);

/// @brief A fully resolved rule URL.
struct resolved_url {
  url_scheme scheme = url_scheme::tftp;
  std::string host;  ///< Host name or IPv4 address, as written.
  std::uint16_t port = 69;
  std::string path = "/";  ///< Starts with '/', includes any query string.

  /// @brief `scheme://host:port/path` (the port always written, as the syslog templates do).
  std::string str() const;
};

/// @brief The default port of a scheme: tftp 69, http 80, https 443.
std::uint16_t default_port(url_scheme scheme);

/// @brief Resolves an expanded rule URL `[scheme://][server[:port]]/path`.
///
/// The scheme defaults to tftp. A URL without a server (it starts with '/', or has an empty
/// authority) uses `default_server`, the DHCP-provided provisioning server (option 66): a
/// host or `host:port` (then the URL's scheme, tftp unless given), or itself a URL, which is
/// then prefixed to the path (`http://p.example/prov` + `/spa504G.cfg`).
result<resolved_url> resolve_url(std::string_view url, std::string_view default_server);

}  // namespace provstation::phonesim
