// SPDX-License-Identifier: Apache-2.0
#include <provstation/template.hpp>

#include <fmt/format.h>

namespace provstation {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

result<std::string> render_template(std::string_view text, const template_values& values) {
  constexpr std::size_t max_template_bytes = 1024 * 1024;
  constexpr std::size_t max_name_bytes = 64;
  if (text.size() > max_template_bytes) return make_error("template is larger than 1 MiB");
  std::string out;
  out.reserve(text.size() + 256);
  std::size_t i = 0;
  std::size_t line = 1;
  while (i < text.size()) {
    const auto open = text.find("{{", i);
    const auto chunk = text.substr(i, open == std::string_view::npos ? text.npos : open - i);
    for (char c : chunk) line += c == '\n' ? 1 : 0;
    out.append(chunk);
    if (open == std::string_view::npos) break;
    const auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return make_error(fmt::format("line {}: \"{{{{\" without \"}}}}\"", line));
    }
    std::string_view name = text.substr(open + 2, close - open - 2);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    bool valid = !name.empty() && name.size() <= max_name_bytes;
    for (char c : name) {
      valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.');
    }
    if (!valid) {
      return make_error(
          fmt::format("line {}: malformed placeholder \"{}\"", line,
                      text.substr(open, std::min<std::size_t>(close + 2 - open, 80))));
    }
    auto it = values.find(name);
    if (it == values.end()) {
      return make_error(fmt::format("line {}: unknown placeholder {{{{{}}}}}", line, name));
    }
    out += xml_escape(it->second);
    i = close + 2;
  }
  return out;
}

}  // namespace provstation
