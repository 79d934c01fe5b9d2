// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/tftpd/file_source.hpp>

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace provstation::tftpd {

/// @brief A readable over bytes held in memory (a rendered profile, a netascii translation).
std::shared_ptr<const readable> make_memory_file(std::vector<std::byte> bytes);

/// @brief A readable over a copy of `text`.
std::shared_ptr<const readable> make_memory_file(std::string_view text);

}  // namespace provstation::tftpd
