// SPDX-License-Identifier: Apache-2.0
#pragma once

// The composition root: what the `provstation` subcommands run. Private to the executable and
// its tests.

#include <provstation/config.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace provstation::app {

/// @brief Extra switches of `serve` that are not configuration.
struct serve_options {
  std::string ready_file;  ///< Written (JSON: endpoints, pid) once every socket is bound.
  bool drop_privileges = true;
  /// @brief Called once everything listens (the demo starts its phones then).
  std::function<void()> on_ready;
  /// @brief Set to stop the daemon from another thread (the demo); signals work too.
  std::atomic<bool>* stop_flag = nullptr;
};

/// @brief Runs the daemon until SIGINT/SIGTERM. Returns the process exit code.
int serve(const config& c, const serve_options& options);

/// @brief Enters the network namespace /run/netns/<name> (the calling thread, and every thread
/// it starts afterwards).
bool enter_netns(const std::string& name, std::string& error);

}  // namespace provstation::app
