// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/rule.hpp>

#include <provstation/phonesim/firmware_version.hpp>

#include <cctype>
#include <charconv>
#include <cstdint>

namespace provstation::phonesim {

namespace {

constexpr std::size_t max_alternatives = 32;
constexpr std::size_t max_terms = 32;
constexpr std::size_t max_assignments = 64;

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}
bool is_op_char(char c) {
  return c == '=' || c == '!' || c == '<' || c == '>';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Finds the bracket that closes the one at `open`, skipping quoted text; npos if none.
std::size_t find_close(std::string_view s, std::size_t open, char open_char, char close_char) {
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = open; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (quoted) {
      continue;
    } else if (c == open_char) {
      ++depth;
    } else if (c == close_char) {
      if (--depth == 0) return i;
    }
  }
  return std::string_view::npos;
}

// Removes a Sipura-style comment: an unquoted '#' at the start or after white space.
std::string_view strip_comment(std::string_view s) {
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (!quoted && s[i] == '#' && (i == 0 || is_space(s[i - 1]))) return s.substr(0, i);
  }
  return s;
}

result<std::vector<std::string_view>> split_alternatives(std::string_view s) {
  std::vector<std::string_view> parts;
  int parens = 0;
  int brackets = 0;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++parens;
    if (c == ')') --parens;
    if (c == '[') ++brackets;
    if (c == ']') --brackets;
    if (c == '|' && parens <= 0 && brackets <= 0) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) return make_error("unterminated quoted string");
  parts.push_back(s.substr(start));
  if (parts.size() > max_alternatives) return make_error("too many alternatives");
  return parts;
}

struct token {
  enum class kind { word, quoted, op, and_ } type;
  std::string text;
  compare_op op = compare_op::eq;
};

std::optional<compare_op> word_operator(std::string_view w) {
  const std::string l = lower(w);
  if (l == "eq") return compare_op::eq;
  if (l == "ne") return compare_op::ne;
  if (l == "lt") return compare_op::lt;
  if (l == "le") return compare_op::le;
  if (l == "gt") return compare_op::gt;
  if (l == "ge") return compare_op::ge;
  return std::nullopt;
}

std::optional<compare_op> symbol_operator(std::string_view s) {
  if (s == "=" || s == "==") return compare_op::eq;
  if (s == "!=" || s == "!") return compare_op::ne;
  if (s == "<") return compare_op::lt;
  if (s == "<=") return compare_op::le;
  if (s == ">") return compare_op::gt;
  if (s == ">=") return compare_op::ge;
  return std::nullopt;
}

result<std::vector<token>> tokenize_condition(std::string_view s) {
  std::vector<token> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '"') {
      const std::size_t end = s.find('"', i + 1);
      if (end == std::string_view::npos) return make_error("unterminated quoted string");
      tokens.push_back({token::kind::quoted, std::string(s.substr(i + 1, end - i - 1))});
      i = end + 1;
    } else if (is_op_char(c)) {
      std::size_t end = i;
      while (end < s.size() && is_op_char(s[end])) ++end;
      const std::string_view text = s.substr(i, end - i);
      const auto op = symbol_operator(text);
      if (!op) return make_error("unknown operator '" + std::string(text) + "'");
      tokens.push_back({token::kind::op, std::string(text), *op});
      i = end;
    } else {
      std::size_t end = i;
      while (end < s.size() && !is_space(s[end]) && s[end] != '"' && !is_op_char(s[end])) ++end;
      const std::string_view word = s.substr(i, end - i);
      if (const auto op = word_operator(word)) {
        tokens.push_back({token::kind::op, std::string(word), *op});
      } else if (lower(word) == "and") {
        tokens.push_back({token::kind::and_, std::string(word)});
      } else {
        tokens.push_back({token::kind::word, std::string(word)});
      }
      i = end;
    }
  }
  return tokens;
}

result<condition> parse_condition(std::string_view text) {
  auto tokens = tokenize_condition(text);
  if (!tokens) return tokens.err();
  const std::vector<token>& t = *tokens;
  if (t.empty()) return make_error("empty condition");
  condition cond;
  std::size_t i = 0;
  auto is_operand = [&](std::size_t k) {
    return k < t.size() && (t[k].type == token::kind::word || t[k].type == token::kind::quoted);
  };
  while (true) {
    comparison cmp;
    if (is_operand(i)) {
      cmp.left = {t[i].text, t[i].type == token::kind::quoted};
      ++i;
    } else {
      // The legacy form leaves the left side out: it is then $SWVER.
      cmp.left = {"$SWVER", false};
    }
    if (i >= t.size() || t[i].type != token::kind::op) {
      return make_error("comparison operator expected in condition");
    }
    cmp.op = t[i].op;
    ++i;
    if (!is_operand(i)) return make_error("value expected after operator '" + t[i - 1].text + "'");
    cmp.right = {t[i].text, t[i].type == token::kind::quoted};
    ++i;
    cond.terms.push_back(std::move(cmp));
    if (cond.terms.size() > max_terms) return make_error("condition has too many comparisons");
    if (i == t.size()) break;
    if (t[i].type != token::kind::and_) return make_error("'and' expected between comparisons");
    ++i;
  }
  return cond;
}

