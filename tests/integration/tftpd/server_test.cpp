// SPDX-License-Identifier: Apache-2.0
/// @file Protocol behaviour of the server on 127.0.0.1 with hand-made packets: OACK content,
/// wrong TID, duplicate requests, refusals, caps, port range, "completed, unconfirmed",
/// shutdown and malformed input.
#include <provstation/tftpd/server.hpp>

#include "harness.hpp"

#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace provstation::tftpd::test {
namespace {

using std::chrono::milliseconds;

std::vector<std::byte> rrq(const std::string& file, std::vector<option> options = {},
                           const std::string& mode = "octet") {
  return encode_request(opcode::rrq, file, mode, options);
}

packet decode(const std::vector<std::byte>& b) {
  auto p = decode_packet(b);
  EXPECT_TRUE(p.ok()) << p.message();
  return p.ok() ? *p : packet{ack_packet{9999}};
}

// Fetches a whole file as a well-behaved lock-step client; returns the content.
std::string fetch(raw_client& c, std::uint16_t server_port, const std::string& file,
                  std::vector<option> options = {}) {
  c.send_to(server_port, rrq(file, options));
  std::string content;
  std::uint16_t tid = 0;
  std::size_t blksize = 512;
  for (const auto& o : options) {
    if (o.name == "blksize") blksize = std::stoul(o.value);
  }
  for (;;) {
    auto in = c.receive(tid);
    if (!in) return content + "<timeout>";
    const auto p = decode(*in);
    if (const auto* oack = std::get_if<oack_packet>(&p)) {
      static_cast<void>(oack);
      c.send_to(tid, encode_ack(0));
      continue;
    }
    const auto* d = std::get_if<data_packet>(&p);
    if (d == nullptr) return content + "<unexpected>";
    content.append(reinterpret_cast<const char*>(d->payload.data()), d->payload.size());
    c.send_to(tid, encode_ack(d->block));
    if (d->payload.size() < blksize) return content;
  }
}

class TftpServer : public ::testing::Test {
 protected:
  void SetUp() override {
    root_.write("small.txt", "hello, phone");
    root_.write("two.bin", std::string(700, 'z'));
    root_.write("Spa504G.cfg", "<flat-profile/>");
    root_.write("big.bin", std::string(20000, 'b'));
  }
  provstation::test::temp_dir root_;
};

// Verify that a bare RRQ gets DATA 1 directly (no OACK) and the file arrives.
TEST_F(TftpServer, BareRequestGetsDataDirectly) {
  server_harness h(root_.path().string());
  raw_client c;
  EXPECT_EQ(fetch(c, h.port(), "small.txt"), "hello, phone");
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().completed.size() == 1; }));
}

// Verify that the OACK carries only options the client asked for, and that an RRQ with only
// unknown options gets DATA 1 directly.
TEST_F(TftpServer, OackOnlyRequestedOptions) {
  server_harness h(root_.path().string());
  raw_client c;
  c.send_to(h.port(), rrq("small.txt", {{"blksize", "1024"}}));
  std::uint16_t tid = 0;
  auto in = c.receive(tid);
  ASSERT_TRUE(in);
  const auto p = decode(*in);
  ASSERT_TRUE(std::holds_alternative<oack_packet>(p));
  const auto& o = std::get<oack_packet>(p).options;
  ASSERT_EQ(o.size(), 1U);
  EXPECT_EQ(o[0], (option{"blksize", "1024"}));
  // The encoded OACK has no padding: exactly the pairs.
  EXPECT_EQ(in->size(), 2U + 8U + 5U);

  raw_client c2;
  c2.send_to(h.port(), rrq("small.txt", {{"multicast", ""}, {"foo", "bar"}}));
  auto in2 = c2.receive(tid);
  ASSERT_TRUE(in2);
  EXPECT_TRUE(std::holds_alternative<data_packet>(decode(*in2)));
}

