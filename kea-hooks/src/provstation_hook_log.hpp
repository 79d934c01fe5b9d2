// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "provstation_hook_messages.h"

#include <log/logger.h>
#include <log/macros.h>

namespace provstation::kea {

/// @brief The hook's Kea logger, "provstation-hooks" (operators configure it as
/// "kea-dhcp4.provstation-hooks").
extern isc::log::Logger hook_logger;

/// @brief Debug level of per-packet messages (Kea's DBGLVL_TRACE_BASIC).
inline constexpr int dbg_packet = 40;

/// @brief True at most once per second, from any thread; limits per-packet error messages.
bool error_log_allowed();

}  // namespace provstation::kea
