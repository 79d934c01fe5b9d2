// SPDX-License-Identifier: Apache-2.0
// provstation-tftpd: the standalone TFTP server, for tests, benchmarks and admins who only want
// a better tftpd. The station's `provstation tftpd` subcommand calls the same run_standalone().
#include <provstation/tftpd/standalone.hpp>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  using namespace provstation::tftpd;
  standalone_options o;
  std::string listen = "0.0.0.0:69";
  std::string port_range;
  std::string timeout_option = "decline";
  int rollover = 0;
  long initial_rto_ms = o.server.initial_rto.count();
  long min_rto_ms = o.server.min_rto.count();
  long deadline_s = o.server.transfer_deadline.count();
  o.log_level = "info";

  CLI::App app{"provstation-tftpd: serves a directory over TFTP"};
  app.add_option("--root,-r", o.root, "Directory to serve")->required();
  app.add_option("--listen,-l", listen, "ADDR:PORT of the request socket")->capture_default_str();
  app.add_flag("--case-insensitive,-i", o.case_insensitive, "Match file names ignoring case");
  app.add_option("--max-blksize", o.server.max_blksize, "Largest blksize granted")
      ->capture_default_str();
  app.add_option("--max-windowsize", o.server.max_windowsize, "Largest windowsize granted")
      ->capture_default_str();
  app.add_option("--max-transfers", o.server.max_transfers, "Concurrent transfers")
      ->capture_default_str();
  app.add_option("--max-per-client", o.server.max_transfers_per_client,
                 "Concurrent transfers per client IP")->capture_default_str();
  app.add_option("--port-range", port_range, "FIRST:LAST ports for transfers");
  app.add_option("--initial-rto-ms", initial_rto_ms, "Retransmit timer before the first RTT sample")
      ->capture_default_str();
  app.add_option("--min-rto-ms", min_rto_ms, "Floor of the adaptive retransmit timer")
      ->capture_default_str();
  app.add_option("--retries", o.server.max_retries, "Timeouts before a transfer gives up")
      ->capture_default_str();
  app.add_option("--deadline-s", deadline_s, "Longest transfer")->capture_default_str();
  app.add_option("--rollover", rollover, "Block number after 65535: 0 or 1")
      ->check(CLI::IsMember({0, 1}))->capture_default_str();
  app.add_option("--timeout-option", timeout_option, "Client timeout option: decline or honour")
      ->check(CLI::IsMember({"decline", "honour"}))->capture_default_str();
  app.add_option("--window-budget", o.server.window_budget_bytes,
                 "Client receive-buffer bytes one window may fill")->capture_default_str();
  app.add_flag("!--no-batch", o.server.batch_sends, "Send window packets one sendmsg at a time");
  app.add_flag("!--no-gso", o.server.udp_gso, "Do not use UDP GSO for windows");
  app.add_option("--upload-dir", o.server.upload_dir, "Accept WRQ uploads into this directory");
  app.add_option("--user,-u", o.user, "Drop to this user after binding");
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto endpoint = parse_endpoint(listen);
  if (!endpoint) {
    std::fprintf(stderr, "--listen: %s\n", endpoint.message().c_str());
    return 2;
  }
  o.listen = *endpoint;
  if (!port_range.empty()) {
    unsigned first = 0;
    unsigned last = 0;
    if (std::sscanf(port_range.c_str(), "%u:%u", &first, &last) != 2 || first == 0 ||
        last < first || last > 65535) {
      std::fprintf(stderr, "--port-range: expected FIRST:LAST\n");
      return 2;
    }
    o.server.port_range_first = static_cast<std::uint16_t>(first);
    o.server.port_range_last = static_cast<std::uint16_t>(last);
  }
  o.server.rollover_to_zero = rollover == 0;
  o.server.client_timeout =
      timeout_option == "honour" ? timeout_policy::honour : timeout_policy::decline;
  o.server.initial_rto = std::chrono::milliseconds(initial_rto_ms);
  o.server.min_rto = std::chrono::milliseconds(min_rto_ms);
  o.server.transfer_deadline = std::chrono::seconds(deadline_s);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  spdlog::set_level(spdlog::level::from_str(o.log_level));
  return run_standalone(o);
}
