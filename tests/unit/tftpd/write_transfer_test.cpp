// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the write (WRQ) transfer state machine with an injected clock.
#include <provstation/tftpd/write_transfer.hpp>

#include <gtest/gtest.h>

namespace provstation::tftpd {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const time_point t0 = time_point() + seconds(1000);

write_config config(std::uint16_t blksize = 512, std::uint16_t window = 1, bool oack = false) {
  write_config c;
  c.blksize = blksize;
  c.windowsize = window;
  c.oack = oack;
  c.retransmit.initial = milliseconds(200);
  c.retransmit.min = milliseconds(20);
  c.retransmit.max_retries = 2;
  c.retransmit.min_retry_time = milliseconds(0);
  c.dally = seconds(1);
  return c;
}

// Verify that a plain WRQ is answered with ACK 0, an optioned one with an OACK.
TEST(TftpWriteTransfer, StartsWithAckZeroOrOack) {
  write_transfer plain(config());
  EXPECT_EQ(plain.start(t0).ack, 0);
  write_transfer opt(config(512, 1, true));
  const auto b = opt.start(t0);
  EXPECT_TRUE(b.oack);
  EXPECT_FALSE(b.ack);
}

// Verify lock-step reception: each block accepted and acknowledged, the short one completes.
TEST(TftpWriteTransfer, LockStepReception) {
  write_transfer t(config());
  t.start(t0);
  auto b = t.on_data(1, 512, t0);
  EXPECT_TRUE(b.accept);
  EXPECT_EQ(b.ack, 1);
  EXPECT_FALSE(b.last);
  b = t.on_data(2, 100, t0);
  EXPECT_TRUE(b.accept);
  EXPECT_TRUE(b.last);
  EXPECT_EQ(b.ack, 2);
  EXPECT_EQ(t.status(), transfer_status::completed);
  EXPECT_EQ(t.bytes_received(), 612U);
  EXPECT_FALSE(t.finished());
}

// Verify the dally: a repeated final block is acknowledged again, then the transfer ends.
TEST(TftpWriteTransfer, DalliesAfterFinalAck) {
  write_transfer t(config());
  t.start(t0);
  t.on_data(1, 0, t0);
  EXPECT_EQ(t.next_deadline(), t0 + seconds(1));
  const auto again = t.on_data(1, 0, t0 + milliseconds(300));
  EXPECT_FALSE(again.accept);
  EXPECT_EQ(again.ack, 1);
  t.on_timer(t0 + seconds(1));
  EXPECT_TRUE(t.finished());
  EXPECT_EQ(t.status(), transfer_status::completed);
}

// Verify that a repeated block (our ACK was lost) is acknowledged again, not stored twice.
TEST(TftpWriteTransfer, DuplicateDataReacknowledged) {
  write_transfer t(config());
  t.start(t0);
  t.on_data(1, 512, t0);
  const auto b = t.on_data(1, 512, t0);
  EXPECT_FALSE(b.accept);
  EXPECT_EQ(b.ack, 1);
  EXPECT_EQ(t.bytes_received(), 512U);
}

// Verify windowed reception: one ACK per window, and one ACK of the last in-order block on a gap.
TEST(TftpWriteTransfer, WindowAcksAndGap) {
  write_transfer t(config(512, 4, true));
  t.start(t0);
  for (std::uint16_t n = 1; n <= 3; ++n) {
    const auto b = t.on_data(n, 512, t0);
    EXPECT_TRUE(b.accept);
    EXPECT_FALSE(b.ack);
  }
  EXPECT_EQ(t.on_data(4, 512, t0).ack, 4);
  EXPECT_TRUE(t.on_data(5, 512, t0).accept);
  // Block 6 lost: 7 and 8 arrive; the first out-of-order block triggers ACK 5, only once.
  const auto gap = t.on_data(7, 512, t0);
  EXPECT_FALSE(gap.accept);
  EXPECT_EQ(gap.ack, 5);
  EXPECT_FALSE(t.on_data(8, 512, t0).ack);
  EXPECT_TRUE(t.on_data(6, 512, t0).accept);
}

// Verify that the timer resends the last ACK with back-off, then gives up.
TEST(TftpWriteTransfer, TimeoutResendsLastAckThenFails) {
  write_transfer t(config());
  t.start(t0);
  t.on_data(1, 512, t0 + milliseconds(1));
  auto b = t.on_timer(t.next_deadline());
  EXPECT_EQ(b.ack, 1);
  b = t.on_timer(t.next_deadline());
  EXPECT_EQ(b.ack, 1);
  t.on_timer(t.next_deadline());
  EXPECT_EQ(t.status(), transfer_status::failed);
  EXPECT_EQ(t.failure(), "timeout waiting for DATA block 2");
}

// Verify that an unanswered OACK is resent on timeout.
TEST(TftpWriteTransfer, OackResentOnTimeout) {
  write_transfer t(config(512, 1, true));
  t.start(t0);
  EXPECT_TRUE(t.on_timer(t0 + milliseconds(200)).oack);
}

// Verify that exceeding the size limit fails with "disk full".
TEST(TftpWriteTransfer, SizeLimitGivesDiskFull) {
  auto c = config();
  c.max_bytes = 1000;
  write_transfer t(c);
  t.start(t0);
  EXPECT_TRUE(t.on_data(1, 512, t0).accept);
  const auto b = t.on_data(2, 512, t0);
  EXPECT_FALSE(b.accept);
  ASSERT_TRUE(b.error);
  EXPECT_EQ(*b.error, error_code::disk_full);
  EXPECT_EQ(t.status(), transfer_status::failed);
}

// Verify reception across the block-number wrap.
TEST(TftpWriteTransfer, ReceivesAcrossRollover) {
  write_transfer t(config(8));
  t.start(t0);
  for (std::uint64_t n = 1; n <= 65535; ++n) {
    ASSERT_TRUE(t.on_data(static_cast<std::uint16_t>(n), 8, t0).accept) << n;
  }
  const auto b = t.on_data(0, 8, t0);
  EXPECT_TRUE(b.accept);
  EXPECT_EQ(b.ack, 0);
  EXPECT_TRUE(t.on_data(1, 3, t0).last);
  EXPECT_EQ(t.bytes_received(), 65536ULL * 8 + 3);
}

// Verify that a repeated WRQ resends the first answer only while no DATA has come.
TEST(TftpWriteTransfer, DuplicateRequestResendsFirstAnswer) {
  write_transfer t(config(512, 1, true));
  t.start(t0);
  EXPECT_TRUE(t.on_duplicate_request(t0).oack);
  t.on_data(1, 512, t0);
  EXPECT_FALSE(t.on_duplicate_request(t0).oack);
}

// Verify that a client error fails the transfer, and abort() fails even a stored one.
TEST(TftpWriteTransfer, ErrorsAndAbort) {
  write_transfer t(config());
  t.start(t0);
  t.on_error(0, "cancelled");
  EXPECT_EQ(t.failure(), "client error 0: cancelled");
  write_transfer u(config());
  u.start(t0);
  u.on_data(1, 10, t0);
  u.abort("cannot store");
  EXPECT_EQ(u.status(), transfer_status::failed);
  EXPECT_TRUE(u.finished());
}

}  // namespace
}  // namespace provstation::tftpd
