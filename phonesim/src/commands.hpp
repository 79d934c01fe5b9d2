// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace provstation::phonesim {

/// @brief Options of the `phone` subcommand.
struct phone_command {
  std::string iface = "eth0";
  std::string model = "SPA525G2";
  std::string serial;         ///< The serial on the box label.
  std::string report_serial;  ///< If set, the phone reports this serial instead (wrong box).
  std::string swver = "7.4.9c";
  std::string hwver = "1.0.0";
  std::string mac;  ///< Overrides the interface MAC (needed with --no-dhcp on lo).
  double time_scale = 1.0;
  double boot_delay_s = 20.0;
  bool no_dhcp = false;
  std::string ip;
  std::string opt66;
  std::string ca_file;
  std::string log_level = "info";
};

/// @brief Runs one phone in the current network namespace until SIGTERM/SIGINT.
int run_phone_command(const phone_command& cmd);

/// @brief Options of the `make-firmware` subcommand.
struct make_firmware_command {
  std::vector<std::string> models;
  std::string version;
  std::size_t size = 0;
  std::string out;
  unsigned long long seed = 1;
};

/// @brief Writes a simulated firmware image.
int run_make_firmware_command(const make_firmware_command& cmd);

}  // namespace provstation::phonesim
