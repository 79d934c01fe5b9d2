// SPDX-License-Identifier: Apache-2.0
#pragma once
// The command-line options of the standalone TFTP server, shared by `provstation-tftpd` and the
// station's `provstation tftpd` subcommand so the two never drift apart. Header-only: the
// tftpd library itself does not depend on CLI11; only the programs that include this do.

#include <provstation/tftpd/standalone.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

namespace provstation::tftpd {

/// @brief What the command line fills in before it becomes standalone_options.
struct standalone_cli {
  standalone_options options;
  std::string listen = "0.0.0.0:69";
  std::string port_range;
  std::string timeout_option = "decline";
  int rollover = 0;
  long initial_rto_ms = options.server.initial_rto.count();
  long min_rto_ms = options.server.min_rto.count();
  long deadline_s = options.server.transfer_deadline.count();
};

/// @brief Adds every standalone option to `app`; values land in `c`.
inline void add_standalone_options(CLI::App& app, standalone_cli& c) {
  auto& o = c.options;
  if (o.log_level.empty()) o.log_level = "info";
  app.add_option("--root,-r", o.root, "Directory to serve")->required();
  app.add_option("--listen,-l", c.listen, "ADDR:PORT of the request socket")->capture_default_str();
  app.add_flag("--case-insensitive,-i", o.case_insensitive, "Match file names ignoring case");
  app.add_option("--max-blksize", o.server.max_blksize, "Largest blksize granted")
      ->capture_default_str();
  app.add_option("--max-windowsize", o.server.max_windowsize, "Largest windowsize granted")
      ->capture_default_str();
  app.add_option("--max-transfers", o.server.max_transfers, "Concurrent transfers")
      ->capture_default_str();
  app.add_option("--max-per-client", o.server.max_transfers_per_client,
                 "Concurrent transfers per client IP")
      ->capture_default_str();
  app.add_option("--port-range", c.port_range, "FIRST:LAST ports for transfers");
  app.add_option("--initial-rto-ms", c.initial_rto_ms,
                 "Retransmit timer before the first RTT sample")
      ->capture_default_str();
  app.add_option("--min-rto-ms", c.min_rto_ms, "Floor of the adaptive retransmit timer")
      ->capture_default_str();
  app.add_option("--retries", o.server.max_retries, "Timeouts before a transfer gives up")
      ->capture_default_str();
  app.add_option("--deadline-s", c.deadline_s, "Longest transfer")->capture_default_str();
  app.add_option("--rollover", c.rollover, "Block number after 65535: 0 or 1")
      ->check(CLI::IsMember({0, 1}))
      ->capture_default_str();
  app.add_option("--timeout-option", c.timeout_option, "Client timeout option: decline or honour")
      ->check(CLI::IsMember({"decline", "honour"}))
      ->capture_default_str();
  app.add_option("--window-budget", o.server.window_budget_bytes,
                 "Client receive-buffer bytes one window may fill")
      ->capture_default_str();
  app.add_flag("!--no-batch", o.server.batch_sends, "Send window packets one sendmsg at a time");
  app.add_flag("!--no-gso", o.server.udp_gso, "Do not use UDP GSO for windows");
  app.add_option("--upload-dir", o.server.upload_dir, "Accept WRQ uploads into this directory");
  app.add_option("--user,-u", o.user, "Drop to this user after binding");
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str();
}

/// @brief Checks what add_standalone_options() collected and moves it into `c.options`.
/// @return 0, or 2 after printing one line naming the bad option.
inline int finish_standalone_options(standalone_cli& c) {
  auto endpoint = parse_endpoint(c.listen);
  if (!endpoint) {
    std::fprintf(stderr, "--listen: %s\n", endpoint.message().c_str());
    return 2;
  }
  auto& o = c.options;
  o.listen = *endpoint;
  if (!c.port_range.empty()) {
    unsigned first = 0;
    unsigned last = 0;
    char tail = 0;
    if (std::sscanf(c.port_range.c_str(), "%u:%u%c", &first, &last, &tail) != 2 || first == 0 ||
        last < first || last > 65535) {
      std::fprintf(stderr, "--port-range: expected FIRST:LAST (1-65535), got \"%s\"\n",
                   c.port_range.c_str());
      return 2;
    }
    o.server.port_range_first = static_cast<std::uint16_t>(first);
    o.server.port_range_last = static_cast<std::uint16_t>(last);
  }
  if (c.initial_rto_ms <= 0 || c.min_rto_ms <= 0 || c.deadline_s <= 0) {
    std::fprintf(stderr, "--initial-rto-ms, --min-rto-ms and --deadline-s must be positive\n");
    return 2;
  }
  o.server.rollover_to_zero = c.rollover == 0;
  o.server.client_timeout =
      c.timeout_option == "honour" ? timeout_policy::honour : timeout_policy::decline;
  o.server.initial_rto = std::chrono::milliseconds(c.initial_rto_ms);
  o.server.min_rto = std::chrono::milliseconds(c.min_rto_ms);
  o.server.transfer_deadline = std::chrono::seconds(c.deadline_s);
  return 0;
}

}  // namespace provstation::tftpd
