// SPDX-License-Identifier: Apache-2.0
#include "log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

namespace provstation::phonesim {

std::shared_ptr<spdlog::logger> logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto existing = spdlog::get("phonesim");
    if (existing) return existing;
    auto l = std::make_shared<spdlog::logger>("phonesim",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_level(spdlog::level::info);
    spdlog::register_logger(l);
    return l;
  }();
  return instance;
}

void init_logging(std::string_view level, std::string_view tag) {
  auto l = logger();
  l->set_level(spdlog::level::from_str(std::string(level)));
  l->set_pattern("%H:%M:%S.%e phonesim " + std::string(tag) + " %l: %v");
}

}  // namespace provstation::phonesim
