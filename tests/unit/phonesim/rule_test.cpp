// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the Profile_Rule / Upgrade_Rule parser and evaluator.
#include <provstation/phonesim/rule.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

macro_env phone_env(const char* swver = "7.4.9c") {
  macro_env env;
  env.set("SWVER", swver);
  env.set("MA", "000e08aabbcc");
  env.set("MAU", "000E08AABBCC");
  env.set("A", "");
  env.set("B", "b-value");
  env.set("REGTMR1", "0");
  env.set("PRVTMR", "1500");
  env.set("EXTIP", "198.51.100.7");
  env.set("CCERT", "Installed");
  env.set_key_only("SB", "keyB");
  return env;
}

std::optional<rule_outcome> eval(const char* text, const macro_env& env,
                                 std::vector<std::string>* warnings = nullptr) {
  auto r = parse_rule(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.message());
  if (!r.ok()) return std::nullopt;
  return evaluate_rule(*r, env, warnings);
}

std::string url_of(const char* text, const macro_env& env) {
  auto out = eval(text, env);
  return out ? out->url : std::string("<skipped>");
}

// Verify that malformed rules are refused with the reason.
TEST(PhonesimProfileRule, RejectsMalformedRules) {
  EXPECT_EQ(parse_rule("( $SWVER ne 7.5.5 ").message(), "unbalanced '('");
  EXPECT_EQ(parse_rule("( $SWVER ne 7.5.5 ) http://a/b").message(),
            "'?' or '!' expected after ')'");
  EXPECT_EQ(parse_rule("( $SWVER ne )? /a").message(), "value expected after operator 'ne'");
  EXPECT_EQ(parse_rule("( $SWVER 7.5.5 )? /a").message(),
            "comparison operator expected in condition");
  EXPECT_EQ(parse_rule("( $A => 1 )? /a").message(), "unknown operator '=>'");
  EXPECT_EQ(parse_rule("( $A eq 1 or $B eq 2 )? /a").message(),
            "'and' expected between comparisons");
  EXPECT_EQ(parse_rule("( )? /a").message(), "empty condition");
  EXPECT_EQ(parse_rule("[--key k /a").message(), "unbalanced '['");
  EXPECT_EQ(parse_rule("[--cipher x] /a").message(), "unknown option '--cipher'");
  EXPECT_EQ(parse_rule("[--key] /a").message(), "option --key needs a value");
  EXPECT_EQ(parse_rule("[--key k]").message(), "options without a URL");
  EXPECT_EQ(parse_rule("/a /b").message(), "unexpected text after the URL");
  EXPECT_EQ(parse_rule("/a | ").message(), "empty alternative");
  EXPECT_EQ(parse_rule("( a = \"x )! /a").message(), "unterminated quoted string");
  EXPECT_EQ(parse_rule("( = \"x\" )! /a").message(), "parameter name expected in assignment");
  EXPECT_EQ(parse_rule(std::string(max_rule_bytes + 1, 'a')).message(), "rule is too long");
}

// Verify that an empty rule or a comment has no alternatives and evaluates to nothing.
TEST(PhonesimProfileRule, EmptyRuleIsSkipped) {
  const macro_env env = phone_env();
  for (const char* text : {"", "   ", "# commented out", "  # /spa.cfg"}) {
    auto r = parse_rule(text);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_TRUE(r->alternatives.empty());
    EXPECT_FALSE(evaluate_rule(*r, env).has_value());
  }
  EXPECT_EQ(url_of("/a.cfg # rest ignored", env), "/a.cfg");
}

// Verify plain URLs with macros, as in the guides' examples.
TEST(PhonesimProfileRule, ExpandsMacrosInPlainUrls) {
  const macro_env env = phone_env();
  EXPECT_EQ(url_of("http://remote.server.com/Linksys/$MA.cfg", env),
            "http://remote.server.com/Linksys/000e08aabbcc.cfg");
  EXPECT_EQ(url_of("https://p.tel.com/config?Linksys$MAU", env),
            "https://p.tel.com/config?Linksys000E08AABBCC");
}

// Verify the version conditions of upgrade rules, with and without spaces around '?'.
TEST(PhonesimProfileRule, VersionConditionsPickTheRightAlternative) {
  const char* wazo =
      "($SWVER lt 7.5.2b) ? http://s/fw/spa50x-30x-7-5-2b.bin | http://s/fw/spa50x-30x-7-5-5.bin";
  EXPECT_EQ(url_of(wazo, phone_env("7.4.9c")), "http://s/fw/spa50x-30x-7-5-2b.bin");
  EXPECT_EQ(url_of(wazo, phone_env("7.5.2b")), "http://s/fw/spa50x-30x-7-5-5.bin");
  const char* guarded = "( $SWVER ne 7.5.5 )? tftp://192.0.2.1/spa525g-7-5-5.bin";
  EXPECT_EQ(url_of(guarded, phone_env("7.4.9c")), "tftp://192.0.2.1/spa525g-7-5-5.bin");
  EXPECT_EQ(url_of(guarded, phone_env("7.5.5")), "<skipped>");
  EXPECT_EQ(url_of("( $SWVER != 7.6.2 ) ? /x", phone_env("7.6.2")), "<skipped>");
  EXPECT_EQ(url_of("( $SWVER >= 7.4.10 )? /new | /old", phone_env("7.4.9c")), "/old");
  EXPECT_EQ(url_of("($SWVER<=1.0.31(b))? /a", phone_env("1.0.31(b)")), "/a");
}

