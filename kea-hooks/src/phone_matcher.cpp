// SPDX-License-Identifier: Apache-2.0
#include "phone_matcher.hpp"

#include <algorithm>

namespace provstation::kea {

namespace {

// Option 60 is at most 255 bytes, so a longer pattern could never match.
constexpr std::size_t max_pattern_bytes = 255;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with(std::span<const std::uint8_t> data, const vendor_pattern& p) {
  if (data.size() < p.prefix.size()) return false;
  for (std::size_t i = 0; i < p.prefix.size(); ++i) {
    const char a = static_cast<char>(data[i]);
    const char b = p.prefix[i];
    if (p.ignore_case ? lower(a) != lower(b) : a != b) return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string_view>& phone_matcher::default_patterns() {
  static const std::vector<std::string_view> defaults = {"Cisco SPA", "Linksys SPA"};
  return defaults;
}

result<vendor_pattern> phone_matcher::parse_pattern(std::string_view text) {
  if (text.empty()) return make_error("is empty");
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    const std::string_view digits = text.substr(2);
    if (digits.size() % 2 != 0) return make_error("has an odd number of hex digits");
    vendor_pattern p;
    p.ignore_case = false;
    p.text = std::string(text);
    for (std::size_t i = 0; i < digits.size(); i += 2) {
      const int hi = hex_digit(digits[i]);
      const int lo = hex_digit(digits[i + 1]);
      if (hi < 0 || lo < 0) return make_error("is not valid hex after '0x'");
      p.prefix.push_back(static_cast<char>((hi << 4) | lo));
    }
    if (p.prefix.size() > max_pattern_bytes) return make_error("is longer than 255 bytes");
    return p;
  }
  if (text.size() > max_pattern_bytes) return make_error("is longer than 255 bytes");
  return vendor_pattern{std::string(text), true, std::string(text)};
}

result<std::uint32_t> phone_matcher::parse_oui(std::string_view text) {
  std::uint32_t value = 0;
  std::size_t digits = 0;
  char sep = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const int v = hex_digit(c);
    if (v >= 0) {
      if (++digits > 6) return make_error("must be three bytes, like \"00:04:f2\"");
      value = (value << 4) | static_cast<std::uint32_t>(v);
      continue;
    }
    // Separators are allowed only between whole bytes, and only one kind of them.
    const bool separator = c == ':' || c == '-' || c == '.';
    if (!separator || digits % 2 != 0 || digits == 0 || (sep != 0 && sep != c)) {
      return make_error("must be three bytes, like \"00:04:f2\"");
    }
    sep = c;
  }
  if (digits != 6 || (!text.empty() && hex_digit(text.back()) < 0)) {
    return make_error("must be three bytes, like \"00:04:f2\"");
  }
  return value;
}

phone_matcher::phone_matcher(std::vector<vendor_pattern> patterns, std::vector<std::uint32_t> ouis)
    : patterns_(std::move(patterns)), ouis_(std::move(ouis)) {
  std::sort(ouis_.begin(), ouis_.end());
  ouis_.erase(std::unique(ouis_.begin(), ouis_.end()), ouis_.end());
}

match_kind phone_matcher::match(std::span<const std::uint8_t> vendor_class,
                                std::span<const std::uint8_t> hwaddr) const {
  if (!vendor_class.empty()) {
    for (const vendor_pattern& p : patterns_) {
      if (starts_with(vendor_class, p)) return match_kind::vendor_class;
    }
  }
  if (hwaddr.size() == 6 && !ouis_.empty()) {
    const std::uint32_t oui = (std::uint32_t{hwaddr[0]} << 16) | (std::uint32_t{hwaddr[1]} << 8) |
                              std::uint32_t{hwaddr[2]};
    if (std::binary_search(ouis_.begin(), ouis_.end(), oui)) return match_kind::oui;
  }
  return match_kind::none;
}

}  // namespace provstation::kea