// Verify that a packet from a wrong port gets ERROR 5 and the real transfer carries on.
TEST_F(TftpServer, WrongTidGetsErrorFiveAndTransferContinues) {
  server_harness h(root_.path().string());
  raw_client c;
  raw_client intruder;
  c.send_to(h.port(), rrq("two.bin"));
  std::uint16_t tid = 0;
  auto first = c.receive(tid);
  ASSERT_TRUE(first);
  ASSERT_EQ(std::get<data_packet>(decode(*first)).block, 1);

  intruder.send_to(tid, encode_ack(1));
  std::uint16_t from = 0;
  auto err = intruder.receive(from);
  ASSERT_TRUE(err);
  EXPECT_EQ(from, tid);
  const auto e = decode(*err);
  ASSERT_TRUE(std::holds_alternative<error_packet>(e));
  EXPECT_EQ(std::get<error_packet>(e).code, 5);

  c.send_to(tid, encode_ack(1));
  auto second = c.receive(tid);
  ASSERT_TRUE(second);
  const auto d = std::get<data_packet>(decode(*second));
  EXPECT_EQ(d.block, 2);
  EXPECT_EQ(d.payload.size(), 700U - 512U);
  c.send_to(tid, encode_ack(2));
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().completed.size() == 1; }));
  EXPECT_EQ(h.srv().statistics().wrong_tid, 1U);
}

// Verify that a repeated RRQ from the same client port is folded into the running transfer.
TEST_F(TftpServer, DuplicateRequestIsSameTransfer) {
  server_harness h(root_.path().string());
  raw_client c;
  c.send_to(h.port(), rrq("two.bin"));
  c.send_to(h.port(), rrq("two.bin"));
  std::uint16_t tid1 = 0;
  std::uint16_t tid2 = 0;
  auto a = c.receive(tid1);
  auto b = c.receive(tid2, milliseconds(500));
  ASSERT_TRUE(a);
  // A second DATA 1 may come (resent for the repeated request), always from the same port.
  if (b) {
    EXPECT_EQ(tid1, tid2);
  }
  c.send_to(tid1, encode_ack(1));
  std::uint16_t tid = 0;
  for (;;) {
    auto in = c.receive(tid);
    ASSERT_TRUE(in);
    const auto d = std::get<data_packet>(decode(*in));
    if (d.block == 2) break;
  }
  c.send_to(tid1, encode_ack(2));
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().completed.size() == 1; }));
  {
    std::lock_guard lock(h.observer().mutex);
    EXPECT_EQ(h.observer().started.size(), 1U);
  }
  EXPECT_GE(h.srv().statistics().duplicate_requests, 1U);
  // The client answered that transfer, so the same request from the same port a moment later
  // is a new one (a kernel hands ephemeral ports out again), not a late copy to ignore.
  c.send_to(h.port(), rrq("two.bin"));
  std::uint16_t tid3 = 0;
  auto again = c.receive(tid3, milliseconds(500));
  ASSERT_TRUE(again) << "a new request within the duplicate window must be served";
  EXPECT_EQ(std::get<data_packet>(decode(*again)).block, 1);
  std::lock_guard lock(h.observer().mutex);
  EXPECT_EQ(h.observer().started.size(), 2U);
}

// Verify that a missing file is refused with ERROR 1 and reported.
TEST_F(TftpServer, MissingFileRefused) {
  server_harness h(root_.path().string());
  raw_client c;
  c.send_to(h.port(), rrq("nope"));
  std::uint16_t tid = 0;
  auto in = c.receive(tid);
  ASSERT_TRUE(in);
  const auto e = std::get<error_packet>(decode(*in));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.message, "file not found");
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().refused.size() == 1; }));
  EXPECT_EQ(h.observer().refused[0].code, error_code::file_not_found);
}

// Verify that a path outside the root is refused with ERROR 2.
TEST_F(TftpServer, EscapeRefused) {
  server_harness h(root_.path().string());
  raw_client c;
  c.send_to(h.port(), rrq("../../etc/passwd"));
  std::uint16_t tid = 0;
  auto in = c.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<error_packet>(decode(*in)).code, 2);
}

