// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string_view>

namespace provstation::phonesim {

/// @brief The component's logger, "phonesim", writing to stderr.
std::shared_ptr<spdlog::logger> logger();

/// @brief Sets the level ("trace" … "off") and a tag (e.g. the MAC) shown on every line.
void init_logging(std::string_view level, std::string_view tag);

}  // namespace provstation::phonesim
