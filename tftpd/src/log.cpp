// SPDX-License-Identifier: Apache-2.0
#include "log.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace provstation::tftpd::detail {

std::shared_ptr<spdlog::logger> logger() {
  constexpr const char* name = "tftpd";
  if (auto existing = spdlog::get(name)) return existing;
  auto def = spdlog::default_logger();
  auto created = std::make_shared<spdlog::logger>(name, def->sinks().begin(), def->sinks().end());
  created->set_level(def->level());
  try {
    spdlog::register_logger(created);
  } catch (const std::exception&) {
    // Another thread registered it first; use that one.
    if (auto existing = spdlog::get(name)) return existing;
  }
  return created;
}

}  // namespace provstation::tftpd::detail
