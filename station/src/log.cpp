// SPDX-License-Identifier: Apache-2.0
#include <provstation/log.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <string>

namespace provstation {

namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

std::shared_ptr<spdlog::logger> logger(std::string_view component) {
  const std::string name(component);
  std::lock_guard lock(registry_mutex());
  if (auto existing = spdlog::get(name)) return existing;
  auto sink = spdlog::default_logger()->sinks().empty()
                  ? std::make_shared<spdlog::sinks::stderr_color_sink_mt>()
                  : spdlog::default_logger()->sinks().front();
  auto created = std::make_shared<spdlog::logger>(name, sink);
  created->set_level(spdlog::default_logger()->level());
  created->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  spdlog::register_logger(created);
  return created;
}

void init_logging(std::string_view level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto def = std::make_shared<spdlog::logger>("provstation", sink);
  def->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  const auto lvl = spdlog::level::from_str(std::string(level));
  def->set_level(lvl);
  std::lock_guard lock(registry_mutex());
  spdlog::set_default_logger(def);
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) {
    l->sinks() = {sink};
    l->set_level(lvl);
  });
}

}  // namespace provstation
