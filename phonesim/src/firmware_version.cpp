// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/firmware_version.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>

namespace provstation::phonesim {

namespace {

constexpr std::size_t max_version_bytes = 64;
constexpr std::size_t min_numbers = 2;
constexpr std::size_t max_numbers = 4;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

}  // namespace

std::strong_ordering natural_compare(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      // Compare digit runs as numbers: skip leading zeros, then longer is larger.
      std::size_t ei = i;
      while (ei < a.size() && is_digit(a[ei])) ++ei;
      std::size_t ej = j;
      while (ej < b.size() && is_digit(b[ej])) ++ej;
      std::string_view ra = a.substr(i, ei - i);
      std::string_view rb = b.substr(j, ej - j);
      while (ra.size() > 1 && ra.front() == '0') ra.remove_prefix(1);
      while (rb.size() > 1 && rb.front() == '0') rb.remove_prefix(1);
      if (ra.size() != rb.size()) return ra.size() <=> rb.size();
      if (auto c = ra.compare(rb); c != 0) return c <=> 0;
      i = ei;
      j = ej;
      continue;
    }
    const char ca = lower(a[i]);
    const char cb = lower(b[j]);
    if (ca != cb) return ca <=> cb;
    ++i;
    ++j;
  }
  return (a.size() - i) <=> (b.size() - j);
}

result<firmware_version> firmware_version::parse(std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return make_error("empty version");
  if (s.size() > max_version_bytes) return make_error("version is too long");
  firmware_version v;
  std::size_t i = 0;
  while (true) {
    if (i >= s.size() || !is_digit(s[i])) return make_error("version must start with numbers");
    std::uint64_t n = 0;
    while (i < s.size() && is_digit(s[i])) {
      n = n * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (n > 0xffffffffULL) return make_error("version number is too large");
      ++i;
    }
    v.numbers_.push_back(static_cast<std::uint32_t>(n));
    if (i < s.size() && s[i] == '.' && v.numbers_.size() < max_numbers) {
      ++i;
      continue;
    }
    break;
  }
  if (v.numbers_.size() < min_numbers) return make_error("version needs at least two numbers");
  // A tail of letters and digits glued to the last number, like the "c" of 7.4.9c.
  const std::size_t tail_start = i;
  while (i < s.size() && (is_alnum(s[i]) || s[i] == '_' || s[i] == '-')) ++i;
  v.tail_ = std::string(s.substr(tail_start, i - tail_start));
  if (!v.tail_.empty() && is_digit(v.tail_.front())) return make_error("malformed version");
  if (i < s.size() && s[i] == '(') {
    const std::size_t close = s.find(')', i);
    if (close == std::string_view::npos) return make_error("version has an unclosed '('");
    v.build_ = std::string(s.substr(i + 1, close - i - 1));
    for (char c : v.build_) {
      if (!is_alnum(c) && c != '_' && c != '-' && c != '.') {
        return make_error("version build suffix has an invalid character");
      }
    }
    i = close + 1;
  }
  if (i != s.size()) return make_error("unexpected text after the version");
  return v;
}

std::string firmware_version::str() const {
  std::string out;
  for (std::size_t k = 0; k < numbers_.size(); ++k) {
    if (k != 0) out.push_back('.');
    out += std::to_string(numbers_[k]);
  }
  out += tail_;
  if (!build_.empty()) out += "(" + build_ + ")";
  return out;
}

std::strong_ordering firmware_version::operator<=>(const firmware_version& other) const {
  const std::size_t n = std::max(numbers_.size(), other.numbers_.size());
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t a = k < numbers_.size() ? numbers_[k] : 0;
    const std::uint32_t b = k < other.numbers_.size() ? other.numbers_[k] : 0;
    if (a != b) return a <=> b;
  }
  if (tail_.empty() != other.tail_.empty())
    return tail_.empty() ? std::strong_ordering::less : std::strong_ordering::greater;
  if (auto c = natural_compare(tail_, other.tail_); c != 0) return c;
  if (build_.empty() != other.build_.empty())
    return build_.empty() ? std::strong_ordering::less : std::strong_ordering::greater;
  return natural_compare(build_, other.build_);
}

}  // namespace provstation::phonesim
