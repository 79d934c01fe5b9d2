// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::phonesim {

/// @brief A firmware version as SPA rules compare them: `7.4.9c`, `7.5.5`, `1.0.31(b)`,
/// `2.0.3(0412s)`.
///
/// Grammar: 2 to 4 dot-separated decimal numbers, an optional tail of letters/digits glued to
/// the last number (`c` in `7.4.9c`), and an optional `(build)` suffix.
/// Ordering (our definition; the guides only say "version numbers support all operators"):
/// 1. the numbers, numerically, missing components counting as 0 (`7.5` == `7.5.0`);
/// 2. the tail: none < any (`7.4.9` < `7.4.9a` < `7.4.9c` < `7.4.10`), then a natural
///    comparison (runs of digits numerically, letters case-insensitively);
/// 3. the build suffix: none < any, then the same natural comparison.
class firmware_version {
 public:
  /// @brief Parses a version literal (surrounding white space is ignored).
  static result<firmware_version> parse(std::string_view text);

  /// @brief The version as parsed, in canonical form (e.g. `7.4.9c`, `1.0.31(b)`).
  std::string str() const;

  /// @brief The ordering described above.
  std::strong_ordering operator<=>(const firmware_version& other) const;
  bool operator==(const firmware_version& other) const {
    return (*this <=> other) == std::strong_ordering::equal;
  }

 private:
  std::vector<std::uint32_t> numbers_;
  std::string tail_;
  std::string build_;
};

/// @brief Natural, case-insensitive comparison: runs of digits compare as numbers.
std::strong_ordering natural_compare(std::string_view a, std::string_view b);

}  // namespace provstation::phonesim