// Verify the legacy forms: a lone '!' means !=, a missing left side is $SWVER.
TEST(PhonesimProfileRule, LegacyFormsCompareSwver) {
  EXPECT_EQ(url_of("( ! 7.5.5 )? /up", phone_env("7.4.9c")), "/up");
  EXPECT_EQ(url_of("( ! 7.5.5 )? /up", phone_env("7.5.5")), "<skipped>");
  EXPECT_EQ(url_of("( lt 7.5.5 )? /up", phone_env("7.4.9c")), "/up");
}

// Verify integers, quoted strings and 'and'.
TEST(PhonesimProfileRule, IntegersStringsAndConjunctions) {
  const macro_env env = phone_env();
  EXPECT_EQ(
      url_of(
          "($REGTMR1 eq 0)? http://p.tel.com/has-reg.cfg | [--post a] http://p.tel.com/lost-reg?",
          env),
      "http://p.tel.com/has-reg.cfg");
  EXPECT_EQ(url_of("( $PRVTMR gt 1200 and \"$EXTIP\" ne \"\" )? /yes | /no", env), "/yes");
  EXPECT_EQ(url_of("( $PRVTMR gt 1200 and \"$EXTIP\" eq \"\" )? /yes | /no", env), "/no");
  EXPECT_EQ(url_of("(\"$CCERT\" eq \"Installed\")? https://p/config? | https://p/other", env),
            "https://p/config?");
  EXPECT_EQ(url_of("( $PRVTMR ge 9 )? /numeric-not-lexical", env), "/numeric-not-lexical");
}

// Verify that a condition that cannot be evaluated counts as false, with a warning.
TEST(PhonesimProfileRule, UnevaluableConditionIsFalseWithWarning) {
  const macro_env env = phone_env();
  std::vector<std::string> warnings;
  auto out = eval("( \"$B\" lt \"c\" )? /a | /b", env, &warnings);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->url, "/b");
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0], "quoted strings support only eq and ne, not lt");
  warnings.clear();
  out = eval("( $B gt 1.0.0 )? /a", env, &warnings);
  EXPECT_FALSE(out.has_value());
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0], "cannot compare 'b-value' gt '1.0.0': neither integers nor versions");
}

// Verify assignments: letters a…p are GPP_A…P, values are expanded, and run before the URL.
TEST(PhonesimProfileRule, AssignmentsRunBeforeTheUrl) {
  macro_env env = phone_env();
  auto r = parse_rule(
      "(\"$A\" ne \"Provisioned\")? ( Line_Enable_1_ = \"No\"; a = \"Provisioned\" ; d = \"$MA\" ; "
      ")! "
      "https://p.tel.com/init-prov/$A | https://p.tel.com/configs");
  ASSERT_TRUE(r.ok()) << r.message();
  std::vector<assignment> seen;
  auto out = evaluate_rule(*r, env, nullptr, [&](const assignment& a) {
    seen.push_back(a);
    if (a.name == "GPP_A") env.set("A", a.value);
  });
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0].name, "Line_Enable_1_");
  EXPECT_EQ(seen[1].name, "GPP_A");
  EXPECT_EQ(seen[2].name, "GPP_D");
  EXPECT_EQ(seen[2].value, "000e08aabbcc");
  EXPECT_EQ(out->url, "https://p.tel.com/init-prov/Provisioned");
  // Now "$A" is "Provisioned": the second alternative applies.
  EXPECT_EQ(evaluate_rule(*r, env)->url, "https://p.tel.com/configs");
}

// Verify that an assignment-only alternative evaluates to nothing to fetch.
TEST(PhonesimProfileRule, AssignmentWithoutUrlFetchesNothing) {
  auto out = eval("( GPP_B = \"x\" )!", phone_env());
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(out->url.empty());
  EXPECT_EQ(out->assignments.size(), 1U);
}

// Verify URL options: several per bracket, quoted values, $SA…$SD only in --key.
TEST(PhonesimProfileRule, ParsesAndExpandsOptions) {
  const macro_env env = phone_env();
  auto out =
      eval("[--key \"$SB\" --alias a --post g --uid admin --pwd \"p w\"] http://a/$MA.xml", env);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->options.key.value_or("-"), "keyB");
  EXPECT_EQ(out->options.alias.value_or("-"), "a");
  EXPECT_EQ(out->options.post.value_or("-"), "g");
  EXPECT_EQ(out->options.uid.value_or("-"), "admin");
  EXPECT_EQ(out->options.pwd.value_or("-"), "p w");
  EXPECT_EQ(out->url, "http://a/000e08aabbcc.xml");
  out = eval("[--key VerySecretValue]/x | /y", env);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->options.key.value_or("-"), "VerySecretValue");
  out = eval("[--post $SB] /x", env);
  EXPECT_EQ(out->options.post.value_or("-"), "$SB");
}

// Verify that '|' inside quotes, parentheses or brackets does not split alternatives.
TEST(PhonesimProfileRule, SplitsOnlyOnTopLevelBars) {
  auto r = parse_rule("( \"$B\" eq \"a|b\" )? /x | [--key \"k|k\"] /y");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->alternatives.size(), 2U);
  EXPECT_EQ(r->alternatives[1].options.key.value_or("-"), "k|k");
}

// Verify the GPP letter abbreviation.
TEST(PhonesimProfileRule, AssignmentTargetMapsLetters) {
  EXPECT_EQ(assignment_target("a"), "GPP_A");
  EXPECT_EQ(assignment_target("P"), "GPP_P");
  EXPECT_EQ(assignment_target("q"), "q");
  EXPECT_EQ(assignment_target("User_ID_1_"), "User_ID_1_");
}

}  // namespace
}  // namespace provstation::phonesim
