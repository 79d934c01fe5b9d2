// SPDX-License-Identifier: Apache-2.0
/// @file The load generator's impairment mode against the server on 127.0.0.1: packets dropped,
/// duplicated, reordered and delayed in both directions at the client (this kernel has no
/// netem). Every transfer must complete and match the file block by block.
#include "harness.hpp"

#include <provstation/test/temp_dir.hpp>

#include <gtest/gtest.h>

#include <string>

namespace provstation::tftpd::test {
namespace {

using std::chrono::seconds;

struct impairment_case {
  const char* name;
  const char* windowsize;
  const char* blksize;
};

class TftpImpairment : public ::testing::TestWithParam<impairment_case> {};

// Verify that 16 transfers (4 at a time) of a 256 KiB file complete byte-exact under 3 % drop,
// 3 % duplication, 5 % reordering and 2-4 ms delay in each direction.
TEST_P(TftpImpairment, EveryTransferCompletesByteExact) {
  const auto& c = GetParam();
  provstation::test::temp_dir root;
  write_random_file(root.file("f256K"), 256 * 1024 + 5, 21);
  server_harness h(root.path().string());
  const auto r = run_process(
      {PROVSTATION_TFTP_LOAD_BIN, "-s", "127.0.0.1:" + std::to_string(h.port()), "f256K", "-n",
       "16", "-p", "4", "-b", c.blksize, "-w", c.windowsize, "--tsize", "--verify-dir",
       root.path().string(), "--drop", "0.03", "--duplicate", "0.03", "--reorder", "0.05",
       "--delay-ms", "3", "--jitter-ms", "1", "--client-rto-ms", "300", "--dally-ms", "300",
       "--seed", "7"},
      "", seconds(240));
  ASSERT_FALSE(r.timed_out) << r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("completed=16 failed=0"), std::string::npos) << r.output;
  std::printf("impairment %s: %s", c.name, r.output.c_str());
  ASSERT_TRUE(h.observer().wait([&] {
    return h.observer().completed.size() + h.observer().failed.size() == 16;
  }));
  EXPECT_TRUE(h.observer().failed.empty());
}

INSTANTIATE_TEST_SUITE_P(Windows, TftpImpairment,
                         ::testing::Values(impairment_case{"LockStep", "1", "1468"},
                                           impairment_case{"Window16", "16", "1468"},
                                           impairment_case{"Window8Blk512", "8", "512"}),
                         [](const ::testing::TestParamInfo<impairment_case>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace provstation::tftpd::test
