// SPDX-License-Identifier: Apache-2.0
/// @file Isolation of image decoding in the worker process: a real ZXing abort, a hanging or
/// garbled worker and hostile images each give a clean error, and the caller keeps working.
#include <provstation/scanner/isolated_decoder.hpp>

#include "label_maker.hpp"

#include <provstation/scanner/image_decoder.hpp>
#include <provstation/scanner/oui_registry.hpp>
#include <provstation/scanner/scan_text.hpp>
#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

namespace provstation::scanner::test {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

isolation_options worker(std::chrono::milliseconds timeout = 10s) {
  isolation_options o;
  o.worker_path = PROVSTATION_SCAN_WORKER_PATH;
  o.timeout = timeout;
  return o;
}

// An executable shell script standing in for the worker.
std::string fake_worker(const provstation::test::temp_dir& dir, const std::string& body) {
  const std::string path = dir.write("fake-worker", "#!/bin/sh\n" + body + "\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

scan_fields read_fields(const std::vector<barcode>& codes) {
  std::vector<std::string> values;
  for (const auto& b : codes) values.push_back(b.aim_text());
  label_context ctx;
  ctx.ouis = &oui_registry::none();
  auto f = parse_scan_values(values, ctx);
  EXPECT_TRUE(f.ok()) << f.message();
  return f.ok() ? *f : scan_fields{};
}

class ScanIsolation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!label_tools_available()) return;
    dir_ = new provstation::test::temp_dir();
    crash_image_ =
        new std::string(make_label(parse_recipe(read_file(std::string(PROVSTATION_LABELS_DIR) +
                                                          "/crash/zxing_defaults_abort.recipe"),
                                                "crash"),
                                   dir_->path().string()));
  }
  static void TearDownTestSuite() {
    delete crash_image_;
    delete dir_;
    crash_image_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (crash_image_ == nullptr) GTEST_SKIP() << "zint and ImageMagick are needed";
  }

  static provstation::test::temp_dir* dir_;
  static std::string* crash_image_;
};

provstation::test::temp_dir* ScanIsolation::dir_ = nullptr;
std::string* ScanIsolation::crash_image_ = nullptr;

// Verify the premise with a real crash: in this process, Debian's ZXing 1.4 with its default
// hints aborts on the clean 3 px/module label.
TEST_F(ScanIsolation, DefaultHintsAbortInProcess) {
  GTEST_FLAG_SET(death_test_style, "fast");
  decode_options defaults;
  defaults.strategy = decode_strategy::zxing_defaults;
  EXPECT_DEATH((void)decode_image_file(*crash_image_, defaults), "lineCount\\(\\) == 1");
}

// Verify the isolation proof: the same crash in the worker is a clean "could not decode" error,
// and this process goes on decoding (the label reads with our pipeline, again and again).
TEST_F(ScanIsolation, SurvivesRealZxingAbort) {
  isolation_options crash = worker();
  crash.decode.strategy = decode_strategy::zxing_defaults;
  for (int round = 0; round < 2; ++round) {
    auto crashed = decode_image_file_isolated(*crash_image_, crash);
    ASSERT_FALSE(crashed.ok());
    EXPECT_EQ(crashed.message(), "could not decode the image: the decoder crashed (SIGABRT)");

    decode_stats stats;
    auto codes = decode_image_file_isolated(*crash_image_, worker(), &stats);
    ASSERT_TRUE(codes.ok()) << codes.message();
    const scan_fields f = read_fields(*codes);
    ASSERT_TRUE(f.complete());
    EXPECT_EQ(f.mac->str(), "0023ab1c2d3e");
    EXPECT_EQ(*f.serial, "CCQ17410ABC");
    EXPECT_EQ(*f.model, "SPA525G2");
    EXPECT_GT(stats.wall_time.count(), 0);
  }
}

