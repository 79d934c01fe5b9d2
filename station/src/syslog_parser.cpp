// SPDX-License-Identifier: Apache-2.0
#include <provstation/syslog_parser.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace provstation {

namespace {

struct marker {
  std::string_view text;
  evidence_kind kind;
  bool has_url;
};

constexpr std::array<marker, 6> markers{{
    {"Requesting resync ", evidence_kind::resync_requested, true},
    {"Successful resync ", evidence_kind::resync_succeeded, true},
    {"Resync failed:", evidence_kind::resync_failed, false},
    {"Requesting upgrade ", evidence_kind::upgrade_requested, true},
    {"Successful upgrade ", evidence_kind::upgrade_succeeded, true},
    {"Upgrade failed:", evidence_kind::upgrade_failed, false},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n' || s.back() == '\0')) {
    s.remove_suffix(1);
  }
  return s;
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 || c == '\t';
  });
}

std::string_view token_before(std::string_view s, std::size_t end) {
  std::size_t b = end;
  while (b > 0 && s[b - 1] != ' ') --b;
  return s.substr(b, end - b);
}

}  // namespace

result<syslog_report> parse_syslog(std::span<const std::byte> datagram) {
  if (datagram.size() > max_syslog_bytes) return make_error("syslog datagram too long");
  std::string line(reinterpret_cast<const char*>(datagram.data()), datagram.size());
  // The en dash some firmware (and manuals) print instead of "--".
  for (std::size_t p; (p = line.find("\xE2\x80\x93")) != std::string::npos;)
    line.replace(p, 3, "--");
  std::string_view s = trim(line);
  if (s.empty()) return make_error("empty syslog datagram");
  if (!printable(s)) return make_error("syslog datagram has control characters");
  // An RFC 3164/5424 priority "<134>" in front is not part of the message.
  if (s.front() == '<') {
    const auto close = s.find('>');
    if (close != std::string_view::npos && close <= 4) s.remove_prefix(close + 1);
  }

  // "<PN> <MAC> -- <event>": find the separator, then the two tokens before it.
  const auto sep = s.find(" -- ");
  if (sep == std::string_view::npos) return make_error("not an SPA provisioning message");
  const std::string_view mac_text = token_before(s, sep);
  const std::size_t mac_start = sep - mac_text.size();
  if (mac_start < 2) return make_error("no product name before the MAC");
  const std::string_view product = token_before(s, mac_start - 1);
  auto mac = mac_address::parse(mac_text);
  if (!mac) return make_error(fmt::format("bad MAC in syslog line: {}", mac.message()));
  if (product.empty() || product.size() > 32) return make_error("bad product name");

  std::string_view rest = s.substr(sep + 4);
  syslog_report r;
  r.product = std::string(product);
  r.mac = *mac;
  // The station's own trailer, if the phone uses the seed's templates.
  if (const auto open = rest.rfind(" [ps "); open != std::string_view::npos && rest.back() == ']') {
    std::string_view trailer = rest.substr(open + 5, rest.size() - open - 6);
    rest = trim(rest.substr(0, open));
    while (!trailer.empty()) {
      const auto space = trailer.find(' ');
      const auto kv = trailer.substr(0, space);
      const auto eq = kv.find('=');
      if (eq != std::string_view::npos) {
        const auto key = kv.substr(0, eq);
        const auto value = kv.substr(eq + 1);
        const bool unexpanded = !value.empty() && value.front() == '$';
        if (key == "sn" && !unexpanded && value.size() <= 64) r.serial = std::string(value);
        if (key == "fw" && !unexpanded && value.size() <= 64) r.version = std::string(value);
        if (key == "ma" && !unexpanded) {
          auto m = mac_address::parse(value);
          if (!m || *m != r.mac) return make_error("the trailer names another MAC");
        }
      }
      if (space == std::string_view::npos) break;
      trailer.remove_prefix(space + 1);
    }
  }
  for (const auto& m : markers) {
    if (!rest.starts_with(m.text)) continue;
    r.kind = m.kind;
    std::string_view body = trim(rest.substr(m.text.size()));
    if (m.has_url) {
      const auto dashes = body.find(" -- ");
      r.url = std::string(trim(body.substr(0, dashes)));
      if (dashes != std::string_view::npos) r.err = std::string(trim(body.substr(dashes + 4)));
      if (r.url.empty()) return make_error("no URL in the syslog line");
    } else {
      r.err = std::string(body);
    }
    if (r.url.size() > 512 || r.err.size() > 256) return make_error("syslog field too long");
    return r;
  }
  return make_error("unknown SPA provisioning event");
}

}  // namespace provstation
