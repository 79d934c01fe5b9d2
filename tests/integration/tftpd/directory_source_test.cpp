// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the directory file source on real files: confinement, case-insensitive
/// lookup, the shared mapping cache and refusals.
#include <provstation/tftpd/file_source.hpp>

#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <chrono>

#include <sys/stat.h>

namespace provstation::tftpd {
namespace {

namespace fs = std::filesystem;

open_result open(file_source& src, const std::string& path) {
  open_result out;
  bool called = false;
  src.async_open(open_request{path, {}}, [&](open_result r) {
    out = std::move(r);
    called = true;
  });
  EXPECT_TRUE(called);
  return out;
}

std::string content(const readable& r) {
  std::string s(r.size(), '\0');
  EXPECT_EQ(r.read(0, std::as_writable_bytes(std::span(s))), s.size());
  return s;
}

class TftpDirectorySource : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path() / "root";
    fs::create_directories(root_ / "sub");
    write("root/hello.txt", "hello");
    write("root/sub/SPA504G.cfg", "<flat-profile/>");
    write("outside.txt", "secret");
  }
  void write(const std::string& rel, const std::string& data) { tmp_.write(rel, data); }

  test::temp_dir tmp_;
  fs::path root_;
};

// Verify that a file inside the root is served with its size and bytes.
TEST_F(TftpDirectorySource, ServesFile) {
  auto src = make_directory_source(root_.string(), false);
  auto r = open(*src, "hello.txt");
  ASSERT_TRUE(r.file);
  EXPECT_EQ(r.file->size(), 5U);
  EXPECT_EQ(content(*r.file), "hello");
}

// Verify that a leading slash means the root, as tftpd-hpa -s does.
TEST_F(TftpDirectorySource, LeadingSlashIsRoot) {
  auto src = make_directory_source(root_.string(), false);
  EXPECT_TRUE(open(*src, "/hello.txt").file);
  EXPECT_TRUE(open(*src, "//sub/./SPA504G.cfg").file);
}

// Verify that a missing file is "file not found".
TEST_F(TftpDirectorySource, MissingFileNotFound) {
  auto src = make_directory_source(root_.string(), false);
  auto r = open(*src, "nope.bin");
  EXPECT_FALSE(r.file);
  EXPECT_EQ(r.code, error_code::file_not_found);
  EXPECT_EQ(r.message, "file not found");
}

// Verify that any ".." component is an access violation, even one that stays inside.
TEST_F(TftpDirectorySource, DotDotRefused) {
  auto src = make_directory_source(root_.string(), false);
  for (const char* p : {"../outside.txt", "sub/../../outside.txt", "sub/../hello.txt", ".."}) {
    auto r = open(*src, p);
    EXPECT_FALSE(r.file) << p;
    EXPECT_EQ(r.code, error_code::access_violation) << p;
  }
}

// Verify that symlinks leading out of the root are refused, absolute or relative.
TEST_F(TftpDirectorySource, SymlinkEscapeRefused) {
  fs::create_symlink(tmp_.path() / "outside.txt", root_ / "abs-link");
  fs::create_symlink("../outside.txt", root_ / "rel-link");
  fs::create_directory_symlink(tmp_.path(), root_ / "dir-link");
  auto src = make_directory_source(root_.string(), false);
  for (const char* p : {"abs-link", "rel-link", "dir-link/outside.txt"}) {
    auto r = open(*src, p);
    EXPECT_FALSE(r.file) << p;
    EXPECT_EQ(r.code, error_code::access_violation) << p;
  }
}

// Verify that a symlink that stays inside the root is followed.
TEST_F(TftpDirectorySource, SymlinkInsideRootServed) {
  fs::create_symlink("hello.txt", root_ / "alias.txt");
  auto src = make_directory_source(root_.string(), false);
  auto r = open(*src, "alias.txt");
  ASSERT_TRUE(r.file);
  EXPECT_EQ(content(*r.file), "hello");
}

