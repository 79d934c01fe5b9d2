// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <spdlog/logger.h>

#include <memory>

namespace provstation::tftpd::detail {

/// @brief The component's spdlog logger "tftpd": the one the host registered under that name,
/// or a new one sharing the default logger's sinks and level.
std::shared_ptr<spdlog::logger> logger();

}  // namespace provstation::tftpd::detail