result<std::vector<assignment>> parse_assignments(std::string_view text) {
  std::vector<assignment> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (is_space(text[i]) || text[i] == ';')) ++i;
    if (i >= text.size()) break;
    std::size_t end = i;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
                                 text[end] == '_' || text[end] == '-')) {
      ++end;
    }
    if (end == i) return make_error("parameter name expected in assignment");
    assignment a;
    a.name = assignment_target(text.substr(i, end - i));
    i = end;
    while (i < text.size() && is_space(text[i])) ++i;
    if (i >= text.size() || text[i] != '=') return make_error("'=' expected after " + a.name);
    ++i;
    while (i < text.size() && is_space(text[i])) ++i;
    if (i < text.size() && text[i] == '"') {
      const std::size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) return make_error("unterminated quoted string");
      a.value = std::string(text.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      std::size_t vend = i;
      while (vend < text.size() && text[vend] != ';') ++vend;
      a.value = std::string(trim(text.substr(i, vend - i)));
      i = vend;
    }
    while (i < text.size() && is_space(text[i])) ++i;
    if (i < text.size() && text[i] != ';') return make_error("';' expected after " + a.name);
    out.push_back(std::move(a));
    if (out.size() > max_assignments) return make_error("too many assignments");
  }
  if (out.empty()) return make_error("empty assignment list");
  return out;
}

result<url_options> parse_options(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    if (text[i] == '"') {
      const std::size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) return make_error("unterminated quoted string");
      words.emplace_back(text.substr(i + 1, close - i - 1));
      i = close + 1;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && !is_space(text[end])) ++end;
    words.emplace_back(text.substr(i, end - i));
    i = end;
  }
  url_options opts;
  for (std::size_t k = 0; k < words.size(); k += 2) {
    const std::string& name = words[k];
    if (k + 1 >= words.size()) return make_error("option " + name + " needs a value");
    const std::string& value = words[k + 1];
    if (name == "--key") {
      opts.key = value;
    } else if (name == "--alias") {
      opts.alias = value;
    } else if (name == "--post") {
      opts.post = value;
    } else if (name == "--uid") {
      opts.uid = value;
    } else if (name == "--pwd") {
      opts.pwd = value;
    } else {
      return make_error("unknown option '" + name + "'");
    }
  }
  return opts;
}

result<alternative> parse_alternative(std::string_view s) {
  alternative alt;
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < s.size() && is_space(s[i])) ++i;
  };
  skip_space();
  while (i < s.size() && s[i] == '(') {
    const std::size_t close = find_close(s, i, '(', ')');
    if (close == std::string_view::npos) return make_error("unbalanced '('");
    const std::string_view inner = s.substr(i + 1, close - i - 1);
    i = close + 1;
    skip_space();
    if (i < s.size() && s[i] == '?') {
      if (alt.cond || !alt.assignments.empty()) return make_error("misplaced condition");
      auto cond = parse_condition(inner);
      if (!cond) return cond.err();
      alt.cond = std::move(*cond);
    } else if (i < s.size() && s[i] == '!') {
      if (!alt.assignments.empty()) return make_error("more than one assignment list");
      auto assignments = parse_assignments(inner);
      if (!assignments) return assignments.err();
      alt.assignments = std::move(*assignments);
    } else {
      return make_error("'?' or '!' expected after ')'");
    }
    ++i;
    skip_space();
  }
  bool has_options = false;
  if (i < s.size() && s[i] == '[') {
    const std::size_t close = find_close(s, i, '[', ']');
    if (close == std::string_view::npos) return make_error("unbalanced '['");
    auto opts = parse_options(s.substr(i + 1, close - i - 1));
    if (!opts) return opts.err();
    alt.options = std::move(*opts);
    has_options = true;
    i = close + 1;
    skip_space();
  }
  const std::string_view rest = trim(s.substr(i));
  for (char c : rest) {
    if (is_space(c)) return make_error("unexpected text after the URL");
  }
  if (has_options && rest.empty()) return make_error("options without a URL");
  alt.url = std::string(rest);
  if (!alt.cond && alt.assignments.empty() && alt.url.empty())
    return make_error("empty alternative");
  return alt;
}