// Verify that an upload goes the same way as a file.
TEST_F(ScanIsolation, DecodesBytes) {
  const std::string data = read_file(*crash_image_);
  std::vector<std::byte> bytes(data.size());
  std::memcpy(bytes.data(), data.data(), data.size());
  auto codes = decode_image_bytes_isolated(bytes, worker());
  ASSERT_TRUE(codes.ok()) << codes.message();
  EXPECT_TRUE(read_fields(*codes).complete());
}

// Verify that a worker that hangs is killed at the timeout and reaped.
TEST_F(ScanIsolation, KillsHangingWorker) {
  provstation::test::temp_dir dir;
  const std::string pid_file = dir.file("pid");
  isolation_options o = worker(300ms);
  o.worker_path = fake_worker(dir, "echo $$ > " + pid_file + "\nexec sleep 30");
  const auto start = std::chrono::steady_clock::now();
  auto r = decode_image_file_isolated(*crash_image_, o);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "could not decode the image: the decoder took longer than 300 ms");
  EXPECT_LT(took, 3s);
  const pid_t pid = static_cast<pid_t>(std::stol(read_file(pid_file)));
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

// Verify that a worker that exits early, fails, or answers garbage gives a clean error.
TEST_F(ScanIsolation, RejectsMisbehavingWorkers) {
  provstation::test::temp_dir dir;
  isolation_options o = worker();
  o.worker_path = fake_worker(dir, "cat > /dev/null\necho nonsense");
  EXPECT_EQ(decode_image_file_isolated(*crash_image_, o).message(),
            "worker answer has no valid header");
  o.worker_path = fake_worker(dir, "exit 3");
  EXPECT_EQ(decode_image_file_isolated(*crash_image_, o).message(),
            "could not decode the image: the decoder failed (exit status 3)");
  o.worker_path = fake_worker(dir, "kill -SEGV $$");
  EXPECT_EQ(decode_image_file_isolated(*crash_image_, o).message(),
            "could not decode the image: the decoder crashed (SIGSEGV)");
  o.worker_path = dir.file("no-such-worker");
  EXPECT_EQ(decode_image_file_isolated(*crash_image_, o).message(),
            "could not decode the image: the decoder could not be started");
}

// Verify that a worker run as a subcommand of another executable gets its prefix arguments.
TEST_F(ScanIsolation, PassesPrefixArguments) {
  provstation::test::temp_dir dir;
  isolation_options o = worker();
  o.worker_path = fake_worker(dir, std::string("[ \"$1\" = scan-worker ] || exit 9\nshift\nexec ") +
                                       PROVSTATION_SCAN_WORKER_PATH + " \"$@\"");
  o.worker_prefix_args = {"scan-worker"};
  auto codes = decode_image_file_isolated(*crash_image_, o);
  ASSERT_TRUE(codes.ok()) << codes.message();
  EXPECT_TRUE(read_fields(*codes).complete());
  o.worker_prefix_args.clear();
  EXPECT_EQ(decode_image_file_isolated(*crash_image_, o).message(),
            "could not decode the image: the decoder failed (exit status 9)");
}

// Verify that hostile or oversized images are refused, in the caller or in the worker.
TEST_F(ScanIsolation, RefusesHostileImages) {
  isolation_options small = worker();
  small.decode.limits.max_file_bytes = 100;
  EXPECT_EQ(decode_image_file_isolated(*crash_image_, small).message(),
            "image is larger than 100 bytes");
  std::string bomb("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x4e\x20\0\0\x4e\x20\x08\0\0\0\0\0\0\0\0",
                   33);
  std::vector<std::byte> bytes(bomb.size());
  std::memcpy(bytes.data(), bomb.data(), bomb.size());
  EXPECT_EQ(decode_image_bytes_isolated(bytes, worker()).message(),
            "image is too large (20000x20000 pixels; the limit is 16384x16384 and 50000000 "
            "pixels)");
  EXPECT_EQ(decode_image_bytes_isolated({}, worker()).message(), "image is empty");
  EXPECT_EQ(decode_image_file_isolated("/nonexistent.png", worker()).message(),
            "cannot open /nonexistent.png");
}

}  // namespace
}  // namespace provstation::scanner::test