// Verify that case-insensitive serving finds the file in another case.
TEST_F(TftpServer, CaseInsensitiveOption) {
  server_harness h(root_.path().string(), {}, true);
  raw_client c;
  EXPECT_EQ(fetch(c, h.port(), "spa504g.CFG"), "<flat-profile/>");
}

// Verify that WRQ is refused with ERROR 2 when no upload directory is configured.
TEST_F(TftpServer, WriteRequestRefusedByDefault) {
  server_harness h(root_.path().string());
  raw_client c;
  c.send_to(h.port(), encode_request(opcode::wrq, "up.bin", "octet", {}));
  std::uint16_t tid = 0;
  auto in = c.receive(tid);
  ASSERT_TRUE(in);
  const auto e = std::get<error_packet>(decode(*in));
  EXPECT_EQ(e.code, 2);
  EXPECT_EQ(e.message, "uploads are disabled");
}

// Verify that mail mode is refused with ERROR 4.
TEST_F(TftpServer, MailModeRefused) {
  server_harness h(root_.path().string());
  raw_client c;
  c.send_to(h.port(), rrq("small.txt", {}, "mail"));
  std::uint16_t tid = 0;
  auto in = c.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<error_packet>(decode(*in)).code, 4);
}

// Verify that a malformed request gets ERROR 4, stray packets get nothing, and the server
// keeps serving.
TEST_F(TftpServer, MalformedInputAnsweredOrDropped) {
  server_harness h(root_.path().string());
  raw_client c;
  std::uint16_t tid = 0;
  c.send_to(h.port(), {std::byte{0}, std::byte{1}, std::byte{'x'}});
  auto in = c.receive(tid);
  ASSERT_TRUE(in);
  const auto e = std::get<error_packet>(decode(*in));
  EXPECT_EQ(e.code, 4);
  EXPECT_EQ(e.message, "filename is not NUL-terminated");
  for (const auto& junk : {encode_ack(1), encode_error(std::uint16_t{0}, "x"),
                           std::vector<std::byte>{std::byte{9}}, std::vector<std::byte>{}}) {
    c.send_to(h.port(), junk);
  }
  EXPECT_FALSE(c.receive(tid, milliseconds(200)));
  EXPECT_EQ(fetch(c, h.port(), "small.txt"), "hello, phone");
  EXPECT_GE(h.srv().statistics().malformed, 4U);
}

// Verify that requests over the per-client cap are dropped, and served once a slot frees.
TEST_F(TftpServer, PerClientCapDropsExcess) {
  server_options o;
  o.max_transfers_per_client = 1;
  server_harness h(root_.path().string(), o);
  raw_client a;
  raw_client b;
  a.send_to(h.port(), rrq("small.txt"));
  std::uint16_t tid = 0;
  ASSERT_TRUE(a.receive(tid));
  b.send_to(h.port(), rrq("small.txt"));
  std::uint16_t ignored = 0;
  EXPECT_FALSE(b.receive(ignored, milliseconds(300)));
  EXPECT_EQ(h.srv().statistics().dropped_busy, 1U);
  a.send_to(tid, encode_ack(1));
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().completed.size() == 1; }));
  // The freed slot is released through the listener; give it a moment, then retry.
  for (int i = 0; i < 400 && h.srv().active_transfers() != 0; ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_EQ(h.srv().active_transfers(), 0U);
  EXPECT_EQ(fetch(b, h.port(), "small.txt"), "hello, phone");
}

// Verify that the global cap applies across clients.
TEST_F(TftpServer, GlobalCapDropsExcess) {
  server_options o;
  o.max_transfers = 2;
  server_harness h(root_.path().string(), o);
  raw_client a, b, c;
  std::uint16_t tid = 0;
  a.send_to(h.port(), rrq("small.txt"));
  ASSERT_TRUE(a.receive(tid));
  b.send_to(h.port(), rrq("small.txt"));
  ASSERT_TRUE(b.receive(tid));
  c.send_to(h.port(), rrq("small.txt"));
  EXPECT_FALSE(c.receive(tid, milliseconds(300)));
  EXPECT_EQ(h.srv().statistics().dropped_busy, 1U);
}