std::optional<std::int64_t> parse_integer(std::string_view s) {
  std::int64_t v = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') ++begin;
  if (begin == end) return std::nullopt;
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

const char* op_name(compare_op op) {
  switch (op) {
    case compare_op::eq:
      return "eq";
    case compare_op::ne:
      return "ne";
    case compare_op::lt:
      return "lt";
    case compare_op::le:
      return "le";
    case compare_op::gt:
      return "gt";
    case compare_op::ge:
      return "ge";
  }
  return "?";
}

bool holds(std::strong_ordering c, compare_op op) {
  switch (op) {
    case compare_op::eq:
      return c == 0;
    case compare_op::ne:
      return c != 0;
    case compare_op::lt:
      return c < 0;
    case compare_op::le:
      return c <= 0;
    case compare_op::gt:
      return c > 0;
    case compare_op::ge:
      return c >= 0;
  }
  return false;
}

result<bool> evaluate_comparison(const comparison& cmp, const macro_env& env) {
  const std::string a = expand_macros(cmp.left.text, env);
  const std::string b = expand_macros(cmp.right.text, env);
  if (cmp.left.quoted || cmp.right.quoted) {
    if (cmp.op != compare_op::eq && cmp.op != compare_op::ne) {
      return make_error(std::string("quoted strings support only eq and ne, not ") +
                        op_name(cmp.op));
    }
    return (a == b) == (cmp.op == compare_op::eq);
  }
  const std::string_view ta = trim(a);
  const std::string_view tb = trim(b);
  const auto ia = parse_integer(ta);
  const auto ib = parse_integer(tb);
  if (ia && ib) return holds(*ia <=> *ib, cmp.op);
  const auto va = firmware_version::parse(ta);
  const auto vb = firmware_version::parse(tb);
  if (va && vb) return holds(*va <=> *vb, cmp.op);
  if (cmp.op == compare_op::eq || cmp.op == compare_op::ne)
    return (ta == tb) == (cmp.op == compare_op::eq);
  return make_error("cannot compare '" + std::string(ta) + "' " + op_name(cmp.op) + " '" +
                    std::string(tb) + "': neither integers nor versions");
}

}  // namespace

std::string assignment_target(std::string_view name) {
  if (name.size() == 1) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    if (c >= 'A' && c <= 'P') return std::string("GPP_") + c;
  }
  return std::string(name);
}

result<rule> parse_rule(std::string_view text) {
  if (text.size() > max_rule_bytes) return make_error("rule is too long");
  const std::string_view s = trim(strip_comment(text));
  rule r;
  if (s.empty()) return r;
  auto parts = split_alternatives(s);
  if (!parts) return parts.err();
  for (std::string_view part : *parts) {
    auto alt = parse_alternative(part);
    if (!alt) return alt.err();
    r.alternatives.push_back(std::move(*alt));
  }
  return r;
}

result<bool> evaluate_condition(const condition& cond, const macro_env& env) {
  for (const comparison& cmp : cond.terms) {
    auto value = evaluate_comparison(cmp, env);
    if (!value) return value.err();
    if (!*value) return false;
  }
  return true;
}

std::optional<rule_outcome> evaluate_rule(const rule& r, const macro_env& env,
                                          std::vector<std::string>* warnings,
                                          const std::function<void(const assignment&)>& assign) {
  for (std::size_t k = 0; k < r.alternatives.size(); ++k) {
    const alternative& alt = r.alternatives[k];
    if (alt.cond) {
      auto value = evaluate_condition(*alt.cond, env);
      if (!value) {
        if (warnings != nullptr) warnings->push_back(value.message());
        continue;
      }
      if (!*value) continue;
    }
    rule_outcome out;
    out.alternative_index = k;
    for (const assignment& a : alt.assignments) {
      assignment expanded{a.name, expand_macros(a.value, env)};
      if (assign) assign(expanded);
      out.assignments.push_back(std::move(expanded));
    }
    auto expand = [&](const std::optional<std::string>& v, macro_scope scope) {
      return v ? std::optional<std::string>(expand_macros(*v, env, scope)) : std::nullopt;
    };
    out.options.key = expand(alt.options.key, macro_scope::key_argument);
    out.options.alias = expand(alt.options.alias, macro_scope::normal);
    out.options.post = expand(alt.options.post, macro_scope::normal);
    out.options.uid = expand(alt.options.uid, macro_scope::normal);
    out.options.pwd = expand(alt.options.pwd, macro_scope::normal);
    out.url = expand_macros(alt.url, env);
    return out;
  }
  return std::nullopt;
}

}  // namespace provstation::phonesim