// Verify that a directory or a FIFO is refused without blocking.
TEST_F(TftpDirectorySource, NonRegularFilesRefused) {
  ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0600), 0);
  auto src = make_directory_source(root_.string(), false);
  for (const char* p : {"sub", "fifo", "/"}) {
    auto r = open(*src, p);
    EXPECT_FALSE(r.file) << p;
  }
  EXPECT_EQ(open(*src, "sub").code, error_code::access_violation);
  EXPECT_EQ(open(*src, "fifo").code, error_code::access_violation);
}

// Verify that case-insensitive lookup finds names in any case, through directories.
TEST_F(TftpDirectorySource, CaseInsensitiveLookup) {
  auto strict = make_directory_source(root_.string(), false);
  EXPECT_FALSE(open(*strict, "SUB/spa504g.cfg").file);
  auto relaxed = make_directory_source(root_.string(), true);
  auto r = open(*relaxed, "SUB/spa504g.cfg");
  ASSERT_TRUE(r.file);
  EXPECT_EQ(content(*r.file), "<flat-profile/>");
  EXPECT_FALSE(open(*relaxed, "../OUTSIDE.TXT").file);
}

// Verify that an exact-case match wins over another name differing only in case.
TEST_F(TftpDirectorySource, ExactCaseWins) {
  write("root/a.cfg", "lower");
  write("root/A.cfg", "upper");
  auto src = make_directory_source(root_.string(), true);
  EXPECT_EQ(content(*open(*src, "A.cfg").file), "upper");
  EXPECT_EQ(content(*open(*src, "a.cfg").file), "lower");
}

// Verify that a large file is mapped once and shared while in use, and re-read after change.
TEST_F(TftpDirectorySource, LargeFilesShareOneMapping) {
  write("root/fw.bin", std::string(300000, 'x'));
  auto src = make_directory_source(root_.string(), false);
  auto a = open(*src, "fw.bin");
  auto b = open(*src, "/fw.bin");
  ASSERT_TRUE(a.file && b.file);
  EXPECT_EQ(a.file.get(), b.file.get());
  ASSERT_EQ(a.file->contiguous().size(), 300000U);
  EXPECT_EQ(static_cast<char>(a.file->contiguous()[299999]), 'x');

  // Replace the content (new size): a new open sees it, the old one keeps its own.
  write("root/fw.bin", std::string(400000, 'y'));
  auto c = open(*src, "fw.bin");
  ASSERT_TRUE(c.file);
  EXPECT_NE(c.file.get(), a.file.get());
  EXPECT_EQ(c.file->size(), 400000U);
}

// Verify that a small file unchanged for a while is served from one kept copy, that a fresh file
// is read each time, and that a change of the same size is seen at once.
TEST_F(TftpDirectorySource, SmallFilesAreKeptUntilTheyChange) {
  write("root/seed.cfg", "AAAA");
  auto src = make_directory_source(root_.string(), false);
  // Just written: read afresh each time (the kernel's mtime clock is coarse).
  auto a = open(*src, "seed.cfg");
  auto b = open(*src, "seed.cfg");
  ASSERT_TRUE(a.file && b.file);
  EXPECT_NE(a.file.get(), b.file.get());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto c = open(*src, "seed.cfg");
  auto d = open(*src, "seed.cfg");
  ASSERT_TRUE(c.file && d.file);
  EXPECT_EQ(c.file.get(), d.file.get()) << "a settled file is served from one copy";
  EXPECT_EQ(content(*d.file), "AAAA");
  // Rewritten in place, same size: its ctime and mtime move, and the new bytes are served.
  {
    std::fstream f(root_ / "seed.cfg", std::ios::in | std::ios::out | std::ios::binary);
    f << "BBBB";
  }
  auto e = open(*src, "seed.cfg");
  ASSERT_TRUE(e.file);
  EXPECT_EQ(content(*e.file), "BBBB");
  EXPECT_EQ(content(*c.file), "AAAA") << "a transfer already under way keeps its bytes";
}

// Verify that a missing root refuses every request instead of failing later.
TEST_F(TftpDirectorySource, MissingRootRefuses) {
  auto src = make_directory_source((tmp_.path() / "nope").string(), false);
  auto r = open(*src, "hello.txt");
  EXPECT_FALSE(r.file);
  EXPECT_EQ(r.code, error_code::not_defined);
}

}  // namespace
}  // namespace provstation::tftpd
