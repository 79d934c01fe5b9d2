// SPDX-License-Identifier: Apache-2.0
#pragma once

// ASCII text helpers shared by the station's parsers and renderers (header-only).

#include <algorithm>
#include <string>
#include <string_view>

namespace provstation {

/// @brief ASCII lower case of one character.
constexpr char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

/// @brief ASCII upper case of `s`.
inline std::string to_upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c); });
  return s;
}

/// @brief ASCII lower case of `s`.
inline std::string to_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return s;
}

/// @brief Equal ignoring ASCII case.
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return to_lower(x) == to_lower(y);
         });
}

/// @brief `needle` occurs in `hay`, ignoring ASCII case.
inline bool icontains(std::string_view hay, std::string_view needle) {
  return to_lower(std::string(hay)).find(to_lower(std::string(needle))) != std::string::npos;
}

/// @brief `s` starts with `prefix`, ignoring ASCII case.
inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace provstation
