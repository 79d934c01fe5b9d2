// SPDX-License-Identifier: Apache-2.0
// provstation-tftpd: the standalone TFTP server, for tests, benchmarks and admins who only want
// a better tftpd. The station's `provstation tftpd` subcommand takes the same options
// (standalone_cli.hpp) and calls the same run_standalone().
#include <provstation/tftpd/standalone_cli.hpp>

#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
  using namespace provstation::tftpd;
  standalone_cli c;
  CLI::App app{"provstation-tftpd: serves a directory over TFTP"};
  add_standalone_options(app, c);
  CLI11_PARSE(app, argc, argv);
  if (const int rc = finish_standalone_options(c); rc != 0) return rc;
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  spdlog::set_level(spdlog::level::from_str(c.options.log_level));
  return run_standalone(c.options);
}
