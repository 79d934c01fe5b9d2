// SPDX-License-Identifier: Apache-2.0
#include <provstation/scanner/field.hpp>

#include "resolver.hpp"
#include "value_splitter.hpp"

#include <array>

namespace provstation::scanner {

std::string_view to_string(field_kind kind) {
  switch (kind) {
    case field_kind::mac:
      return "mac";
    case field_kind::mac_serial:
      return "mac_serial";
    case field_kind::serial:
      return "serial";
    case field_kind::model:
      return "model";
    case field_kind::version:
      return "version";
    case field_kind::combined:
      return "combined";
    case field_kind::ignored:
      return "ignored";
    case field_kind::unknown:
      break;
  }
  return "unknown";
}

result<field> classify(std::string_view value, const label_context& context) {
  if (value.size() > detail::max_value_bytes) {
    return make_error("scanned value is longer than " + std::to_string(detail::max_value_bytes) +
                      " bytes");
  }
  const std::array<std::string, 1> values{std::string(value)};
  const detail::resolution r = detail::resolve(values, context);
  if (!r.ok()) return make_error(r.message());
  const scanned_value& sv = r.fields.values.front();
  const detail::split_value split = detail::split_scanned_value(value);
  field out;
  out.symbology = sv.symbology;
  auto to_field = [&](const detail::part_outcome& p) {
    field f;
    f.kind = p.kind;
    f.value = p.value;
    f.symbology = sv.symbology;
    f.vendor = p.vendor;
    f.note = p.note;
    return f;
  };
  if (r.parts.empty()) {
    out.kind = field_kind::unknown;
    out.value = split.body;
    out.note = sv.note.empty() ? "empty value" : sv.note;
    return out;
  }
  if (r.parts.size() == 1 && sv.kind != field_kind::combined) return to_field(r.parts.front());
  out.kind = field_kind::combined;
  out.value = split.body;
  for (const auto& p : r.parts) out.parts.push_back(to_field(p));
  return out;
}

}  // namespace provstation::scanner
