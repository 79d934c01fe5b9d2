// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <spdlog/logger.h>

#include <memory>

namespace provstation::scanner::detail {

/// The component's one logger, "scanner". It joins the station's sink and level when the
/// station set them up first, and follows later changes (the station applies them to every
/// registered logger).
std::shared_ptr<spdlog::logger> log();

}  // namespace provstation::scanner::detail
