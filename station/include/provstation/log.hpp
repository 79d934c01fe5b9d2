// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string_view>

namespace provstation {

/// @brief The station's named loggers, one per component ("station", "store", "tracker",
/// "tftpd", "web", "syslog", "kea", "scanner", "profiles"). All share one sink and level.
std::shared_ptr<spdlog::logger> logger(std::string_view component);

/// @brief Routes every logger to stderr at `level` ("trace" … "off"). Call once in main.
void init_logging(std::string_view level);

}  // namespace provstation
