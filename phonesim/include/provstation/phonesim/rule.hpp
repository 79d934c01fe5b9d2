// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/phonesim/macro.hpp>
#include <provstation/result.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::phonesim {

/// @brief Rules longer than this are refused.
inline constexpr std::size_t max_rule_bytes = 8192;

/// @brief A comparison operator of a conditional expression.
enum class compare_op { eq, ne, lt, le, gt, ge };

/// @brief One side of a comparison, as written (macros not yet expanded).
struct operand {
  std::string text;
  bool quoted = false;  ///< Written in double quotes: compared as a string (eq/ne only).
};

/// @brief `left op right`; a legacy comparison without a left side gets `$SWVER`.
struct comparison {
  operand left;
  compare_op op = compare_op::eq;
  operand right;
};

/// @brief Comparisons joined with `and`.
struct condition {
  std::vector<comparison> terms;
};

/// @brief `name = "value"` inside `( … )!`; a single letter a…p is already turned into GPP_A…P.
struct assignment {
  std::string name;
  std::string value;  ///< Macros not yet expanded.
};

/// @brief The options in `[ … ]` in front of a URL (macros not yet expanded).
struct url_options {
  std::optional<std::string> key;    ///< `--key`: profile decryption key.
  std::optional<std::string> alias;  ///< `--alias`: letter of the GPP holding an alias map.
  std::optional<std::string> post;   ///< `--post`: letter of the GPP holding the POST body.
  std::optional<std::string> uid;    ///< `--uid`: HTTP user name.
  std::optional<std::string> pwd;    ///< `--pwd`: HTTP password.
};

/// @brief `[ ( cond )? ] [ ( assignments )! ] [ [options] URL ]`, every part optional.
struct alternative {
  std::optional<condition> cond;
  std::vector<assignment> assignments;
  url_options options;
  std::string url;  ///< Empty when the alternative has no URL; macros not yet expanded.
};

/// @brief A Profile_Rule / Upgrade_Rule: alternatives separated by `|`.
struct rule {
  std::vector<alternative> alternatives;
};

/// @brief Parses a rule (spa-provisioning.md §3). Accepts `eq ne lt le gt ge` and
/// `= == != < <= > >=`, the legacy `!` for `!=` and a missing left side (`$SWVER`), white
/// space or none around `?`/`!`, and a `#` after white space commenting out the rest.
/// An empty rule has no alternatives.
result<rule> parse_rule(std::string_view text);

/// @brief Evaluates a condition with macro expansion. Quoted operands compare as strings
/// (eq/ne only); otherwise integers compare numerically, then versions by
/// `firmware_version` order, then eq/ne as strings. Anything else is an error.
result<bool> evaluate_condition(const condition& cond, const macro_env& env);

/// @brief What a rule resolved to, with macros expanded.
struct rule_outcome {
  std::vector<assignment> assignments;  ///< Values expanded.
  url_options options;                  ///< Values expanded (`--key` sees `$SA`…`$SD`).
  std::string url;                      ///< Expanded; empty = nothing to fetch.
  std::size_t alternative_index = 0;    ///< Which alternative was chosen.
};

/// @brief Picks the first alternative whose condition holds (or that has none). A condition
/// that cannot be evaluated counts as false and its error is appended to `warnings`.
/// Returns nothing when no alternative applies (the rule is then skipped).
///
/// `assign` is called with each expanded assignment before the options and URL are
/// expanded, so that a URL sees the values its own assignments set (they run "before the
/// profile is fetched"); `env` must reflect them when `assign` returns.
std::optional<rule_outcome> evaluate_rule(
    const rule& r, const macro_env& env, std::vector<std::string>* warnings = nullptr,
    const std::function<void(const assignment&)>& assign = {});

/// @brief The name a rule assignment sets: a…p (either case) → GPP_A…GPP_P, others unchanged.
std::string assignment_target(std::string_view name);

}  // namespace provstation::phonesim
