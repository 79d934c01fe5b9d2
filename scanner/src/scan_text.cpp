// SPDX-License-Identifier: Apache-2.0
#include <provstation/scanner/scan_text.hpp>

#include "resolver.hpp"

namespace provstation::scanner {

result<scan_fields> parse_scan_values(std::span<const std::string> values,
                                      const label_context& context) {
  if (values.size() > max_scan_values) {
    return make_error("a scan may hold at most " + std::to_string(max_scan_values) + " values");
  }
  detail::resolution r = detail::resolve(values, context);
  if (!r.ok()) return make_error(r.message());
  return std::move(r.fields);
}

result<scan_fields> parse_scan_text(std::string_view text, const label_context& context) {
  if (text.size() > max_scan_text_bytes) {
    return make_error("scan text is longer than " + std::to_string(max_scan_text_bytes) + " bytes");
  }
  // A keyboard-wedge scanner ends each value with CR, LF, CRLF or TAB.
  std::vector<std::string> values;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\r' && text[i] != '\n' && text[i] != '\t') continue;
    std::string_view line = text.substr(start, i - start);
    start = i + 1;
    bool blank = true;
    for (char c : line) blank = blank && (c == ' ');
    if (blank) continue;
    if (values.size() == max_scan_values) {
      return make_error("a scan may hold at most " + std::to_string(max_scan_values) + " values");
    }
    values.emplace_back(line);
  }
  return parse_scan_values(values, context);
}

}  // namespace provstation::scanner
