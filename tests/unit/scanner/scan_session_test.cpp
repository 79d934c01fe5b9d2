// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the pairing state machine: lines of one operator become boxes.
#include <provstation/scanner/scan_session.hpp>

#include <provstation/scanner/oui_registry.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace provstation::scanner {
namespace {

using namespace std::chrono_literals;
using clock_type = scan_session::clock;

const clock_type::time_point t0 = clock_type::time_point(1000s);

label_context ctx(std::optional<std::string> model = std::nullopt) {
  return label_context{std::move(model), &oui_registry::none()};
}

// Verify that a malformed line is refused alone and the box keeps its earlier lines.
TEST(ScanSession, RejectsMalformedLineAndKeepsBox) {
  scan_session s;
  EXPECT_EQ(s.feed("SPA525G2", t0, ctx()).status, scan_status::partial);
  scan_update up = s.feed("MAC: 0023AB", t0 + 1s, ctx());
  EXPECT_EQ(up.status, scan_status::rejected);
  EXPECT_EQ(up.error, "MAC '0023AB' is not a MAC address (MAC address must have 12 hex digits)");
  EXPECT_EQ(*up.fields.model, "SPA525G2");
  EXPECT_EQ(s.values().size(), 1u);
  EXPECT_EQ(s.feed("   ", t0 + 2s, ctx()).error, "empty scan");
  EXPECT_EQ(s.feed(std::string(9000, 'A'), t0 + 2s, ctx()).error,
            "scan text is longer than 8192 bytes");
}

// Verify that a second, different MAC discards the box and the next line starts a new one.
TEST(ScanSession, DiscardsBoxOnConflict) {
  scan_session s;
  s.feed("SPA525G2", t0, ctx());
  s.feed("0023AB1C2D3E", t0 + 1s, ctx());
  scan_update up = s.feed("0023AB1C2D3F", t0 + 2s, ctx());
  EXPECT_EQ(up.status, scan_status::conflict);
  EXPECT_EQ(up.error,
            "two different MACs in one scan: 0023ab1c2d3e and 0023ab1c2d3f; the box was "
            "discarded, scan it again");
  EXPECT_TRUE(s.values().empty());
  scan_update next = s.feed("CCQ17410ABC", t0 + 3s, ctx());
  EXPECT_EQ(next.status, scan_status::partial);
  EXPECT_FALSE(next.fields.mac.has_value());
}

// Verify the limit on values per box.
TEST(ScanSession, LimitsValuesPerBox) {
  scan_session s(scan_session_config{60s, 3});
  s.feed("SPA525G2", t0, ctx());
  s.feed("hello", t0, ctx());
  s.feed("world", t0, ctx());
  scan_update up = s.feed("again", t0, ctx());
  EXPECT_EQ(up.status, scan_status::conflict);
  EXPECT_EQ(up.error,
            "more than 3 values without a complete box; the box was discarded, scan it "
            "again");
  EXPECT_TRUE(s.values().empty());
}

// Verify pairing one line at a time into a complete box, then a fresh start.
TEST(ScanSession, PairsLinesIntoBox) {
  scan_session s;
  scan_update a = s.feed("]C00023AB1C2D3E", t0, ctx());
  EXPECT_EQ(a.status, scan_status::partial);
  // Alone, a bare 12-hex value could be a Linksys serial: undecided until the model arrives.
  EXPECT_EQ(a.pending.size(), 1u);
  scan_update b = s.feed("]C0SPA525G2", t0 + 1s, ctx());
  EXPECT_EQ(b.status, scan_status::partial);
  EXPECT_TRUE(b.pending.empty());
  EXPECT_EQ(b.fields.mac->str(), "0023ab1c2d3e");
  scan_update c = s.feed("]C0CCQ17410ABC", t0 + 2s, ctx());
  ASSERT_EQ(c.status, scan_status::complete);
  EXPECT_EQ(*c.fields.serial, "CCQ17410ABC");
  EXPECT_EQ(c.fields.values.size(), 3u);
  EXPECT_TRUE(s.values().empty());
  scan_update d = s.feed("0023AB1C2D40", t0 + 3s, ctx("SPA525G2"));
  EXPECT_EQ(d.status, scan_status::partial);
  EXPECT_EQ(d.fields.mac->str(), "0023ab1c2d40");
}

// Verify that the batch's default model completes a box without a model on the label.
TEST(ScanSession, CompletesWithDefaultModel) {
  scan_session s;
  EXPECT_EQ(s.feed("MAC:0023AB1C2D3E", t0, ctx("SPA525G2")).status, scan_status::partial);
  scan_update up = s.feed("CCQ17410ABC", t0 + 1s, ctx("SPA525G2"));
  ASSERT_EQ(up.status, scan_status::complete);
  EXPECT_TRUE(up.fields.model_from_context);
  // A Polycom completes with a single value.
  scan_update poly = s.feed("0004F2ABCDEF", t0 + 2s, ctx("2200-48500-025"));
  EXPECT_EQ(poly.status, scan_status::complete);
}

// Verify that a value ambiguous alone waits for the line that decides it.
TEST(ScanSession, WaitsForDecidingLine) {
  scan_session s;
  s.feed("SPA942", t0, ctx());
  scan_update a = s.feed("88012BA01234", t0 + 1s, ctx());
  EXPECT_EQ(a.status, scan_status::partial);
  ASSERT_EQ(a.pending.size(), 1u);
  scan_update b = s.feed("MAC:000E08AABBCC", t0 + 2s, ctx());
  ASSERT_EQ(b.status, scan_status::complete);
  EXPECT_EQ(*b.fields.serial, "88012BA01234");
}

// Verify that a partial box times out and the next line starts a new box.
TEST(ScanSession, TimesOut) {
  scan_session s(scan_session_config{30s, 16});
  s.feed("SPA525G2", t0, ctx());
  s.feed("0023AB1C2D3E", t0 + 10s, ctx());
  // 30 s after the last line: the first box is dropped, this MAC starts a new one.
  scan_update up = s.feed("0023AB1C2D3F", t0 + 40s, ctx("SPA525G2"));
  EXPECT_EQ(up.status, scan_status::partial);
  ASSERT_TRUE(up.expired.has_value());
  EXPECT_EQ(up.expired->mac->str(), "0023ab1c2d3e");
  EXPECT_EQ(up.fields.mac->str(), "0023ab1c2d3f");
  EXPECT_FALSE(s.expire(t0 + 69s, ctx()).has_value());
  auto dropped = s.expire(t0 + 70s, ctx());
  ASSERT_TRUE(dropped.has_value());
  EXPECT_TRUE(s.values().empty());
}

// Verify undo of the last line, and that nothing is left to undo afterwards.
TEST(ScanSession, UndoesLastLine) {
  scan_session s;
  s.feed("SPA525G2", t0, ctx());
  s.feed("0023AB1C2D3E", t0 + 1s, ctx());
  scan_update up = s.undo(t0 + 2s, ctx());
  EXPECT_EQ(up.status, scan_status::partial);
  EXPECT_FALSE(up.fields.mac.has_value());
  EXPECT_EQ(*up.fields.model, "SPA525G2");
  s.undo(t0 + 3s, ctx());
  scan_update none = s.undo(t0 + 4s, ctx());
  EXPECT_EQ(none.status, scan_status::rejected);
  EXPECT_EQ(none.error, "nothing to undo");
}

// Verify that rescanning a code of the box just completed does not start a new box with it.
TEST(ScanSession, IgnoresRepeatOfCompletedBox) {
  scan_session s;
  s.feed("SPA525G2", t0, ctx());
  s.feed("0023AB1C2D3E", t0 + 1s, ctx());
  ASSERT_EQ(s.feed("CCQ17410ABC", t0 + 2s, ctx()).status, scan_status::complete);
  EXPECT_EQ(s.feed("CCQ17410ABC", t0 + 3s, ctx()).status, scan_status::repeated);
  EXPECT_EQ(s.feed("]C00023AB1C2D3E", t0 + 4s, ctx()).status, scan_status::repeated);
  EXPECT_TRUE(s.values().empty());
  EXPECT_EQ(s.feed("CCQ17410ABD", t0 + 5s, ctx()).status, scan_status::partial);
}

// Verify that two operators' sessions never pair each other's fields.
TEST(ScanSessions, KeepsOperatorsApart) {
  scan_sessions table;
  table.feed("alice", "SPA525G2", t0, ctx());
  table.feed("bob", "SPA504G", t0, ctx());
  table.feed("alice", "0023AB1C2D3E", t0 + 1s, ctx());
  table.feed("bob", "0023AB1C2D40", t0 + 1s, ctx());
  scan_update a = table.feed("alice", "CCQ17410ABC", t0 + 2s, ctx());
  ASSERT_EQ(a.status, scan_status::complete);
  EXPECT_EQ(*a.fields.model, "SPA525G2");
  EXPECT_EQ(a.fields.mac->str(), "0023ab1c2d3e");
  scan_update b = table.feed("bob", "CCQ17410ABD", t0 + 2s, ctx());
  ASSERT_EQ(b.status, scan_status::complete);
  EXPECT_EQ(*b.fields.model, "SPA504G");
  EXPECT_EQ(b.fields.mac->str(), "0023ab1c2d40");
  EXPECT_EQ(table.size(), 2u);
}

// Verify the table's limits, expiry and reset.
TEST(ScanSessions, EnforcesLimitsAndExpires) {
  scan_sessions::config cfg;
  cfg.session.timeout = 30s;
  cfg.max_sessions = 2;
  cfg.max_id_bytes = 8;
  scan_sessions table(cfg);
  EXPECT_EQ(table.feed("much-too-long-id", "SPA525G2", t0, ctx()).error,
            "scan session id is too long");
  table.feed("a", "SPA525G2", t0, ctx());
  table.feed("b", "SPA525G2", t0 + 1s, ctx());
  table.feed("c", "SPA525G2", t0 + 2s, ctx());
  EXPECT_EQ(table.size(), 2u);
  // "a" was idle the longest and was dropped: undo finds nothing.
  EXPECT_EQ(table.undo("a", t0 + 3s, ctx()).error, "nothing to undo");
  auto expired = table.expire(t0 + 40s, ctx());
  ASSERT_EQ(expired.size(), 2u);
  EXPECT_EQ(expired[0].first, "b");
  EXPECT_EQ(*expired[0].second.model, "SPA525G2");
  EXPECT_EQ(table.size(), 0u);
  table.feed("d", "SPA525G2", t0 + 41s, ctx());
  table.reset("d");
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace provstation::scanner
