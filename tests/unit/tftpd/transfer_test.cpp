// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the read transfer state machine with an injected clock: options, windows,
/// loss, rollover, SAS protection, deadlines and both kinds of completion.
#include <provstation/tftpd/transfer.hpp>

#include <gtest/gtest.h>

namespace provstation::tftpd {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A fixed origin: the state machine never reads a clock of its own.
const time_point t0 = time_point() + seconds(1000);

read_config config(std::uint64_t size, std::uint16_t blksize = 512, std::uint16_t window = 1,
                   bool oack = false) {
  read_config c;
  c.size = size;
  c.blksize = blksize;
  c.windowsize = window;
  c.oack = oack;
  c.retransmit.initial = milliseconds(200);
  c.retransmit.min = milliseconds(20);
  c.retransmit.max = milliseconds(5000);
  c.retransmit.max_retries = 3;
  c.retransmit.min_retry_time = milliseconds(0);
  c.deadline = seconds(600);
  return c;
}

void expect_blocks(const send_batch& b, std::uint64_t first, std::uint32_t count) {
  EXPECT_FALSE(b.oack);
  EXPECT_EQ(b.first, first);
  EXPECT_EQ(b.count, count);
}

// Verify that without options the first block goes out at once, and nothing before start().
TEST(TftpReadTransfer, StartsWithFirstBlock) {
  read_transfer t(config(1200));
  EXPECT_EQ(t.next_deadline(), time_point::max());
  const auto b = t.start(t0);
  expect_blocks(b, 1, 1);
  EXPECT_FALSE(b.retransmission);
  EXPECT_EQ(t.next_deadline(), t0 + milliseconds(200));
  EXPECT_TRUE(t.start(t0).empty());
}

// Verify that with an OACK, blocks wait for ACK 0.
TEST(TftpReadTransfer, OackThenDataAfterAckZero) {
  read_transfer t(config(1200, 512, 1, true));
  const auto b = t.start(t0);
  EXPECT_TRUE(b.oack);
  EXPECT_EQ(b.count, 0U);
  EXPECT_TRUE(t.on_ack(1, t0).empty());
  expect_blocks(t.on_ack(0, t0 + milliseconds(1)), 1, 1);
}

// Verify lock-step progress to a confirmed completion, with block geometry.
TEST(TftpReadTransfer, LockStepToCompletion) {
  read_transfer t(config(1200));
  EXPECT_EQ(t.total_blocks(), 3U);
  EXPECT_EQ(t.block_length(1), 512U);
  EXPECT_EQ(t.block_length(3), 176U);
  EXPECT_EQ(t.block_offset(3), 1024U);
  t.start(t0);
  expect_blocks(t.on_ack(1, t0), 2, 1);
  EXPECT_EQ(t.bytes_acked(), 512U);
  expect_blocks(t.on_ack(2, t0), 3, 1);
  EXPECT_TRUE(t.on_ack(3, t0).empty());
  EXPECT_EQ(t.status(), transfer_status::completed);
  EXPECT_EQ(t.bytes_acked(), 1200U);
  EXPECT_EQ(t.next_deadline(), time_point::max());
}

// Verify that a file filling its blocks exactly ends with an empty block.
TEST(TftpReadTransfer, ExactMultipleEndsWithEmptyBlock) {
  read_transfer t(config(1024));
  EXPECT_EQ(t.total_blocks(), 3U);
  EXPECT_EQ(t.block_length(3), 0U);
}

// Verify that a zero-byte file is one empty block.
TEST(TftpReadTransfer, ZeroByteFileIsOneEmptyBlock) {
  read_transfer t(config(0));
  EXPECT_EQ(t.total_blocks(), 1U);
  expect_blocks(t.start(t0), 1, 1);
  EXPECT_EQ(t.block_length(1), 0U);
  t.on_ack(1, t0);
  EXPECT_EQ(t.status(), transfer_status::completed);
}

// Verify that a file of exactly one block is two blocks on the wire (the second empty).
TEST(TftpReadTransfer, ExactlyOneBlockFile) {
  read_transfer t(config(512));
  EXPECT_EQ(t.total_blocks(), 2U);
  t.start(t0);
  expect_blocks(t.on_ack(1, t0), 2, 1);
  EXPECT_EQ(t.block_length(2), 0U);
}

// Verify the Sorcerer's Apprentice rule: a duplicate ACK never causes a retransmission.
TEST(TftpReadTransfer, DuplicateAckNeverRetransmits) {
  read_transfer t(config(5000));
  t.start(t0);
  expect_blocks(t.on_ack(1, t0), 2, 1);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(t.on_ack(1, t0 + milliseconds(i)).empty());
  EXPECT_EQ(t.duplicate_acks(), 5U);
  expect_blocks(t.on_ack(2, t0 + milliseconds(10)), 3, 1);
}

// Verify that ACKs for blocks never sent, or older than the last, are ignored.
TEST(TftpReadTransfer, StaleAndFutureAcksIgnored) {
  read_transfer t(config(5000));
  t.start(t0);
  EXPECT_TRUE(t.on_ack(7, t0).empty());
  t.on_ack(1, t0);
  t.on_ack(2, t0);
  EXPECT_TRUE(t.on_ack(1, t0).empty());
  EXPECT_TRUE(t.on_ack(9, t0).empty());
  EXPECT_EQ(t.bytes_acked(), 1024U);
}

// Verify that the timer, and only the timer, resends the outstanding block, with back-off.
TEST(TftpReadTransfer, TimeoutRetransmitsWithBackOff) {
  read_transfer t(config(5000));
  t.start(t0);
  EXPECT_TRUE(t.on_timer(t0 + milliseconds(199)).empty());
  auto b = t.on_timer(t0 + milliseconds(200));
  expect_blocks(b, 1, 1);
  EXPECT_TRUE(b.retransmission);
  EXPECT_EQ(t.next_deadline(), t0 + milliseconds(600));
  b = t.on_timer(t0 + milliseconds(600));
  EXPECT_TRUE(b.retransmission);
  EXPECT_EQ(t.next_deadline(), t0 + milliseconds(1400));
  EXPECT_EQ(t.retransmitted(), 2U);
}

// Verify that the transfer fails after max_retries timeouts in the middle of the file.
TEST(TftpReadTransfer, GivesUpAfterMaxRetries) {
  read_transfer t(config(5000));
  t.start(t0);
  time_point now = t0;
  for (int i = 0; i < 3; ++i) {
    now = t.next_deadline();
    EXPECT_EQ(t.on_timer(now).count, 1U);
  }
  now = t.next_deadline();
  EXPECT_TRUE(t.on_timer(now).empty());
  EXPECT_EQ(t.status(), transfer_status::failed);
  EXPECT_EQ(t.failure(), "timeout waiting for ACK of block 1");
}

// Verify that mid-file the transfer keeps retrying (at the capped timer) until it has gone
// min_retry_time without progress, even after max_retries, and that progress resets it.
TEST(TftpReadTransfer, KeepsTryingUntilMinRetryTime) {
  auto c = config(5000);
  c.retransmit.max = milliseconds(1000);
  c.retransmit.min_retry_time = seconds(10);
  read_transfer t(c);
  t.start(t0);
  int sends = 0;
  while (!t.finished()) {
    if (t.on_timer(t.next_deadline()).count == 1) ++sends;
  }
  EXPECT_EQ(t.status(), transfer_status::failed);
  // 0.2 + 0.4 + 0.8 + then 1 s each: about 10 s of retries, far more than max_retries.
  EXPECT_GE(sends, 10);
  EXPECT_LE(sends, 13);
}

// Verify that a lost final ACK ends as "completed, unconfirmed", not as a failure.
TEST(TftpReadTransfer, LostFinalAckIsUnconfirmed) {
  read_transfer t(config(600));
  t.start(t0);
  t.on_ack(1, t0);
  for (int i = 0; i < 4; ++i) t.on_timer(t.next_deadline());
  EXPECT_EQ(t.status(), transfer_status::completed_unconfirmed);
  EXPECT_TRUE(t.failure().empty());
}

// Verify that an unanswered OACK ends as a failure.
TEST(TftpReadTransfer, UnansweredOackFails) {
  read_transfer t(config(600, 512, 1, true));
  t.start(t0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(t.on_timer(t.next_deadline()).oack);
  t.on_timer(t.next_deadline());
  EXPECT_EQ(t.status(), transfer_status::failed);
  EXPECT_EQ(t.failure(), "timeout waiting for ACK of block 0");
}

// Verify that the transfer deadline fails the transfer and tells the client.
TEST(TftpReadTransfer, DeadlineFailsWithError) {
  auto c = config(1 << 20);
  c.deadline = seconds(2);
  read_transfer t(c);
  t.start(t0);
  time_point now = t0;
  for (int i = 1; i < 100 && !t.finished(); ++i) {
    now += milliseconds(30);
    t.on_ack(static_cast<std::uint16_t>(i), now);
  }
  const auto b = t.on_timer(t0 + seconds(2));
  EXPECT_EQ(t.status(), transfer_status::failed);
  EXPECT_EQ(t.failure(), "transfer deadline exceeded");
  ASSERT_TRUE(b.error);
  EXPECT_EQ(*b.error, error_code::not_defined);
}

// Verify that a client ERROR fails the transfer with its code and text.
TEST(TftpReadTransfer, ClientErrorFails) {
  read_transfer t(config(600, 512, 1, true));
  t.start(t0);
  t.on_error(8, "bad blksize");
  EXPECT_EQ(t.status(), transfer_status::failed);
  EXPECT_EQ(t.failure(), "client error 8: bad blksize");
  EXPECT_TRUE(t.on_ack(0, t0).empty());
}

// Verify that abort() ends an active transfer as failed.
TEST(TftpReadTransfer, AbortFails) {
  read_transfer t(config(600));
  t.start(t0);
  t.abort("shutdown");
  EXPECT_EQ(t.status(), transfer_status::failed);
  EXPECT_EQ(t.failure(), "shutdown");
}

// Verify that a repeated request resends the first packet only until the client answers.
TEST(TftpReadTransfer, DuplicateRequestResendsFirstPacketOnce) {
  read_transfer t(config(5000, 512, 1, true));
  t.start(t0);
  auto b = t.on_duplicate_request(t0 + milliseconds(50));
  EXPECT_TRUE(b.oack);
  EXPECT_TRUE(b.retransmission);
  t.on_ack(0, t0 + milliseconds(60));
  EXPECT_TRUE(t.on_duplicate_request(t0 + milliseconds(70)).empty());

  read_transfer plain(config(5000));
  plain.start(t0);
  expect_blocks(plain.on_duplicate_request(t0), 1, 1);
}

// Verify that a window is sent whole and the next one follows the ACK of its last block.
TEST(TftpReadTransfer, WindowSentWhole) {
  read_transfer t(config(10 * 512 + 100, 512, 4, true));
  t.start(t0);
  expect_blocks(t.on_ack(0, t0), 1, 4);
  expect_blocks(t.on_ack(4, t0), 5, 4);
  expect_blocks(t.on_ack(8, t0), 9, 3);
  EXPECT_TRUE(t.on_ack(11, t0).empty());
  EXPECT_EQ(t.status(), transfer_status::completed);
}

// Verify RFC 7440 loss handling: an ACK inside the window restarts right after it at once.
TEST(TftpReadTransfer, AckInsideWindowRestartsWindow) {
  read_transfer t(config(20 * 512, 512, 4, true));
  t.start(t0);
  t.on_ack(0, t0);
  expect_blocks(t.on_ack(2, t0), 3, 4);
  // The client acknowledges the last in-order block again as the rest of the window arrives:
  // duplicates, ignored.
  EXPECT_TRUE(t.on_ack(2, t0).empty());
  expect_blocks(t.on_ack(6, t0), 7, 4);
}

// Verify that a window timeout resends the whole window from the last ACK.
TEST(TftpReadTransfer, WindowTimeoutResendsFromLastAck) {
  read_transfer t(config(20 * 512, 512, 4, true));
  t.start(t0);
  t.on_ack(0, t0);
  t.on_ack(4, t0);
  const auto b = t.on_timer(t.next_deadline());
  expect_blocks(b, 5, 4);
  EXPECT_TRUE(b.retransmission);
}

// Verify that block numbers wrap 65535 → 0 → 1 by default and ACKs map back.
TEST(TftpReadTransfer, RolloverToZero) {
  read_transfer t(config(70000ULL * 8, 8));
  EXPECT_EQ(t.wire_block(65535), 65535);
  EXPECT_EQ(t.wire_block(65536), 0);
  EXPECT_EQ(t.wire_block(65537), 1);
  t.start(t0);
  for (std::uint64_t n = 1; n < 65536; ++n) t.on_ack(t.wire_block(n), t0);
  EXPECT_EQ(t.bytes_acked(), 65535ULL * 8);
  expect_blocks(t.on_ack(0, t0), 65537, 1);
  EXPECT_EQ(t.bytes_acked(), 65536ULL * 8);
}

// Verify that with wrap-to-one block 65535 is followed by 1.
TEST(TftpReadTransfer, RolloverToOne) {
  auto c = config(70000ULL * 8, 8);
  c.rollover = rollover_mode::to_one;
  read_transfer t(c);
  EXPECT_EQ(t.wire_block(65535), 65535);
  EXPECT_EQ(t.wire_block(65536), 1);
  t.start(t0);
  for (std::uint64_t n = 1; n < 65536; ++n) t.on_ack(t.wire_block(n), t0);
  EXPECT_TRUE(t.on_ack(0, t0).empty());
  expect_blocks(t.on_ack(1, t0), 65537, 1);
  EXPECT_EQ(t.bytes_acked(), 65536ULL * 8);
}

// Verify that the timer adapts to fast round trips and never goes below its floor.
TEST(TftpReadTransfer, TimerAdaptsToRoundTrip) {
  read_transfer t(config(100 * 512));
  t.start(t0);
  time_point now = t0;
  for (int i = 1; i < 20; ++i) {
    now += std::chrono::microseconds(50);
    t.on_ack(static_cast<std::uint16_t>(i), now);
  }
  EXPECT_EQ(t.rto(), milliseconds(20));
  EXPECT_EQ(t.next_deadline(), now + milliseconds(20));
}

// Verify that slow round trips raise the timer above its floor.
TEST(TftpReadTransfer, TimerFollowsSlowRoundTrip) {
  read_transfer t(config(100 * 512));
  t.start(t0);
  time_point now = t0;
  for (int i = 1; i < 20; ++i) {
    now += milliseconds(100);
    t.on_ack(static_cast<std::uint16_t>(i), now);
  }
  EXPECT_GE(t.rto(), milliseconds(100));
  EXPECT_LE(t.rto(), milliseconds(400));
}

// Verify Karn's rule: the ACK of a retransmitted block gives no round-trip sample.
TEST(TftpReadTransfer, RetransmittedBlockGivesNoSample) {
  read_transfer t(config(100 * 512));
  t.start(t0);
  t.on_timer(t0 + milliseconds(200));
  // A sample here would be 4.8 s and push the timer up; without it the initial value stays.
  t.on_ack(1, t0 + milliseconds(5000));
  EXPECT_EQ(t.rto(), milliseconds(200));
}

// Verify that an honoured client timeout is used exactly, without adaptation or back-off.
TEST(TftpReadTransfer, HonouredTimeoutIsExact) {
  auto c = config(100 * 512);
  c.retransmit.fixed = seconds(6);
  read_transfer t(c);
  t.start(t0);
  EXPECT_EQ(t.next_deadline(), t0 + seconds(6));
  t.on_timer(t0 + seconds(6));
  EXPECT_EQ(t.next_deadline(), t0 + seconds(12));
}

}  // namespace
}  // namespace provstation::tftpd
