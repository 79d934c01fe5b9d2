// SPDX-License-Identifier: Apache-2.0
#include "policy.hpp"

#include <provstation/kea/policy_file.hpp>
#include <provstation/mac.hpp>

#include <optional>
#include <vector>

namespace provstation::kea {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// Splits one line (comment already removed) into white-space separated words.
std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// Quotes a word from the file for an error message, cut short and with control bytes hidden, so
// a garbage file cannot flood or corrupt the log.
std::string quoted(std::string_view word) {
  constexpr std::size_t max_shown_bytes = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < word.size() && i < max_shown_bytes; ++i) {
    const auto c = static_cast<unsigned char>(word[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (word.size() > max_shown_bytes) out += "...";
  out.push_back('\'');
  return out;
}

std::optional<policy_mode> parse_mode(std::string_view word) {
  if (word == "all") return policy_mode::all;
  if (word == "scanned") return policy_mode::scanned;
  if (word == "not-shipped") return policy_mode::not_shipped;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(policy_mode mode) {
  switch (mode) {
    case policy_mode::all:
      return "all";
    case policy_mode::scanned:
      return "scanned";
    case policy_mode::not_shipped:
      return "not-shipped";
    case policy_mode::deny_all:
      return "deny-all";
  }
  return "deny-all";
}

result<policy> policy::parse(std::string_view text) {
  if (text.size() > max_policy_file_bytes) {
    return make_error("policy file is larger than " + std::to_string(max_policy_file_bytes) +
                      " bytes");
  }
  policy out(policy_mode::deny_all);
  bool seen_magic = false;
  bool seen_mode = false;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    const std::vector<std::string_view> words = split_words(line);
    if (words.empty()) continue;
    const std::string where = "line " + std::to_string(line_number) + ": ";

    if (!seen_magic) {
      if (words.size() == 2 && words[0] == "provstation-policy") {
        if (words[1] != "1") {
          return make_error(where + "unsupported policy file version " + quoted(words[1]));
        }
        seen_magic = true;
        continue;
      }
      return make_error(where + "expected '" + std::string(policy_magic) + "'");
    }
    if (words.size() != 2) {
      return make_error(where + "expected a directive and one value, got " +
                        std::to_string(words.size()) + " words");
    }
    if (words[0] == "mode") {
      if (seen_mode) return make_error(where + "'mode' given twice");
      const auto mode = parse_mode(words[1]);
      if (!mode) {
        return make_error(where + "unknown mode " + quoted(words[1]) +
                          " (expected all, scanned or not-shipped)");
      }
      out.mode_ = *mode;
      seen_mode = true;
    } else if (words[0] == "scanned" || words[0] == "shipped") {
      const auto mac = mac_address::parse(words[1]);
      if (!mac) return make_error(where + "bad MAC address " + quoted(words[1]));
      auto& set = words[0] == "scanned" ? out.scanned_ : out.shipped_;
      set.insert(to_mac48(mac->bytes()));
    } else {
      return make_error(where + "unknown directive " + quoted(words[0]));
    }
  }
  if (!seen_magic) return make_error("policy file is empty");
  if (!seen_mode) return make_error("policy file has no 'mode' line");
  return out;
}

bool policy::allows(mac48 mac) const {
  switch (mode_) {
    case policy_mode::all:
      return true;
    case policy_mode::scanned:
      return scanned_.contains(mac);
    case policy_mode::not_shipped:
      return !shipped_.contains(mac);
    case policy_mode::deny_all:
      return false;
  }
  return false;
}

}  // namespace provstation::kea
