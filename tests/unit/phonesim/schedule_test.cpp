// SPDX-License-Identifier: Apache-2.0
/// @file Tests of retry/periodic schedules (`1800+300,3600+600`).
#include <provstation/phonesim/schedule.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Verify that malformed schedules are refused.
TEST(PhonesimSchedule, RejectsMalformedText) {
  EXPECT_EQ(parse_schedule("").message(), "empty schedule");
  EXPECT_EQ(parse_schedule("abc").message(), "invalid delay 'abc'");
  EXPECT_EQ(parse_schedule("10,").message(), "invalid delay ''");
  EXPECT_EQ(parse_schedule("-5").message(), "invalid delay '-5'");
  EXPECT_EQ(parse_schedule("10+x").message(), "invalid delay 'x'");
}

// Verify a single value and the documented list whose last element repeats.
TEST(PhonesimSchedule, LastStepRepeats) {
  std::mt19937_64 rng(1);
  auto one = parse_schedule(" 3600 ");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(schedule_delay(*one, 0, rng), milliseconds(seconds(3600)));
  EXPECT_EQ(schedule_delay(*one, 5, rng), milliseconds(seconds(3600)));
  auto list = parse_schedule("1800,3600,7200,14400+3600");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 4U);
  EXPECT_EQ(schedule_delay(*list, 0, rng), milliseconds(seconds(1800)));
  EXPECT_EQ(schedule_delay(*list, 2, rng), milliseconds(seconds(7200)));
  for (std::size_t i = 3; i < 10; ++i) {
    const auto d = schedule_delay(*list, i, rng);
    EXPECT_GE(d, milliseconds(seconds(14400)));
    EXPECT_LE(d, milliseconds(seconds(18000)));
  }
}

// Verify that the random part varies and stays within its bound.
TEST(PhonesimSchedule, RandomPartIsBounded) {
  std::mt19937_64 rng(7);
  auto s = parse_schedule("3600+600");
  ASSERT_TRUE(s.ok());
  milliseconds lo = milliseconds::max();
  milliseconds hi = milliseconds::min();
  for (int i = 0; i < 200; ++i) {
    const auto d = schedule_delay(*s, 0, rng);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GE(lo, milliseconds(seconds(3600)));
  EXPECT_LE(hi, milliseconds(seconds(4200)));
  EXPECT_GT(hi - lo, milliseconds(seconds(60)));
}

}  // namespace
}  // namespace provstation::phonesim
