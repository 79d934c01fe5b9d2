// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/scanner/field.hpp>
#include <provstation/scanner/scan_text.hpp>

#include <span>
#include <string>
#include <vector>

namespace provstation::scanner::detail {

/// How one part of one scanned value was read.
struct part_outcome {
  std::size_t value_index = 0;
  field_kind kind = field_kind::unknown;
  std::string value;
  std::string vendor;
  std::string note;
};

/// Everything learnt from a set of scanned values.
struct resolution {
  scan_fields fields;
  std::vector<part_outcome> parts;
  /// Malformed prefixed values (`MAC: 123`), each naming its value.
  std::vector<std::string> malformed;
  /// Conflicts between values (two MACs, a third value, serial ≠ MAC for Polycom).
  std::vector<std::string> conflicts;
  /// Values that fit two readings and that the other values do not decide.
  std::vector<std::string> ambiguous;

  bool ok() const { return malformed.empty() && conflicts.empty() && ambiguous.empty(); }
  /// All problems, one sentence each, joined with "; ".
  std::string message() const;
};

/// Reads the values of one scan together: the label's model first (it decides which serial forms
/// apply), then every value, then the values that fit two readings by elimination.
resolution resolve(std::span<const std::string> values, const label_context& context);

}  // namespace provstation::scanner::detail
