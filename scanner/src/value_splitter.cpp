// SPDX-License-Identifier: Apache-2.0
#include "value_splitter.hpp"

#include "text.hpp"

#include <optional>

namespace provstation::scanner::detail {

namespace {

struct key_name {
  std::string_view text;  // upper case; a space matches one or more blanks
  key_kind kind;
};

// Prefixes printed on phone labels and typed by operators. "HW" alone is left out: it is too
// likely to appear inside a model text ("… HW 2").
constexpr key_name keys[] = {
    {"MAC ADDRESS", key_kind::mac},
    {"MAC ADDR", key_kind::mac},
    {"MAC ID", key_kind::mac},
    {"MACID", key_kind::mac},
    {"MAC", key_kind::mac},
    {"HWADDR", key_kind::mac},
    {"HW ADDR", key_kind::mac},
    {"SERIAL NUMBER", key_kind::serial},
    {"SERIAL NO", key_kind::serial},
    {"SERIAL", key_kind::serial},
    {"SER NO", key_kind::serial},
    {"SER", key_kind::serial},
    {"S/N", key_kind::serial},
    {"SN", key_kind::serial},
    {"MODEL NUMBER", key_kind::model},
    {"MODEL NO", key_kind::model},
    {"MODEL", key_kind::model},
    {"PID", key_kind::model},
    {"P/N", key_kind::model},
    {"PN", key_kind::model},
    {"PART NUMBER", key_kind::model},
    {"PART NO", key_kind::model},
    {"M/N", key_kind::model},
    {"VID", key_kind::version},
    {"HW VERSION", key_kind::version},
    {"HW VER", key_kind::version},
    {"VERSION", key_kind::version},
};

constexpr bool is_key_end(char c) {
  return c == ':' || c == '=' || c == '#' || is_space(c);
}
constexpr bool is_key_separator(char c) {
  return c == ':' || c == '=' || c == '#' || is_space(c);
}

// Matches one key name at the start of `s`. Returns the number of bytes of `s` the key spans
// (without what follows it), or 0.
std::size_t match_key_name(std::string_view s, std::string_view name) {
  std::size_t i = 0;
  for (char n : name) {
    if (n == ' ') {
      if (i >= s.size() || !is_space(s[i])) return 0;
      while (i < s.size() && is_space(s[i])) ++i;
      continue;
    }
    if (i >= s.size() || to_upper(s[i]) != n) return 0;
    ++i;
  }
  return i;
}

struct key_match {
  key_kind kind;
  std::string_view name;
  std::size_t consumed;  // key, optional '.', and the separators after it
};

// A key at the start of `s` must end the word: "SNOM 320" and "SN12345" are not keyed.
std::optional<key_match> match_key(std::string_view s) {
  std::optional<key_match> best;
  for (const auto& k : keys) {
    std::size_t n = match_key_name(s, k.text);
    if (n == 0) continue;
    std::size_t end = n;
    if (end < s.size() && s[end] == '.') ++end;
    if (end < s.size() && !is_key_end(s[end])) continue;
    if (!best || n > best->consumed) best = key_match{k.kind, k.text, end};
  }
  if (!best) return std::nullopt;
  while (best->consumed < s.size() && is_key_separator(s[best->consumed])) ++best->consumed;
  return best;
}

// Splits a segment that starts with a key into keyed parts; a new key may start at any word.
std::vector<value_part> split_keyed(std::string_view seg) {
  std::vector<value_part> parts;
  std::size_t pos = 0;
  while (pos < seg.size()) {
    auto k = match_key(seg.substr(pos));
    if (!k) break;
    const std::size_t value_start = pos + k->consumed;
    std::size_t value_end = seg.size();
    std::size_t next = seg.size();
    // The value runs to the next word that is itself a key.
    for (std::size_t i = value_start; i < seg.size(); ++i) {
      if (i > value_start && is_space(seg[i - 1]) && !is_space(seg[i]) &&
          match_key(seg.substr(i))) {
        value_end = i;
        next = i;
        break;
      }
    }
    parts.push_back({k->kind, std::string(trim(seg.substr(value_start, value_end - value_start))),
                     std::string(k->name)});
    pos = next;
  }
  return parts;
}

struct gs1_ai {
  std::string_view ai;
  std::size_t length;  // fixed length, or maximum for variable ones
  bool fixed;
  key_kind kind;
  std::string_view label;
};

// The application identifiers a phone box may carry; anything else makes the value unknown.
constexpr gs1_ai gs1_ais[] = {
    {"00", 18, true, key_kind::ignored, "SSCC"},
    {"01", 14, true, key_kind::ignored, "GTIN"},
    {"02", 14, true, key_kind::ignored, "GTIN of contained items"},
    {"10", 20, false, key_kind::ignored, "batch/lot"},
    {"11", 6, true, key_kind::ignored, "production date"},
    {"13", 6, true, key_kind::ignored, "packaging date"},
    {"15", 6, true, key_kind::ignored, "best before date"},
    {"17", 6, true, key_kind::ignored, "expiry date"},
    {"21", 20, false, key_kind::serial, "GS1 AI 21 (serial)"},
    {"240", 30, false, key_kind::model, "GS1 AI 240 (product id)"},
    {"241", 30, false, key_kind::ignored, "customer part number"},
    {"250", 30, false, key_kind::ignored, "secondary serial"},
    {"30", 8, false, key_kind::ignored, "count"},
    {"37", 8, false, key_kind::ignored, "count"},
};

const gs1_ai* find_ai(std::string_view s) {
  for (const auto& a : gs1_ais) {
    if (s.substr(0, a.ai.size()) == a.ai) {
      // A two-digit AI must not be the prefix of a three-digit one we know ("24" vs "240").
      return &a;
    }
  }
  return nullptr;
}

// Parses a GS1 element string: AIs with FNC1 (GS) after variable-length fields, or the
// human-readable form "(01)…(21)…".
std::optional<std::vector<value_part>> parse_gs1(std::string_view s, std::string& problem) {
  std::vector<value_part> parts;
  if (!s.empty() && s.front() == '(') {
    while (!s.empty()) {
      if (s.front() != '(') {
        problem = "GS1 text in parentheses form is malformed";
        return std::nullopt;
      }
      const auto close = s.find(')');
      if (close == std::string_view::npos) {
        problem = "GS1 text in parentheses form is malformed";
        return std::nullopt;
      }
      const std::string_view ai = s.substr(1, close - 1);
      s.remove_prefix(close + 1);
      const auto next = s.find('(');
      const std::string_view data = s.substr(0, next);
      s.remove_prefix(next == std::string_view::npos ? s.size() : next);
      const gs1_ai* a = find_ai(ai);
      if (a == nullptr || a->ai != ai) {
        problem = "unsupported GS1 application identifier (" + printable(ai) + ")";
        return std::nullopt;
      }
      if (data.empty() || data.size() > a->length || (a->fixed && data.size() != a->length)) {
        problem = "GS1 field (" + std::string(a->ai) + ") has the wrong length";
        return std::nullopt;
      }
      parts.push_back({a->kind, std::string(data), std::string(a->label)});
    }
    return parts;
  }
  while (!s.empty() && s.front() == gs) s.remove_prefix(1);
  while (!s.empty()) {
    const gs1_ai* a = find_ai(s);
    if (a == nullptr) {
      problem = "unsupported GS1 application identifier at '" + printable(s.substr(0, 4)) + "'";
      return std::nullopt;
    }
    s.remove_prefix(a->ai.size());
    std::string_view data;
    if (a->fixed) {
      if (s.size() < a->length) {
        problem = "GS1 field (" + std::string(a->ai) + ") is cut short";
        return std::nullopt;
      }
      data = s.substr(0, a->length);
      s.remove_prefix(a->length);
    } else {
      const auto end = s.find(gs);
      data = s.substr(0, end);
      s.remove_prefix(end == std::string_view::npos ? s.size() : end);
      if (data.empty() || data.size() > a->length) {
        problem = "GS1 field (" + std::string(a->ai) + ") has the wrong length";
        return std::nullopt;
      }
    }
    parts.push_back({a->kind, std::string(data), std::string(a->label)});
    while (!s.empty() && s.front() == gs) s.remove_prefix(1);
  }
  return parts;
}

// Parses an ISO/IEC 15434 envelope, "[)>" RS, then format envelopes "06" GS field GS … RS, as
// 2-D codes on shipping labels carry them. Format 06 fields start with an ASC MH10 data
// identifier (digits + one letter); format 05 holds GS1 element strings.
std::optional<std::vector<value_part>> parse_iso15434(std::string_view s, std::string& problem) {
  std::vector<value_part> parts;
  s.remove_prefix(4);
  while (!s.empty()) {
    const auto end = s.find(rs);
    std::string_view envelope = s.substr(0, end);
    s.remove_prefix(end == std::string_view::npos ? s.size() : end + 1);
    if (envelope.empty()) continue;
    const std::string_view format = envelope.substr(0, 2);
    envelope.remove_prefix(format.size());
    if (format == "05") {
      auto gs1 = parse_gs1(envelope, problem);
      if (!gs1) return std::nullopt;
      for (auto& p : *gs1) parts.push_back(std::move(p));
      continue;
    }
    if (format != "06") {
      problem = "unsupported ISO/IEC 15434 format '" + printable(format) + "'";
      return std::nullopt;
    }
    while (!envelope.empty()) {
      const auto next = envelope.find(gs);
      const std::string_view field = envelope.substr(0, next);
      envelope.remove_prefix(next == std::string_view::npos ? envelope.size() : next + 1);
      if (field.empty()) continue;
      std::size_t n = 0;
      while (n < field.size() && n < 3 && is_digit(field[n])) ++n;
      if (n >= field.size() || !is_upper(field[n])) {
        problem = "ISO/IEC 15434 field without a data identifier";
        return std::nullopt;
      }
      const std::string_view di = field.substr(0, n + 1);
      const std::string_view data = field.substr(n + 1);
      key_kind kind = key_kind::ignored;
      if (di == "S") {
        kind = key_kind::serial;
      } else if (di == "P" || di == "1P") {
        kind = key_kind::model;
      }
      parts.push_back({kind, std::string(data), "data identifier " + std::string(di)});
    }
  }
  return parts;
}

bool is_segment_separator(char c) {
  return c == ';' || c == ',' || c == '|' || c == gs || c == rs || c == '\t' || c == '\r' ||
         c == '\n';
}

}  // namespace

bool is_ean_upc_symbology(std::string_view symbology) {
  return symbology.size() == 3 && symbology[1] == 'E';
}

bool is_gs1_symbology(std::string_view symbology) {
  return symbology == "]C1" || symbology == "]d2" || symbology == "]Q3" || symbology == "]e0" ||
         symbology == "]J1";
}

split_value split_scanned_value(std::string_view raw) {
  split_value out;
  if (raw.size() > max_value_bytes) {
    out.problem = "longer than " + std::to_string(max_value_bytes) + " bytes";
    return out;
  }
  std::string_view s = trim(raw);
  // An AIM symbology identifier is "]" + code character + modifier character.
  if (s.size() >= 3 && s[0] == ']' && is_alpha(s[1]) && is_alnum(s[2])) {
    out.symbology = std::string(s.substr(0, 3));
    s = trim(s.substr(3));
  }
  // ISO/IEC 15434 envelopes end with RS EOT; drop a trailing EOT so it does not count as data.
  while (!s.empty() && s.back() == eot) s.remove_suffix(1);
  out.body = std::string(s);
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != gs && c != rs && c != '\t' && c != '\r' && c != '\n') || u >= 0x7f) {
      out.problem = "contains control or non-ASCII characters";
      return out;
    }
  }
  if (s.empty()) return out;
  if (is_ean_upc_symbology(out.symbology)) {
    out.parts.push_back({key_kind::ignored, std::string(s), "EAN/UPC"});
    return out;
  }
  if (s.size() >= 4 && s.substr(0, 3) == "[)>" && s[3] == rs) {
    auto parts = parse_iso15434(s, out.problem);
    if (!parts) return out;
    out.parts = std::move(*parts);
    out.combined = out.parts.size() > 1;
    return out;
  }
  const bool gs1_text = s.front() == '(' && s.size() > 3 && is_digit(s[1]) && is_digit(s[2]);
  if (is_gs1_symbology(out.symbology) || s.front() == gs || gs1_text) {
    auto parts = parse_gs1(s, out.problem);
    if (!parts) return out;
    out.parts = std::move(*parts);
    out.combined = out.parts.size() > 1;
    return out;
  }
  std::size_t segments = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && !is_segment_separator(s[i])) continue;
    const std::string_view seg = trim(s.substr(start, i - start));
    start = i + 1;
    if (seg.empty()) continue;
    ++segments;
    if (match_key(seg)) {
      auto keyed = split_keyed(seg);
      for (auto& p : keyed) out.parts.push_back(std::move(p));
    } else {
      out.parts.push_back({key_kind::none, std::string(seg), {}});
    }
  }
  out.combined = segments > 1 || out.parts.size() > 1;
  return out;
}

}  // namespace provstation::scanner::detail
