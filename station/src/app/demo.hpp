// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace provstation::app {

/// @brief `provstation demo` switches.
struct demo_options {
  int phones = 20;
  std::string dashboard = "127.0.0.1:8080";
  double time_scale = 1.0;
  std::string dir;       ///< Keep the working files here (default: a temporary directory).
  int exit_after_s = 0;  ///< 0: run until Ctrl-C.
  bool until_settled = false;
};

/// @brief Brings up a demo bench (real Kea with our hook, the station, simulated phones in
/// network namespaces), scans the boxes as an operator would, prints the dashboard URL and
/// runs until interrupted. Returns the exit code.
int run_demo(const demo_options& options);

}  // namespace provstation::app
