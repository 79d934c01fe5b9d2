// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace provstation {

/// @brief A 48-bit MAC address. Inside the station its one canonical text form is 12 lower-case
/// hex digits (`0023ab000001`); `parse()` is the one parser for every input form.
class mac_address {
 public:
  mac_address() = default;
  explicit mac_address(const std::array<std::uint8_t, 6>& bytes) : bytes_(bytes) {}

  /// @brief Parses `0023ab000001`, `00:23:AB:00:00:01`, `00-23-ab-00-00-01`, `0023.ab00.0001`,
  /// `0023ab-000001`, optionally behind a `MAC`, `MAC:`, `MAC ID`, `MAC Address` or `HW` prefix.
  /// Case and surrounding white space are ignored; anything else is an error.
  static result<mac_address> parse(std::string_view text);

  const std::array<std::uint8_t, 6>& bytes() const { return bytes_; }
  /// @brief The canonical form: 12 lower-case hex digits.
  std::string str() const { return format(false, 0); }
  /// @brief 12 upper-case hex digits (`$MAU`, the export default).
  std::string upper() const { return format(true, 0); }
  /// @brief Lower-case with colons (`$MAC`).
  std::string colon() const { return format(false, ':'); }
  /// @brief The first three bytes as 6 upper-case hex digits (the OUI).
  std::string oui() const { return format(true, 0).substr(0, 6); }

  auto operator<=>(const mac_address&) const = default;

 private:
  std::string format(bool upper_case, char sep) const {
    static constexpr char lower_digits[] = "0123456789abcdef";
    static constexpr char upper_digits[] = "0123456789ABCDEF";
    const char* digits = upper_case ? upper_digits : lower_digits;
    std::string out;
    out.reserve(17);
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
      if (sep != 0 && i != 0) out.push_back(sep);
      out.push_back(digits[bytes_[i] >> 4]);
      out.push_back(digits[bytes_[i] & 0x0f]);
    }
    return out;
  }

  std::array<std::uint8_t, 6> bytes_{};
};

namespace detail {

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = text[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != prefix[i]) return false;
  }
  return true;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace detail

inline result<mac_address> mac_address::parse(std::string_view text) {
  constexpr std::size_t max_input_bytes = 64;
  if (text.size() > max_input_bytes) return make_error("MAC address text is too long");
  std::string_view s = detail::trim(text);
  // Labels and operators write a prefix in front of the value; strip the longest one that fits.
  static constexpr std::string_view prefixes[] = {"mac address", "mac addr", "mac id", "macid",
                                                  "mac",         "hw addr",  "hwaddr", "hw"};
  for (std::string_view p : prefixes) {
    if (detail::iequals_prefix(s, p)) {
      std::string_view rest = s.substr(p.size());
      // A prefix must be followed by a separator, so "MACE..." is not read as "MAC" + "E...".
      if (!rest.empty() && (rest.front() == ':' || rest.front() == ' ' || rest.front() == '=' ||
                            rest.front() == '#' || rest.front() == '\t')) {
        s = rest;
        while (!s.empty() && (s.front() == ':' || s.front() == ' ' || s.front() == '=' ||
                              s.front() == '#' || s.front() == '\t')) {
          s.remove_prefix(1);
        }
        break;
      }
    }
  }
  s = detail::trim(s);
  if (s.empty()) return make_error("empty MAC address");

  // Split into groups of hex digits at separators; the grouping must be a known one.
  char sep = 0;
  std::array<std::size_t, 12> groups{};
  std::size_t group_count = 0;
  std::size_t current = 0;
  std::array<std::uint8_t, 12> nibbles{};
  std::size_t n = 0;
  for (char c : s) {
    int v = detail::hex_value(c);
    if (v >= 0) {
      if (n == nibbles.size()) return make_error("MAC address has more than 12 hex digits");
      nibbles[n++] = static_cast<std::uint8_t>(v);
      ++current;
      continue;
    }
    if (c != ':' && c != '-' && c != '.' && c != ' ') {
      return make_error("MAC address contains an invalid character");
    }
    if (sep == 0) sep = c;
    if (c != sep) return make_error("MAC address mixes separators");
    if (current == 0 || group_count + 1 >= groups.size()) {
      return make_error("MAC address has misplaced separators");
    }
    groups[group_count++] = current;
    current = 0;
  }
  if (n != 12) return make_error("MAC address must have 12 hex digits");
  if (sep != 0) {
    if (current == 0) return make_error("MAC address ends with a separator");
    groups[group_count++] = current;
    const std::size_t size = groups[0];
    bool even = (group_count == 6 && size == 2) || (group_count == 3 && size == 4) ||
                (group_count == 2 && size == 6);
    for (std::size_t i = 0; even && i < group_count; ++i) even = groups[i] == size;
    if (!even) return make_error("MAC address has an unusual grouping of digits");
  }
  std::array<std::uint8_t, 6> bytes{};
  for (std::size_t i = 0; i < 6; ++i) {
    bytes[i] = static_cast<std::uint8_t>((nibbles[2 * i] << 4) | nibbles[2 * i + 1]);
  }
  return mac_address(bytes);
}

}  // namespace provstation
