// SPDX-License-Identifier: Apache-2.0
#include <provstation/user_agent.hpp>

#include <provstation/mac.hpp>

#include <algorithm>
#include <cctype>

namespace provstation {

namespace {

bool word_chars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

std::optional<user_agent_info> parse_user_agent(std::string_view ua) {
  if (ua.size() > 256) return std::nullopt;
  user_agent_info out;
  const auto slash = ua.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  out.vendor = std::string(ua.substr(0, slash));
  if (out.vendor != "Cisco" && out.vendor != "Linksys") return std::nullopt;
  std::string_view rest = ua.substr(slash + 1);
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view product = rest.substr(0, space);
  std::string_view groups = rest.substr(space + 1);
  // "<PN>-<SWVER>": the version follows the last dash that is followed by a digit.
  std::size_t dash = std::string_view::npos;
  for (std::size_t i = product.size(); i-- > 0;) {
    if (product[i] == '-' && i + 1 < product.size() &&
        std::isdigit(static_cast<unsigned char>(product[i + 1]))) {
      dash = i;
      break;
    }
  }
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  for (char c : product.substr(0, dash)) {
    if (c != '-')
      out.model.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  out.version = std::string(product.substr(dash + 1));
  if (!word_chars(out.model) || out.version.empty() || out.version.size() > 32) return std::nullopt;
  // One or two parenthesised groups, no space between them: (MAC)(SERIAL) or (SERIAL).
  std::string_view g1;
  std::string_view g2;
  if (groups.empty() || groups.front() != '(') return std::nullopt;
  auto close = groups.find(')');
  if (close == std::string_view::npos) return std::nullopt;
  g1 = groups.substr(1, close - 1);
  groups.remove_prefix(close + 1);
  if (!groups.empty()) {
    if (groups.front() != '(') return std::nullopt;
    close = groups.find(')');
    if (close == std::string_view::npos || close + 1 != groups.size()) return std::nullopt;
    g2 = groups.substr(1, close - 1);
  }
  if (!g2.empty()) {
    auto mac = mac_address::parse(g1);
    if (!mac || g1.size() != 12 || !word_chars(g2)) return std::nullopt;
    out.mac = mac->str();
    out.serial = std::string(g2);
  } else {
    if (!word_chars(g1)) return std::nullopt;
    out.serial = std::string(g1);
  }
  if (out.serial.size() > 32) return std::nullopt;
  return out;
}

}  // namespace provstation
