// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>
#include <provstation/result.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::phonesim {

/// @brief Linux limits interface names to 15 characters.
inline constexpr std::size_t max_interface_name = 15;
/// @brief A fleet has at most this many phones.
inline constexpr int max_fleet_size = 1000;

/// @brief What `fleet` is asked to build.
struct fleet_options {
  std::string bench_netns;  ///< The namespace holding the bench bridge.
  std::string bridge;       ///< The bridge the phones' veths join.
  int count = 0;
  std::string prefix;  ///< Names: `<prefix>-ph<i>` (namespace), `<prefix>-v<i>` (veth).
  std::string model = "SPA525G2";
  std::string swver = "7.4.9c";
  std::string hwver = "1.0.0";
  std::string mac_base = "0023ab100000";
  std::string serial_prefix = "CBT1419";
  std::set<int> wrong_box;  ///< 1-based indices whose box serial differs from the phone's.
  std::set<int> unscanned;  ///< 1-based indices left out of the manifest.
  double time_scale = 1.0;
  std::string manifest;  ///< CSV path ("" = none).
  std::string log_level = "info";
  std::string ca_file;
};

/// @brief One phone of a fleet (index 1…count).
struct fleet_member {
  int index = 0;
  std::string netns;
  std::string veth;
  mac_address mac;              ///< mac_base + index.
  std::string box_serial;       ///< Printed on the box (the manifest).
  std::string reported_serial;  ///< What the phone reports ($SN, User-Agent).
  bool scanned = true;          ///< Listed in the manifest.
};

/// @brief An 11-character Cisco-style serial: `serial_prefix` + `n` in 4 base-34 digits
/// (0-9, A-Z without I and O), e.g. `CBT1419` + 7 → `CBT14190007`.
std::string fleet_serial(std::string_view serial_prefix, std::uint32_t n);

/// @brief Plans the fleet: names, MACs and serials; checks the names fit and indices exist.
result<std::vector<fleet_member>> plan_fleet(const fleet_options& options);

/// @brief The manifest CSV: `mac,serial,model` header, then one row per scanned phone with
/// the MAC as 12 lower-case hex digits and the serial printed on its box.
std::string manifest_csv(const std::vector<fleet_member>& members, std::string_view model);

/// @brief Builds the fleet, runs one `phone` per namespace and supervises them until
/// SIGINT/SIGTERM (or until every phone has exited); always removes what it created.
/// `self_exe` is the phonesim executable. Returns the process exit code.
int run_fleet(const fleet_options& options, const std::string& self_exe);

/// @brief Removes the namespaces `<prefix>-ph*` (killing what runs in them) and with them the
/// veth pairs. Returns the process exit code.
int cleanup_fleet(std::string_view prefix);

}  // namespace provstation::phonesim
