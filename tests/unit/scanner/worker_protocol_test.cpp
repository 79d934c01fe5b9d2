// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the text the scan worker answers with, and of its arguments.
#include "worker_protocol.hpp"

#include <gtest/gtest.h>

namespace provstation::scanner::detail {
namespace {

std::string error_of(std::string_view text) {
  decode_stats stats;
  auto r = decode_worker_output(text, stats);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? std::string() : r.message();
}

// Verify that garbled, cut or foreign answers are refused with a reason.
TEST(ScanWorkerProtocol, RejectsGarbledAnswers) {
  EXPECT_EQ(error_of(""), "worker answer is cut short");
  EXPECT_EQ(error_of("hello\n"), "worker answer has no valid header");
  EXPECT_EQ(error_of("provstation-scan-worker 1\nsize 1 2\n"), "worker answer is cut short");
  EXPECT_EQ(error_of("provstation-scan-worker 1\nsize 1 x\nend\n"),
            "worker answer has a bad size line");
  EXPECT_EQ(error_of("provstation-scan-worker 1\ntime 1 2 7\nend\n"),
            "worker answer has a bad time line");
  EXPECT_EQ(error_of("provstation-scan-worker 1\npass zz 1\nend\n"),
            "worker answer has a bad pass line");
  EXPECT_EQ(error_of("provstation-scan-worker 1\nbarcode 41 - 42 1 2 3\nend\n"),
            "worker answer has an unknown line");
  EXPECT_EQ(error_of("provstation-scan-worker 1\nbarcode 4 - 42 0 0 0 0 0 0 0 0 0 -\nend\n"),
            "worker answer has a bad barcode line");
  EXPECT_EQ(error_of("provstation-scan-worker 1\nend\nend\n"),
            "worker answer continues after its end");
  EXPECT_EQ(error_of("provstation-scan-worker 1\n\nend\n"), "worker answer has an empty line");
  EXPECT_EQ(error_of(std::string(max_worker_output_bytes + 1, 'a')), "worker answer is too long");
}

// Verify that barcodes with any bytes, the statistics and errors survive the round trip.
TEST(ScanWorkerProtocol, RoundTrips) {
  barcode b;
  b.format = "DataMatrix";
  b.text = std::string(
      "0100614141999996"
      "21CCQ\x1d"
      "240SPA 525\n",
      31);
  b.symbology = "]d2";
  b.corners = {point{1, 2}, point{-3, 4}, point{5, 6}, point{7, 8}};
  b.orientation = -35;
  b.pass = "dm-window";
  barcode empty_text;
  empty_text.format = "Code128";
  decode_stats stats;
  stats.width = 1600;
  stats.height = 1200;
  stats.load_time = std::chrono::microseconds(1234);
  stats.decode_time = std::chrono::microseconds(5678);
  stats.budget_exhausted = true;
  stats.passes = {"base", "fixed"};
  stats.pass_times = {std::chrono::microseconds(10), std::chrono::microseconds(20)};
  const std::string text = encode_worker_output(std::vector<barcode>{b, empty_text}, stats);
  decode_stats back;
  auto r = decode_worker_output(text, back);
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].text, b.text);
  EXPECT_EQ((*r)[0].symbology, "]d2");
  EXPECT_EQ((*r)[0].corners[1].x, -3);
  EXPECT_EQ((*r)[0].orientation, -35);
  EXPECT_EQ((*r)[0].pass, "dm-window");
  EXPECT_EQ((*r)[1].text, "");
  EXPECT_EQ(back.width, 1600);
  EXPECT_EQ(back.decode_time.count(), 5678);
  EXPECT_TRUE(back.budget_exhausted);
  ASSERT_EQ(back.passes.size(), 2u);
  EXPECT_EQ(back.pass_times[1].count(), 20);

  const std::string failed = encode_worker_output(make_error("image is too large"), stats);
  EXPECT_EQ(error_of(failed), "image is too large");
}

// Verify that the worker's arguments carry every decode option, and bad ones are refused.
TEST(ScanWorkerProtocol, ParsesArguments) {
  decode_options o;
  o.strategy = decode_strategy::zxing_defaults;
  o.time_budget = std::chrono::milliseconds(250);
  o.stop_when_complete = false;
  o.default_model = "CP-8841-K9";
  o.limits.max_pixels = 12345;
  auto s = parse_worker_arguments(worker_arguments(o, 1u << 30, 7));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(s->decode.strategy, decode_strategy::zxing_defaults);
  EXPECT_EQ(s->decode.time_budget.count(), 250);
  EXPECT_FALSE(s->decode.stop_when_complete);
  EXPECT_EQ(s->decode.default_model.value_or(""), "CP-8841-K9");
  EXPECT_EQ(s->decode.limits.max_pixels, 12345u);
  EXPECT_EQ(s->memory_bytes, 1u << 30);
  EXPECT_EQ(s->cpu_seconds, 7);

  EXPECT_EQ(parse_worker_arguments({"--budget-ms"}).message(), "option --budget-ms needs a value");
  EXPECT_EQ(parse_worker_arguments({"--budget-ms", "-1"}).message(),
            "option --budget-ms needs a non-negative number");
  EXPECT_EQ(parse_worker_arguments({"--strategy", "magic"}).message(), "unknown strategy magic");
  EXPECT_EQ(parse_worker_arguments({"--colour", "1"}).message(), "unknown option --colour");
  EXPECT_EQ(parse_worker_arguments({"--model", "xyz"}).message(), "bad --model");
}

}  // namespace
}  // namespace provstation::scanner::detail
