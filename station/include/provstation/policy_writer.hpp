// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/board.hpp>
#include <provstation/result.hpp>

#include <string>

namespace provstation {

/// @brief Renders the hook's policy file (kea-hooks/include/provstation/kea/policy_file.hpp)
/// from the read model: mode plus the scanned and shipped MACs.
std::string render_policy(const board& b, const std::string& mode);

/// @brief Writes `content` to `path` atomically (temporary file, fsync, rename) with mode 0640
/// and, when it exists, group `group`, so Kea's user can read it and never sees half a file.
result<void> write_file_atomically(const std::string& path, const std::string& content,
                                   const std::string& group, unsigned mode = 0640);

}  // namespace provstation
