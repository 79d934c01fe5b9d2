// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/process.hpp"

#include <provstation/result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace provstation::app {

/// @brief Where the lab finds its programs.
struct lab_programs {
  std::string provstation;  ///< This executable.
  std::string phonesim;     ///< provstation-phonesim.
  std::string hook;         ///< libprovstation_kea.so.
  std::string kea = "kea-dhcp4";
  /// @brief The build tree's programs, else the installed ones; empty fields when missing.
  static lab_programs find();
};

/// @brief A simulated bench on this machine: a network namespace with a bridge (the bench LAN),
/// real `kea-dhcp4` with our hook on it, `provstation serve` with its bench side inside the
/// namespace and its dashboard on loopback, and a fleet of simulated phones, each in its own
/// namespace. Used by `provstation demo` and the end-to-end tests.
///
/// Everything is named `ps<pid>-…` and is torn down by the destructor (children stopped,
/// namespaces deleted), and create() first removes what a dead process of an earlier run left.
class bench_lab {
 public:
  struct options {
    std::string dir;  ///< Working directory (config, store, logs, leases).
    std::string dashboard = "127.0.0.1:0";
    std::string bench_address = "10.66.0.1";
    int prefix_len = 24;
    std::string pool = "10.66.0.100 - 10.66.0.250";
    int lease_time_s = 600;
    std::string log_level = "info";
    std::vector<std::string> extra_config;  ///< TOML lines appended to the station config.
  };

  static result<std::unique_ptr<bench_lab>> create(options o, lab_programs programs);
  ~bench_lab();
  bench_lab(const bench_lab&) = delete;
  bench_lab& operator=(const bench_lab&) = delete;

  /// @brief Runs `provstation <args> --store <dir>/station.db` (firmware add, batch create…).
  result<std::string> station_cli(std::vector<std::string> args) const;
  /// @brief Starts the station and waits until it listens; returns the dashboard port.
  result<std::uint16_t> start_station();
  /// @brief Kills the station with `sig` (SIGKILL for the crash test) and reaps it.
  void kill_station(int sig);
  /// @brief Starts kea-dhcp4 with the hook in the bench namespace.
  result<void> start_kea();
  /// @brief Starts `provstation-phonesim fleet` with `args` (count, model, …) in addition to
  /// the namespace, bridge and prefix; its output goes to <dir>/fleet.log.
  result<void> start_fleet(const std::vector<std::string>& args);
  void stop_fleet();

  const std::string& prefix() const { return prefix_; }
  const std::string& netns() const { return netns_; }
  const std::string& dir() const { return opts_.dir; }
  std::string store_path() const { return opts_.dir + "/station.db"; }
  std::uint16_t dashboard_port() const { return dashboard_port_; }
  const lab_programs& programs() const { return programs_; }
  bool station_running() { return station_.running(); }

  /// @brief Deletes namespaces `ps<pid>-*` of processes that no longer exist.
  static void sweep_stale();

 private:
  bench_lab(options o, lab_programs p);
  result<void> build_network();
  void teardown();

  options opts_;
  lab_programs programs_;
  std::string prefix_;
  std::string netns_;
  child_process kea_;
  child_process station_;
  child_process fleet_;
  std::uint16_t dashboard_port_ = 0;
  bool network_built_ = false;
};

}  // namespace provstation::app
