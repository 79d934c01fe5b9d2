// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/phonesim/phone.hpp>
#include <provstation/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace provstation::phonesim {

/// @brief The udhcpc command line of a phone: option 60 `Cisco <PN>`, hostname `<PN>`,
/// options 66/150/159/160 requested, `script` run on events; `requested_ip` when rebooting or
/// renewing.
std::vector<std::string> udhcpc_command(const std::string& iface, const std::string& model,
                                        const std::string& script,
                                        const std::optional<std::string>& requested_ip);

/// @brief The environment variables of a udhcpc event that the lease file keeps.
bool is_lease_variable(std::string_view name);

/// @brief Writes the lease file: `name=value` lines (newlines in values become spaces).
std::string format_lease_file(const std::vector<std::pair<std::string, std::string>>& env);

/// @brief Reads a lease file into a lease; `ip` is required. Unknown options arrive from
/// udhcpc as hex (`opt150=c0000201`): 150 becomes dotted addresses, 159/160 text.
result<dhcp_lease> parse_lease_file(std::string_view text);

/// @brief The prefix length of a dotted netmask (`255.255.255.0` → 24), or nothing.
std::optional<int> netmask_prefix(std::string_view subnet);

/// @brief The `udhcpc-script` mode: configures the interface with `ip` for `event`
/// (deconfig, bound, renew) from udhcpc's environment and writes the lease file `out_file`
/// atomically. Returns the process exit code.
int run_udhcpc_script(const std::string& event, const std::string& out_file);

}  // namespace provstation::phonesim