// Verify that transfers come from ports inside the configured range.
TEST_F(TftpServer, TransferPortsFromRange) {
  server_options o;
  o.port_range_first = 47100;
  o.port_range_last = 47109;
  server_harness h(root_.path().string(), o);
  for (int i = 0; i < 5; ++i) {
    raw_client c;
    c.send_to(h.port(), rrq("small.txt"));
    std::uint16_t tid = 0;
    ASSERT_TRUE(c.receive(tid));
    EXPECT_GE(tid, 47100);
    EXPECT_LE(tid, 47109);
  }
}

// Verify that a client that never acknowledges the last block yields "completed, unconfirmed".
TEST_F(TftpServer, MissingFinalAckIsUnconfirmed) {
  server_options o;
  o.initial_rto = milliseconds(20);
  o.max_retries = 2;
  server_harness h(root_.path().string(), o);
  raw_client c;
  c.send_to(h.port(), rrq("two.bin"));
  std::uint16_t tid = 0;
  ASSERT_TRUE(c.receive(tid));
  c.send_to(tid, encode_ack(1));
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().completed.size() == 1; }));
  EXPECT_EQ(h.observer().completed[0].how, completion::unconfirmed);
  EXPECT_TRUE(h.observer().failed.empty());
}

// Verify that a silent client fails with a timeout after the retries (without final block).
TEST_F(TftpServer, SilentClientTimesOut) {
  server_options o;
  o.initial_rto = milliseconds(20);
  o.max_retries = 2;
  o.min_retry_time = milliseconds(0);
  server_harness h(root_.path().string(), o);
  raw_client c;
  c.send_to(h.port(), rrq("two.bin"));
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().failed.size() == 1; }));
  EXPECT_EQ(h.observer().failed[0].reason, "timeout waiting for ACK of block 1");
  // The first DATA and two retransmissions arrived, nothing more.
  int count = 0;
  std::uint16_t tid = 0;
  while (c.receive(tid, milliseconds(100))) ++count;
  EXPECT_EQ(count, 3);
}

// Verify that stop() ends running transfers with "shutdown" and tells the client.
TEST_F(TftpServer, StopEndsTransfers) {
  server_harness h(root_.path().string());
  raw_client c;
  c.send_to(h.port(), rrq("big.bin"));
  std::uint16_t tid = 0;
  ASSERT_TRUE(c.receive(tid));
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().started.size() == 1; }));
  h.shutdown();
  ASSERT_EQ(h.observer().failed.size(), 1U);
  EXPECT_EQ(h.observer().failed[0].reason, "shutdown");
  bool got_error = false;
  while (auto in = c.receive(tid, milliseconds(300))) {
    const auto p = decode(*in);
    if (const auto* e = std::get_if<error_packet>(&p)) got_error = e->code == 0;
  }
  EXPECT_TRUE(got_error);
}

// Verify a windowed transfer by hand: 4 blocks per window, a lost block restarts the window.
TEST_F(TftpServer, WindowWithLostBlockRestarts) {
  server_harness h(root_.path().string());
  raw_client c;
  c.send_to(h.port(), rrq("big.bin", {{"windowsize", "4"}}));
  std::uint16_t tid = 0;
  auto oack = c.receive(tid);
  ASSERT_TRUE(oack);
  EXPECT_EQ(std::get<oack_packet>(decode(*oack)).options[0], (option{"windowsize", "4"}));
  c.send_to(tid, encode_ack(0));
  std::vector<int> blocks;
  for (int i = 0; i < 4; ++i) {
    auto in = c.receive(tid);
    ASSERT_TRUE(in);
    blocks.push_back(std::get<data_packet>(decode(*in)).block);
  }
  EXPECT_EQ(blocks, (std::vector<int>{1, 2, 3, 4}));
  // Pretend block 3 was lost: acknowledge 2; the window restarts at 3 at once.
  c.send_to(tid, encode_ack(2));
  blocks.clear();
  for (int i = 0; i < 4; ++i) {
    auto in = c.receive(tid);
    ASSERT_TRUE(in);
    blocks.push_back(std::get<data_packet>(decode(*in)).block);
  }
  EXPECT_EQ(blocks, (std::vector<int>{3, 4, 5, 6}));
}

