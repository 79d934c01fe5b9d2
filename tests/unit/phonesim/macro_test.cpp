// SPDX-License-Identifier: Apache-2.0
/// @file Tests of macro expansion ($NAME, $(NAME:p:q), $$, unknown names, key-only macros).
#include <provstation/phonesim/macro.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

macro_env sample_env() {
  macro_env env;
  env.set("MA", "000e08012345");
  env.set("MAU", "000E08012345");
  env.set("MAC", "00:0e:08:01:23:45");
  env.set("A", "ABCDEF");
  env.set("B", "123");
  env.set("D", "dee");
  env.set("SWVER", "7.4.9c");
  env.set("EMPTY", "");
  env.set_key_only("SA", "secret");
  return env;
}

// Verify the documented examples of the guides.
TEST(PhonesimMacroExpansion, ExpandsDocumentedExamples) {
  const macro_env env = sample_env();
  EXPECT_EQ(expand_macros("spa$STRANGE$MAU.cfg", env), "spa$STRANGE000E08012345.cfg");
  EXPECT_EQ(expand_macros("$$MAU", env), "$MAU");
  EXPECT_EQ(expand_macros("$A$B", env), "ABCDEF123");
  EXPECT_EQ(expand_macros("$(A:2)", env), "CDEF");
  EXPECT_EQ(expand_macros("$(A:2:3)", env), "CDE");
  EXPECT_EQ(expand_macros("/$MA.cfg", env), "/000e08012345.cfg");
}

// Verify that the longest known name wins and the rest of the word is kept.
TEST(PhonesimMacroExpansion, TakesLongestKnownName) {
  const macro_env env = sample_env();
  EXPECT_EQ(expand_macros("$MAC", env), "00:0e:08:01:23:45");
  EXPECT_EQ(expand_macros("$MAU", env), "000E08012345");
  EXPECT_EQ(expand_macros("$MAX", env), "000e08012345X");
  EXPECT_EQ(expand_macros("$Dx/$(D)x", env), "deex/deex");
  EXPECT_EQ(expand_macros("uid$B", env), "uid123");
}

// Verify that unknown and malformed macros are copied as written.
TEST(PhonesimMacroExpansion, LeavesUnknownAndMalformedAlone) {
  const macro_env env = sample_env();
  EXPECT_EQ(expand_macros("$NOPE $(NOPE) $(A:x) $(A", env), "$NOPE $(NOPE) $(A:x) $(A");
  EXPECT_EQ(expand_macros("trailing $", env), "trailing $");
  EXPECT_EQ(expand_macros("$", env), "$");
  EXPECT_EQ(expand_macros("$-", env), "$-");
  EXPECT_EQ(expand_macros("$(A:9)", env), "");
  EXPECT_EQ(expand_macros("[$EMPTY]", env), "[]");
}

// Verify that expansion is not recursive.
TEST(PhonesimMacroExpansion, IsNotRecursive) {
  macro_env env;
  env.set("A", "$B");
  env.set("B", "no");
  EXPECT_EQ(expand_macros("$A", env), "$B");
}

// Verify that $SA…$SD are visible only as a --key argument.
TEST(PhonesimMacroExpansion, KeyOnlyMacrosNeedKeyScope) {
  const macro_env env = sample_env();
  EXPECT_EQ(expand_macros("$SA", env), "$SA");
  EXPECT_EQ(expand_macros("$SA", env, macro_scope::key_argument), "secret");
  EXPECT_EQ(expand_macros("$(SA:0:3)", env, macro_scope::key_argument), "sec");
}

}  // namespace
}  // namespace provstation::phonesim
