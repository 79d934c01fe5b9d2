// SPDX-License-Identifier: Apache-2.0
/// @file Real TFTP clients (curl, tftp-hpa, busybox, atftp) against the server on 127.0.0.1:
/// byte-exact (SHA-256) at blksize 512, 1468, 8192 and 65464, with and without windowsize,
/// a zero-byte file, files of exactly one block and a file over 32 MiB (block rollover).
#include "harness.hpp"

#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace provstation::tftpd::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

enum class client_kind { curl, tftp_hpa, busybox, atftp };

struct client_case {
  client_kind client;
  std::uint16_t blksize;
  std::uint16_t windowsize;
  std::string file;
};

std::string client_name(client_kind c) {
  switch (c) {
    case client_kind::curl: return "Curl";
    case client_kind::tftp_hpa: return "TftpHpa";
    case client_kind::busybox: return "Busybox";
    case client_kind::atftp: return "Atftp";
  }
  return "";
}

std::string program(client_kind c) {
  switch (c) {
    case client_kind::curl: return "curl";
    case client_kind::tftp_hpa: return "tftp";
    case client_kind::busybox: return "busybox";
    case client_kind::atftp: return "atftp";
  }
  return "";
}

std::vector<std::string> command(const client_case& c, std::uint16_t port, const std::string& out) {
  const std::string p = std::to_string(port);
  const std::string b = std::to_string(c.blksize);
  switch (c.client) {
    case client_kind::curl:
      return {"curl", "-s", "-S", "--max-time", "120", "--tftp-blksize", b, "-o", out,
              "tftp://127.0.0.1:" + p + "/" + c.file};
    case client_kind::tftp_hpa:
      return {"tftp", "127.0.0.1", p, "-m", "binary", "-c", "get", c.file, out};
    case client_kind::busybox:
      return {"busybox", "tftp", "-g", "-b", b, "-r", c.file, "-l", out, "127.0.0.1", p};
    case client_kind::atftp: {
      std::vector<std::string> v{"atftp", "-g", "-r", c.file, "-l", out, "--option",
                                 "blksize " + b, "--option", "tsize enable"};
      if (c.windowsize > 1) {
        v.push_back("--option");
        v.push_back("windowsize " + std::to_string(c.windowsize));
      }
      v.push_back("127.0.0.1");
      v.push_back(p);
      return v;
    }
  }
  return {};
}

// One root per process, filled lazily: ctest runs every case as its own process, so each
// case generates only the file it downloads.
class TftpClients : public ::testing::TestWithParam<client_case> {
 public:
  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }

 protected:
  static const provstation::test::temp_dir& root_with(const std::string& file) {
    if (root_ == nullptr) root_ = new provstation::test::temp_dir();
    if (!fs::exists(root_->file(file))) {
      std::uint64_t size = 0;
      if (file == "f3M") size = 3 * 1024 * 1024 + 777;
      if (file == "f40M") size = 40ULL * 1024 * 1024 + 3;
      if (file.rfind("one", 0) == 0) size = std::stoull(file.substr(3));
      write_random_file(root_->file(file), size, static_cast<unsigned>(size % 1000 + 1));
    }
    return *root_;
  }

  static provstation::test::temp_dir* root_;
};

provstation::test::temp_dir* TftpClients::root_ = nullptr;

// Verify that the client downloads the file byte-exact and the server reports a confirmed
// completion with the negotiated block and window sizes.
TEST_P(TftpClients, DownloadsByteExact) {
  const auto& c = GetParam();
  if (!have_program(program(c.client))) GTEST_SKIP() << program(c.client) << " not installed";
  server_options opts;
  opts.max_blksize = 65464;
  opts.max_windowsize = 64;
  const auto& root = root_with(c.file);
  server_harness h(root.path().string(), opts);
  provstation::test::temp_dir out_dir;
  const std::string out = out_dir.file("out.bin");

  const auto r = run_process(command(c, h.port(), out), out_dir.path().string(), seconds(120));
  ASSERT_FALSE(r.timed_out) << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::exists(out)) << r.output;
  EXPECT_EQ(fs::file_size(out), fs::file_size(root.file(c.file)));
  EXPECT_EQ(sha256_file(out), sha256_file(root.file(c.file)));

  auto& obs = h.observer();
  ASSERT_TRUE(obs.wait([&] { return !obs.completed.empty() || !obs.failed.empty(); }));
  std::lock_guard lock(obs.mutex);
  ASSERT_EQ(obs.completed.size(), 1U) << (obs.failed.empty() ? "" : obs.failed[0].reason);
  EXPECT_EQ(obs.completed[0].how, completion::confirmed);
  EXPECT_EQ(obs.completed[0].info.path, c.file);
  EXPECT_EQ(obs.completed[0].info.size, fs::file_size(root.file(c.file)));
  const bool asks_blksize = c.client != client_kind::tftp_hpa;
  EXPECT_EQ(obs.completed[0].info.blksize, asks_blksize ? c.blksize : 512);
  if (c.windowsize > 1) {
    EXPECT_EQ(obs.completed[0].info.windowsize, c.windowsize);
  }
  EXPECT_EQ(obs.started.size(), 1U);
  EXPECT_TRUE(obs.failed.empty());
}

