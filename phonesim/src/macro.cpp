// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/macro.hpp>

#include <charconv>
#include <cstddef>

namespace provstation::phonesim {

namespace {

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// Parses a non-negative decimal number that fills `s` entirely.
std::optional<std::size_t> parse_index(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::size_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

void macro_env::set(std::string name, std::string value) {
  values_.insert_or_assign(std::move(name), std::move(value));
}

void macro_env::set_key_only(std::string name, std::string value) {
  key_only_.insert_or_assign(std::move(name), std::move(value));
}

void macro_env::erase(std::string_view name) {
  if (auto it = values_.find(name); it != values_.end()) values_.erase(it);
  if (auto it = key_only_.find(name); it != key_only_.end()) key_only_.erase(it);
}

std::optional<std::string_view> macro_env::find(std::string_view name, macro_scope scope) const {
  if (auto it = values_.find(name); it != values_.end()) return std::string_view(it->second);
  if (scope == macro_scope::key_argument) {
    if (auto it = key_only_.find(name); it != key_only_.end()) return std::string_view(it->second);
  }
  return std::nullopt;
}

std::string expand_macros(std::string_view text, const macro_env& env, macro_scope scope) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    const char next = text[i + 1];
    if (next == '$') {
      out.push_back('$');
      i += 2;
      continue;
    }
    if (next == '(') {
      // $(NAME), $(NAME:p) or $(NAME:p:q); anything malformed is copied as written.
      const std::size_t close = text.find(')', i + 2);
      if (close != std::string_view::npos) {
        const std::string_view inner = text.substr(i + 2, close - i - 2);
        std::string_view name = inner;
        std::optional<std::size_t> offset;
        std::optional<std::size_t> length;
        bool well_formed = true;
        if (const std::size_t c1 = inner.find(':'); c1 != std::string_view::npos) {
          name = inner.substr(0, c1);
          std::string_view rest = inner.substr(c1 + 1);
          const std::size_t c2 = rest.find(':');
          offset = parse_index(rest.substr(0, c2));
          well_formed = offset.has_value();
          if (c2 != std::string_view::npos) {
            length = parse_index(rest.substr(c2 + 1));
            well_formed = well_formed && length.has_value();
          }
        }
        const auto value = well_formed ? env.find(name, scope) : std::nullopt;
        if (value) {
          std::string_view v = *value;
          if (offset) v = *offset >= v.size() ? std::string_view() : v.substr(*offset);
          if (length) v = v.substr(0, *length);
          out.append(v);
          i = close + 1;
          continue;
        }
      }
      out.push_back('$');
      ++i;
      continue;
    }
    // $NAME: the longest known macro name at the start of the run of name characters.
    std::size_t end = i + 1;
    while (end < text.size() && is_name_char(text[end])) ++end;
    bool expanded = false;
    for (std::size_t len = end - i - 1; len > 0; --len) {
      if (auto value = env.find(text.substr(i + 1, len), scope)) {
        out.append(*value);
        i += 1 + len;
        expanded = true;
        break;
      }
    }
    if (!expanded) {
      out.push_back('$');
      ++i;
    }
  }
  return out;
}

}  // namespace provstation::phonesim