// Verify that with an upload directory a WRQ is stored, reported as an upload, and that
// the file only appears once complete.
TEST_F(TftpServer, UploadStoredWhenEnabled) {
  provstation::test::temp_dir up;
  server_options o;
  o.upload_dir = up.path().string();
  server_harness h(root_.path().string(), o);
  raw_client c;
  c.send_to(h.port(), encode_request(opcode::wrq, "log.txt", "octet", {}));
  std::uint16_t tid = 0;
  auto in = c.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<ack_packet>(decode(*in)).block, 0);
  const std::string part1(512, 'a');
  c.send_to(tid, encode_data(1, std::as_bytes(std::span(part1))));
  in = c.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<ack_packet>(decode(*in)).block, 1);
  EXPECT_FALSE(std::filesystem::exists(up.path() / "log.txt"));
  const std::string part2 = "tail";
  c.send_to(tid, encode_data(2, std::as_bytes(std::span(part2))));
  in = c.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<ack_packet>(decode(*in)).block, 2);
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().completed.size() == 1; }));
  EXPECT_TRUE(h.observer().completed[0].info.upload);
  EXPECT_EQ(h.observer().completed[0].info.size, 516U);
  std::ifstream f(up.path() / "log.txt", std::ios::binary);
  const std::string stored((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(stored, part1 + part2);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(up.path()),
                          std::filesystem::directory_iterator()),
            1);
}

// Verify that an upload never replaces an existing file (ERROR 6) nor escapes the directory.
TEST_F(TftpServer, UploadRefusals) {
  provstation::test::temp_dir up;
  up.write("exists.bin", "old");
  server_options o;
  o.upload_dir = up.path().string();
  server_harness h(root_.path().string(), o);
  std::uint16_t tid = 0;
  raw_client a;
  a.send_to(h.port(), encode_request(opcode::wrq, "exists.bin", "octet", {}));
  auto in = a.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<error_packet>(decode(*in)).code, 6);
  raw_client b;
  b.send_to(h.port(), encode_request(opcode::wrq, "../escape.bin", "octet", {}));
  in = b.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<error_packet>(decode(*in)).code, 2);
  raw_client c;
  c.send_to(h.port(), encode_request(opcode::wrq, "nodir/x.bin", "octet", {}));
  in = c.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<error_packet>(decode(*in)).code, 2);
}

// Verify that an announced or actual upload above the limit gets ERROR 3.
TEST_F(TftpServer, UploadSizeLimit) {
  provstation::test::temp_dir up;
  server_options o;
  o.upload_dir = up.path().string();
  o.max_upload_bytes = 600;
  server_harness h(root_.path().string(), o);
  std::uint16_t tid = 0;
  raw_client a;
  a.send_to(h.port(),
            encode_request(opcode::wrq, "big.bin", "octet", std::vector<option>{{"tsize", "601"}}));
  auto in = a.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<error_packet>(decode(*in)).code, 3);

  raw_client b;
  b.send_to(h.port(), encode_request(opcode::wrq, "big.bin", "octet", {}));
  ASSERT_TRUE(b.receive(tid));
  const std::string block(512, 'x');
  b.send_to(tid, encode_data(1, std::as_bytes(std::span(block))));
  ASSERT_TRUE(b.receive(tid));
  b.send_to(tid, encode_data(2, std::as_bytes(std::span(block))));
  in = b.receive(tid);
  ASSERT_TRUE(in);
  EXPECT_EQ(std::get<error_packet>(decode(*in)).code, 3);
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().failed.size() == 1; }));
  EXPECT_FALSE(std::filesystem::exists(up.path() / "big.bin"));
}

