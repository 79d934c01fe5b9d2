// SPDX-License-Identifier: Apache-2.0
#pragma once

// The policy file the station writes (atomically, by rename) and the hook reads. Text, one
// directive per line, '#' starts a comment:
//
//   provstation-policy 1
//   mode scanned            # all | scanned | not-shipped
//   scanned 0023ab000001    # one line per scanned MAC (used by mode "scanned")
//   shipped 0023ab000002    # one line per shipped MAC (used by mode "not-shipped")
//
// Mode "all": every phone the hook matches gets the provisioning options. "scanned": only MACs
// listed as scanned. "not-shipped": every matching phone except MACs listed as shipped.

#include <string_view>

namespace provstation::kea {

/// @brief The first line of every policy file.
inline constexpr std::string_view policy_magic = "provstation-policy 1";

/// @brief Policy files larger than this are refused (a bench holds thousands, not millions).
inline constexpr std::size_t max_policy_file_bytes = 16 * 1024 * 1024;

}  // namespace provstation::kea
