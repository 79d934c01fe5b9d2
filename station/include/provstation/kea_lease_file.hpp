// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>
#include <provstation/result.hpp>
#include <provstation/unit.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace provstation {

/// @brief One address as Kea's memfile last recorded it.
struct kea_lease {
  std::string ip;
  mac_address mac;
  std::int64_t expire = 0;  ///< Unix seconds.
  int state = 0;            ///< 0 default, 1 declined, 2 expired-reclaimed.
  std::string hostname;
};

/// @brief Parses Kea's DHCPv4 memfile CSV text (columns found by the header row), applying
/// rows in order so the last entry for an address wins. Malformed rows are skipped and counted.
struct kea_lease_file {
  std::map<std::string, kea_lease> by_ip;
  std::size_t skipped = 0;
};
result<kea_lease_file> parse_kea_leases(std::string_view csv);

/// @brief Reads the lease file and the files Kea's lease file cleanup leaves beside it, oldest
/// first, so the newest entry for each address wins: `.completed` (when present, it replaces
/// `.1` and `.2`), else `.1` then `.2`; then the file itself.
result<kea_lease_file> read_kea_leases(const std::string& path);

/// @brief The leases active at `now_s` (state 0 and not expired).
std::vector<kea_lease> active_leases(const kea_lease_file& f, std::int64_t now_s);

}  // namespace provstation
