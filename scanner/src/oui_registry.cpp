// SPDX-License-Identifier: Apache-2.0
#include <provstation/scanner/oui_registry.hpp>

#include "log.hpp"
#include "text.hpp"

#include <array>
#include <fstream>
#include <iterator>
#include <vector>

namespace provstation::scanner {

namespace {

// Splits one RFC 4180 record starting at `pos`; advances `pos` past its line end. Quoted fields
// may contain commas, doubled quotes and line breaks.
std::vector<std::string> next_record(std::string_view text, std::size_t& pos) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          fields.back().push_back('"');
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      fields.back().push_back(c);
    }
  }
  return fields;
}

std::uint64_t mac_value(const mac_address& mac) {
  std::uint64_t v = 0;
  for (std::uint8_t b : mac.bytes()) v = v << 8 | b;
  return v;
}

}  // namespace

result<std::size_t> oui_registry::add_csv(std::string_view csv_text) {
  if (csv_text.size() > max_file_bytes) return make_error("OUI registry file is too large");
  std::size_t pos = 0;
  const auto header = next_record(csv_text, pos);
  if (header.size() < 3 || !detail::iequals(detail::trim(header[0]), "Registry") ||
      !detail::iequals(detail::trim(header[1]), "Assignment")) {
    return make_error("not an IEEE registry CSV (expected a 'Registry,Assignment,…' header)");
  }
  std::size_t added = 0;
  while (pos < csv_text.size()) {
    const auto row = next_record(csv_text, pos);
    if (row.size() == 1 && detail::trim(row[0]).empty()) continue;
    if (row.size() < 3) {
      ++skipped_rows_;
      continue;
    }
    const std::string_view assignment = detail::trim(row[1]);
    unsigned bits = 0;
    if (assignment.size() == 6) {
      bits = 24;
    } else if (assignment.size() == 7) {
      bits = 28;
    } else if (assignment.size() == 9) {
      bits = 36;
    }
    if (bits == 0 || !detail::all_hex(assignment)) {
      ++skipped_rows_;
      continue;
    }
    std::uint64_t prefix = 0;
    for (char c : assignment) {
      prefix = prefix << 4 | static_cast<std::uint64_t>(detail::hex_value(c));
    }
    blocks_[key(prefix, bits)] = std::string(detail::trim(row[2]));
    ++added;
  }
  return added;
}

result<std::size_t> oui_registry::load_dir(const std::string& dir) {
  std::size_t added = 0;
  for (const char* name : {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"}) {
    const std::string path = dir + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    std::string text;
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    auto r = add_csv(text);
    if (!r) return make_error(path + ": " + r.message());
    added += *r;
  }
  return added;
}

std::optional<std::string_view> oui_registry::organization(const mac_address& mac) const {
  if (blocks_.empty()) return std::nullopt;
  const std::uint64_t v = mac_value(mac);
  for (unsigned bits : {36u, 28u, 24u}) {
    auto it = blocks_.find(key(v >> (48 - bits), bits));
    if (it != blocks_.end()) return std::string_view(it->second);
  }
  return std::nullopt;
}

const oui_registry& oui_registry::system() {
  static const oui_registry registry = [] {
    oui_registry r;
    auto loaded = r.load_dir(std::string(default_dir));
    if (!loaded) {
      detail::log()->warn("OUI registry not loaded: {}", loaded.message());
    } else if (*loaded == 0) {
      detail::log()->info(
          "no IEEE OUI registry in {} (install ieee-data); using the built-in "
          "vendor table only",
          default_dir);
    } else {
      detail::log()->debug("loaded {} OUI registry entries from {}", *loaded, default_dir);
    }
    return r;
  }();
  return registry;
}

const oui_registry& oui_registry::none() {
  static const oui_registry empty;
  return empty;
}

}  // namespace provstation::scanner
