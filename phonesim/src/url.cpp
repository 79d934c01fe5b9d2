// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/url.hpp>

#include <cctype>
#include <charconv>
#include <optional>

namespace provstation::phonesim {

namespace {

constexpr std::size_t max_url_bytes = 4096;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

result<url_scheme> parse_scheme(std::string_view s) {
  const std::string l = lower(s);
  if (l == "tftp") return url_scheme::tftp;
  if (l == "http") return url_scheme::http;
  if (l == "https") return url_scheme::https;
  return make_error("unsupported URL scheme '" + std::string(s) + "'");
}

struct authority {
  std::string host;
  std::optional<std::uint16_t> port;
};

result<authority> parse_authority(std::string_view s) {
  authority a;
  const std::size_t colon = s.rfind(':');
  std::string_view host = s;
  if (colon != std::string_view::npos) {
    host = s.substr(0, colon);
    const std::string_view port = s.substr(colon + 1);
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return make_error("invalid port '" + std::string(port) + "'");
    }
    a.port = static_cast<std::uint16_t>(value);
  }
  if (host.empty()) return make_error("empty server name");
  for (char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '_') {
      return make_error("invalid server name '" + std::string(host) + "'");
    }
  }
  a.host = std::string(host);
  return a;
}

// Splits "[scheme://]authority/path" into its parts; the authority may be empty.
struct url_parts {
  std::optional<url_scheme> scheme;
  std::string_view authority;
  std::string_view path;
};

result<url_parts> split(std::string_view s) {
  url_parts p;
  if (const std::size_t sep = s.find("://"); sep != std::string_view::npos) {
    auto scheme = parse_scheme(s.substr(0, sep));
    if (!scheme) return scheme.err();
    p.scheme = *scheme;
    s.remove_prefix(sep + 3);
  }
  const std::size_t slash = s.find_first_of("/?");
  p.authority = s.substr(0, slash);
  p.path = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  return p;
}

}  // namespace

std::string_view scheme_name(url_scheme scheme) {
  switch (scheme) {
    case url_scheme::tftp:
      return "tftp";
    case url_scheme::http:
      return "http";
    case url_scheme::https:
      return "https";
  }
  return "tftp";
}

std::uint16_t default_port(url_scheme scheme) {
  switch (scheme) {
    case url_scheme::tftp:
      return 69;
    case url_scheme::http:
      return 80;
    case url_scheme::https:
      return 443;
  }
  return 69;
}

std::string resolved_url::str() const {
  return std::string(scheme_name(scheme)) + "://" + host + ":" + std::to_string(port) + path;
}

result<resolved_url> resolve_url(std::string_view url_text, std::string_view default_server) {
  const std::string_view text = trim(url_text);
  if (text.empty()) return make_error("empty URL");
  if (text.size() > max_url_bytes) return make_error("URL is too long");
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) < 0x20) {
      return make_error("URL contains white space or control characters");
    }
  }
  auto parts = split(text);
  if (!parts) return parts.err();
  resolved_url out;
  std::string path(parts->path);
  if (path.empty()) path = "/";
  if (path.front() == '?') path.insert(0, "/");

  if (parts->authority.empty()) {
    // No server in the URL: the one from DHCP option 66, which may itself be a URL.
    const std::string_view server = trim(default_server);
    if (server.empty()) return make_error("URL names no server and DHCP gave none (option 66)");
    auto base = split(server);
    if (!base) return base.err();
    auto auth = parse_authority(base->authority);
    if (!auth) return auth.err();
    out.scheme = parts->scheme.value_or(base->scheme.value_or(url_scheme::tftp));
    if (!parts->scheme) {
      // Option 66 with a path (usually a URL) is a prefix: http://p.example/prov + /spa504G.cfg.
      std::string prefix(base->path);
      while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
      path = prefix + path;
    }
    out.host = auth->host;
    out.port = auth->port.value_or(default_port(out.scheme));
    out.path = path;
    return out;
  }
  auto auth = parse_authority(parts->authority);
  if (!auth) return auth.err();
  out.scheme = parts->scheme.value_or(url_scheme::tftp);
  out.host = auth->host;
  out.port = auth->port.value_or(default_port(out.scheme));
  out.path = path;
  return out;
}

}  // namespace provstation::phonesim
