// SPDX-License-Identifier: Apache-2.0
/// @file Golden label cases: each recipe in tests/data/labels/ is drawn at test time (zint +
/// ImageMagick), decoded in the isolated worker and read; the fields must be exactly the
/// expected ones (or the expected error), never a wrong value.
#include "label_maker.hpp"

#include <provstation/scanner/isolated_decoder.hpp>
#include <provstation/scanner/oui_registry.hpp>
#include <provstation/scanner/scan_text.hpp>
#include <provstation/test/temp_dir.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace provstation::scanner::test {
namespace {

struct golden_case {
  std::string name;  // CamelCase, for the test name
  std::string recipe_path;
  std::string expected_path;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string camel(const std::string& s) {
  std::string out;
  bool up = true;
  for (char c : s) {
    if (c == '_' || c == '-' || c == '/') {
      up = true;
    } else if (std::isalnum(static_cast<unsigned char>(c))) {
      out.push_back(up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      up = false;
    }
  }
  return out;
}

std::vector<golden_case> list_cases() {
  std::vector<golden_case> out;
  const std::filesystem::path root(PROVSTATION_LABELS_DIR);
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".recipe") continue;
    const auto rel = std::filesystem::relative(e.path(), root).replace_extension();
    auto expected = e.path();
    expected.replace_extension(".expected.json");
    out.push_back({camel(rel.string()), e.path().string(), expected.string()});
  }
  std::sort(out.begin(), out.end(),
            [](const golden_case& a, const golden_case& b) { return a.name < b.name; });
  return out;
}

class GoldenLabel : public ::testing::TestWithParam<golden_case> {};

// Verify that the label of the case reads to exactly its expected fields (or error).
TEST_P(GoldenLabel, ReadsExpectedFields) {
  if (!label_tools_available()) GTEST_SKIP() << "zint and ImageMagick are needed";
  const golden_case& c = GetParam();
  const expected_fields expected = parse_expected(read_file(c.expected_path));
  provstation::test::temp_dir dir;
  const std::string image =
      make_label(parse_recipe(read_file(c.recipe_path), "label"), dir.path().string());

  isolation_options options;
  options.worker_path = PROVSTATION_SCAN_WORKER_PATH;
  decode_stats stats;
  auto codes = decode_image_file_isolated(image, options, &stats);
  ASSERT_TRUE(codes.ok()) << codes.message();
  std::vector<std::string> values;
  for (const auto& b : *codes) values.push_back(b.aim_text());
  std::string passes;
  for (const auto& p : stats.passes) passes += p + " ";
  RecordProperty("decode_us", static_cast<int>(stats.decode_time.count()));
  RecordProperty("passes", passes);

  label_context ctx;
  ctx.ouis = &oui_registry::none();
  auto fields = parse_scan_values(values, ctx);
  if (!expected.error.empty()) {
    ASSERT_FALSE(fields.ok()) << "read a label that must be refused";
    EXPECT_THAT(fields.message(), ::testing::HasSubstr(expected.error));
    return;
  }
  ASSERT_TRUE(fields.ok()) << fields.message() << " (passes: " << passes << ")";
  EXPECT_EQ(fields->mac ? fields->mac->str() : "", expected.mac) << passes;
  EXPECT_EQ(fields->serial.value_or(""), expected.serial) << passes;
  EXPECT_EQ(fields->model.value_or(""), expected.model) << passes;
}

INSTANTIATE_TEST_SUITE_P(Labels, GoldenLabel, ::testing::ValuesIn(list_cases()),
                         [](const ::testing::TestParamInfo<golden_case>& param) {
                           return param.param.name;
                         });

// Verify that recipes with unknown keys or bad values are refused, so typos do not pass silently.
TEST(LabelRecipe, RejectsMalformedRecipes) {
  EXPECT_THROW(parse_recipe("colour = red\n", "x"), label_error);
  EXPECT_THROW(parse_recipe("rotate = left\n", "x"), label_error);
  EXPECT_THROW(parse_recipe("canvas = big\n", "x"), label_error);
  EXPECT_THROW(parse_recipe("just words\n", "x"), label_error);
  const label_recipe r =
      parse_recipe("# comment\nstyle = qr\nrotate = -12.5\ncanvas = 640x480\n", "x");
  EXPECT_EQ(r.style, "qr");
  EXPECT_DOUBLE_EQ(r.rotate, -12.5);
  EXPECT_EQ(r.canvas_width, 640);
}

}  // namespace
}  // namespace provstation::scanner::test