// Verify the timeout option policy: declined by default, echoed exactly when honoured.
TEST_F(TftpServer, TimeoutOptionPolicy) {
  std::uint16_t tid = 0;
  {
    server_harness h(root_.path().string());
    raw_client c;
    c.send_to(h.port(), rrq("small.txt", {{"timeout", "6"}, {"blksize", "512"}}));
    auto in = c.receive(tid);
    ASSERT_TRUE(in);
    const auto p = decode(*in);
    const auto& o = std::get<oack_packet>(p).options;
    ASSERT_EQ(o.size(), 1U);
    EXPECT_EQ(o[0].name, "blksize");
  }
  server_options opts;
  opts.client_timeout = timeout_policy::honour;
  server_harness h(root_.path().string(), opts);
  raw_client c;
  c.send_to(h.port(), rrq("small.txt", {{"timeout", "6"}}));
  auto in = c.receive(tid);
  ASSERT_TRUE(in);
  const auto p = decode(*in);
  const auto& o = std::get<oack_packet>(p).options;
  ASSERT_EQ(o.size(), 1U);
  EXPECT_EQ(o[0], (option{"timeout", "6"}));
}

// Fetches `file` at blksize 8, returning the wire block numbers seen after 65534.
std::vector<int> fetch_wrap(std::uint16_t port, const std::string& file, std::uint64_t& bytes) {
  raw_client c;
  c.send_to(port, rrq(file, {{"blksize", "8"}}));
  std::uint16_t tid = 0;
  std::vector<int> after;
  auto in = c.receive(tid);
  if (!in) return after;
  c.send_to(tid, encode_ack(0));
  std::uint64_t n = 0;
  bytes = 0;
  for (;;) {
    in = c.receive(tid);
    if (!in) break;
    const auto d = std::get<data_packet>(decode(*in));
    ++n;
    bytes += d.payload.size();
    if (n >= 65534 && n <= 65538) after.push_back(d.block);
    c.send_to(tid, encode_ack(d.block));
    if (d.payload.size() < 8) break;
  }
  return after;
}

// Verify block-number rollover end to end: 65535 → 0 by default, 65535 → 1 when configured.
TEST_F(TftpServer, RolloverBothWays) {
  root_.write("wrap.bin", std::string(65540 * 8 + 5, 'w'));
  std::uint64_t bytes = 0;
  {
    server_harness h(root_.path().string());
    EXPECT_EQ(fetch_wrap(h.port(), "wrap.bin", bytes), (std::vector<int>{65534, 65535, 0, 1, 2}));
    EXPECT_EQ(bytes, 65540U * 8 + 5);
  }
  server_options o;
  o.rollover_to_zero = false;
  server_harness h(root_.path().string(), o);
  EXPECT_EQ(fetch_wrap(h.port(), "wrap.bin", bytes), (std::vector<int>{65534, 65535, 1, 2, 3}));
  EXPECT_EQ(bytes, 65540U * 8 + 5);
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().completed.size() == 1; }));
}

// Verify the per-transfer deadline: a client too slow is told and the transfer fails.
TEST_F(TftpServer, DeadlineEndsSlowTransfer) {
  server_options o;
  o.transfer_deadline = std::chrono::seconds(1);
  server_harness h(root_.path().string(), o);
  raw_client c;
  c.send_to(h.port(), rrq("big.bin"));
  std::uint16_t tid = 0;
  bool got_deadline_error = false;
  for (int i = 0; i < 60 && !got_deadline_error; ++i) {
    auto in = c.receive(tid, milliseconds(500));
    if (!in) break;
    const auto p = decode(*in);
    if (const auto* e = std::get_if<error_packet>(&p)) {
      got_deadline_error = e->message == "transfer deadline exceeded";
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
    c.send_to(tid, encode_ack(std::get<data_packet>(p).block));
  }
  EXPECT_TRUE(got_deadline_error);
  ASSERT_TRUE(h.observer().wait([&] { return h.observer().failed.size() == 1; }));
  EXPECT_EQ(h.observer().failed[0].reason, "transfer deadline exceeded");
}

}  // namespace
}  // namespace provstation::tftpd::test
