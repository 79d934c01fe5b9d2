// SPDX-License-Identifier: Apache-2.0
/// @file The read model's lease table: one address per MAC and one MAC per address.
#include <provstation/board.hpp>

#include <gtest/gtest.h>

namespace provstation {
namespace {

mac_address mac(const char* text) {
  return *mac_address::parse(text);
}

// Verify a MAC that moves to another address no longer answers for the old one.
TEST(BoardLeases, MacMovingToANewAddressEndsTheOld) {
  board b;
  b.set_lease("10.0.0.5", mac("0023ab000001"));
  b.set_lease("10.0.0.6", mac("0023ab000001"));
  EXPECT_FALSE(b.mac_at_ip("10.0.0.5").has_value());
  EXPECT_EQ(b.mac_at_ip("10.0.0.6"), mac("0023ab000001"));
}

// Verify an address handed to another MAC answers for the new one, and ending it later does
// not disturb the first MAC's new binding.
TEST(BoardLeases, AddressReusedByAnotherMac) {
  board b;
  b.set_lease("10.0.0.5", mac("0023ab000001"));
  b.set_lease("10.0.0.5", mac("0023ab000002"));
  EXPECT_EQ(b.mac_at_ip("10.0.0.5"), mac("0023ab000002"));
  b.set_lease("10.0.0.7", mac("0023ab000001"));
  EXPECT_EQ(b.mac_at_ip("10.0.0.7"), mac("0023ab000001"));
  EXPECT_EQ(b.mac_at_ip("10.0.0.5"), mac("0023ab000002"));
  b.end_lease("10.0.0.5");
  EXPECT_FALSE(b.mac_at_ip("10.0.0.5").has_value());
  EXPECT_EQ(b.mac_at_ip("10.0.0.7"), mac("0023ab000001"));
  // The second MAC's binding is gone: binding it again elsewhere leaves 10.0.0.7 alone.
  b.set_lease("10.0.0.8", mac("0023ab000002"));
  EXPECT_EQ(b.mac_at_ip("10.0.0.7"), mac("0023ab000001"));
}

// Verify a reload from the store keeps the same rule when the history has two open rows for
// one MAC: the later one wins.
TEST(BoardLeases, ReplaceAllKeepsOneAddressPerMac) {
  board b;
  std::vector<lease_row> rows(2);
  rows[0].ip = "10.0.0.5";
  rows[0].mac = mac("0023ab000001");
  rows[1].ip = "10.0.0.9";
  rows[1].mac = mac("0023ab000001");
  b.replace_all({}, rows, {}, {});
  EXPECT_FALSE(b.mac_at_ip("10.0.0.5").has_value());
  EXPECT_EQ(b.mac_at_ip("10.0.0.9"), mac("0023ab000001"));
}

}  // namespace
}  // namespace provstation
