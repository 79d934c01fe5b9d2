// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the udhcpc command line and the lease file written by the udhcpc hook.
#include <provstation/phonesim/dhcp.hpp>

#include <gtest/gtest.h>

namespace provstation::phonesim {
namespace {

// Verify that a lease file without an address is refused.
TEST(PhonesimDhcpLease, RejectsLeaseWithoutIp) {
  EXPECT_EQ(parse_lease_file("tftp=192.0.2.1\n").message(), "lease has no ip");
  EXPECT_EQ(parse_lease_file("").message(), "lease has no ip");
  EXPECT_EQ(parse_lease_file(std::string(70000, 'x')).message(), "lease file is too large");
}

// Verify what the phone needs from udhcpc's variables, hex options decoded.
TEST(PhonesimDhcpLease, ReadsUdhcpcVariables) {
  // opt150 = 192.0.2.1, 192.0.2.2; opt160 = "http://p.example/x"; opt159 = "p.example".
  const auto lease = parse_lease_file(
      "interface=eth0\nip=192.0.2.100\nsubnet=255.255.255.0\nrouter=192.0.2.1\n"
      "tftp=192.0.2.1\nlease=600\nopt150=c0000201c0000202\n"
      "opt160=687474703a2f2f702e6578616d706c652f78\nopt159=702e6578616d706c6500\n");
  ASSERT_TRUE(lease.ok()) << lease.message();
  EXPECT_EQ(lease->ip, "192.0.2.100");
  EXPECT_EQ(lease->router, "192.0.2.1");
  EXPECT_EQ(lease->opt66, "192.0.2.1");
  EXPECT_EQ(lease->opt150, "192.0.2.1 192.0.2.2");
  EXPECT_EQ(lease->opt160, "http://p.example/x");
  EXPECT_EQ(lease->opt159, "p.example");
  EXPECT_EQ(lease->lease_time, std::chrono::seconds(600));
}

// Verify DHCP_Option_To_Use: the first option present in the given order is the server.
TEST(PhonesimDhcpLease, ProvisioningServerFollowsOptionOrder) {
  dhcp_lease lease;
  lease.opt150 = "192.0.2.9 192.0.2.10";
  EXPECT_EQ(lease.provisioning_server("66,160,159,150"), "192.0.2.9");
  lease.opt159 = "p159.example";
  EXPECT_EQ(lease.provisioning_server("66,160,159,150"), "p159.example");
  lease.opt160 = "http://p160.example/prov";
  EXPECT_EQ(lease.provisioning_server("66,160,159,150"), "http://p160.example/prov");
  lease.opt66 = "192.0.2.1";
  EXPECT_EQ(lease.provisioning_server("66,160,159,150"), "192.0.2.1");
  EXPECT_EQ(lease.provisioning_server("150, 66"), "192.0.2.9");
  EXPECT_EQ(lease.provisioning_server(""), "");
}

// Verify the lease file round trip and the variable filter.
TEST(PhonesimDhcpLease, LeaseFileRoundTrip) {
  EXPECT_TRUE(is_lease_variable("ip"));
  EXPECT_TRUE(is_lease_variable("opt150"));
  EXPECT_FALSE(is_lease_variable("opt"));
  EXPECT_FALSE(is_lease_variable("optx"));
  EXPECT_FALSE(is_lease_variable("PATH"));
  const std::string text = format_lease_file({{"ip", "192.0.2.5"}, {"tftp", "a\nb"}});
  EXPECT_EQ(text, "ip=192.0.2.5\ntftp=a b\n");
  EXPECT_EQ(parse_lease_file(text)->opt66, "a b");
}

// Verify the netmask conversion used by the hook.
TEST(PhonesimDhcpLease, NetmaskPrefix) {
  EXPECT_EQ(netmask_prefix("255.255.255.0"), 24);
  EXPECT_EQ(netmask_prefix("255.255.254.0"), 23);
  EXPECT_EQ(netmask_prefix("0.0.0.0"), 0);
  EXPECT_EQ(netmask_prefix("255.255.255.255"), 32);
  EXPECT_FALSE(netmask_prefix("255.0.255.0").has_value());
  EXPECT_FALSE(netmask_prefix("x").has_value());
}

// Verify the udhcpc command line: option 60 "Cisco <PN>", hostname, requested options.
TEST(PhonesimDhcpLease, UdhcpcCommandLine) {
  const auto argv = udhcpc_command("eth0", "SPA525G2", "/run/x/hook", std::nullopt);
  const std::vector<std::string> expected = {"busybox",
                                             "udhcpc",
                                             "-f",
                                             "-q",
                                             "-n",
                                             "-t",
                                             "5",
                                             "-i",
                                             "eth0",
                                             "-V",
                                             "Cisco SPA525G2",
                                             "-x",
                                             "hostname:SPA525G2",
                                             "-O",
                                             "66",
                                             "-O",
                                             "150",
                                             "-O",
                                             "159",
                                             "-O",
                                             "160",
                                             "-s",
                                             "/run/x/hook"};
  EXPECT_EQ(argv, expected);
  const auto renew = udhcpc_command("eth0", "SPA504G", "/h", std::string("192.0.2.7"));
  ASSERT_GE(renew.size(), 2U);
  EXPECT_EQ(renew[renew.size() - 2], "-r");
  EXPECT_EQ(renew.back(), "192.0.2.7");
}

}  // namespace
}  // namespace provstation::phonesim
