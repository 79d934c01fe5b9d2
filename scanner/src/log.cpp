// SPDX-License-Identifier: Apache-2.0
#include "log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <mutex>

namespace provstation::scanner::detail {

std::shared_ptr<spdlog::logger> log() {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get("scanner")) return existing;
  auto def = spdlog::default_logger();
  auto sink = (def && !def->sinks().empty())
                  ? def->sinks().front()
                  : std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto created = std::make_shared<spdlog::logger>("scanner", sink);
  created->set_level(def ? def->level() : spdlog::level::info);
  created->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  try {
    spdlog::register_logger(created);
  } catch (const spdlog::spdlog_ex&) {
    // The station registered "scanner" between our lookup and now: use its logger.
    if (auto existing = spdlog::get("scanner")) return existing;
  }
  return created;
}

}  // namespace provstation::scanner::detail