std::vector<client_case> cases() {
  std::vector<client_case> v;
  for (auto client : {client_kind::curl, client_kind::busybox, client_kind::atftp}) {
    for (std::uint16_t b : {512, 1468, 8192, 65464}) {
      v.push_back({client, b, 1, "f3M"});
      v.push_back({client, b, 1, "one" + std::to_string(b)});
      v.push_back({client, b, 1, "zero"});
    }
  }
  v.push_back({client_kind::tftp_hpa, 512, 1, "f3M"});
  v.push_back({client_kind::tftp_hpa, 512, 1, "one512"});
  v.push_back({client_kind::tftp_hpa, 512, 1, "zero"});
  v.push_back({client_kind::atftp, 512, 16, "f3M"});
  v.push_back({client_kind::atftp, 1468, 16, "f3M"});
  v.push_back({client_kind::atftp, 1468, 16, "one1468"});
  for (auto client :
       {client_kind::curl, client_kind::tftp_hpa, client_kind::busybox, client_kind::atftp}) {
    v.push_back({client, 512, 1, "f40M"});
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(Matrix, TftpClients, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<client_case>& param_info) {
                           const auto& c = param_info.param;
                           std::string file = c.file;
                           file[0] = static_cast<char>(file[0] - 'a' + 'A');
                           return client_name(c.client) + std::to_string(c.blksize) + "W" +
                                  std::to_string(c.windowsize) + file;
                         });

std::vector<std::string> upload_command(client_kind c, std::uint16_t port, const std::string& local,
                                        const std::string& remote) {
  const std::string p = std::to_string(port);
  switch (c) {
    case client_kind::curl:
      return {"curl", "-s", "-S", "--max-time", "60", "--tftp-blksize", "1468", "-T", local,
              "tftp://127.0.0.1:" + p + "/" + remote};
    case client_kind::tftp_hpa:
      return {"tftp", "127.0.0.1", p, "-m", "binary", "-c", "put", local, remote};
    case client_kind::busybox:
      return {"busybox", "tftp", "-p", "-b", "1468", "-l", local, "-r", remote, "127.0.0.1", p};
    case client_kind::atftp:
      return {"atftp", "-p", "-l", local, "-r", remote, "--option", "blksize 1468", "--option",
              "windowsize 8", "127.0.0.1", p};
  }
  return {};
}

class TftpClientUploads : public ::testing::TestWithParam<client_kind> {};

// Verify that each client uploads a file byte-exact into the upload directory.
TEST_P(TftpClientUploads, UploadsByteExact) {
  const auto c = GetParam();
  if (!have_program(program(c))) GTEST_SKIP() << program(c) << " not installed";
  provstation::test::temp_dir root;
  provstation::test::temp_dir up;
  write_random_file(root.file("src.bin"), 1024 * 1024 + 99, 7);
  server_options opts;
  opts.upload_dir = up.path().string();
  server_harness h(root.path().string(), opts);
  const auto r = run_process(upload_command(c, h.port(), root.file("src.bin"), "dst.bin"),
                             root.path().string(), seconds(60));
  ASSERT_FALSE(r.timed_out) << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto& obs = h.observer();
  ASSERT_TRUE(obs.wait([&] { return !obs.completed.empty() || !obs.failed.empty(); }));
  EXPECT_EQ(sha256_file(up.file("dst.bin")), sha256_file(root.file("src.bin")));
  std::lock_guard lock(obs.mutex);
  ASSERT_EQ(obs.completed.size(), 1U);
  EXPECT_TRUE(obs.completed[0].info.upload);
  EXPECT_EQ(obs.completed[0].info.size, 1024U * 1024 + 99);
}

INSTANTIATE_TEST_SUITE_P(Clients, TftpClientUploads,
                         ::testing::Values(client_kind::curl, client_kind::tftp_hpa,
                                           client_kind::busybox, client_kind::atftp),
                         [](const ::testing::TestParamInfo<client_kind>& param_info) {
                           return client_name(param_info.param);
                         });

constexpr const char* text_file = "line one\nline two\r\nbare\rcr\n\nlast";

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Verify netascii downloads: tftp-hpa translates back to the exact local text; curl (which
// does not translate) receives the netascii form with CR LF and CR NUL.
TEST(TftpNetascii, DownloadWithRealClients) {
  if (!have_program("tftp") || !have_program("curl")) GTEST_SKIP() << "tftp or curl missing";
  provstation::test::temp_dir root;
  root.write("text.txt", text_file);
  server_harness h(root.path().string());
  provstation::test::temp_dir out;
  auto r = run_process({"tftp", "127.0.0.1", std::to_string(h.port()), "-m", "netascii", "-c",
                        "get", "text.txt", "hpa.txt"},
                       out.path().string(), seconds(30));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_all(out.file("hpa.txt")), text_file);
  r = run_process({"curl", "-s", "-S", "-o", out.file("curl.txt"),
                   "tftp://127.0.0.1:" + std::to_string(h.port()) + "/text.txt;mode=netascii"},
                  out.path().string(), seconds(30));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  using namespace std::string_literals;
  EXPECT_EQ(read_all(out.file("curl.txt")),
            "line one\r\nline two\r\0\r\nbare\r\0cr\r\n\r\nlast"s);
}

// Verify a netascii upload with tftp-hpa: the stored file is the client's local text.
TEST(TftpNetascii, UploadWithTftpHpa) {
  if (!have_program("tftp")) GTEST_SKIP() << "tftp missing";
  provstation::test::temp_dir root;
  provstation::test::temp_dir up;
  root.write("text.txt", text_file);
  server_options opts;
  opts.upload_dir = up.path().string();
  server_harness h(root.path().string(), opts);
  const auto r = run_process({"tftp", "127.0.0.1", std::to_string(h.port()), "-m", "netascii",
                              "-c", "put", "text.txt", "stored.txt"},
                             root.path().string(), seconds(30));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().completed.size() == 1; }));
  EXPECT_EQ(read_all(up.file("stored.txt")), text_file);
}

}  // namespace
}  // namespace provstation::tftpd::test
