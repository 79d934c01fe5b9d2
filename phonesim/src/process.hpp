// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace provstation::phonesim::detail {

/// @brief How a child is started.
struct spawn_options {
  bool die_with_parent = false;  ///< SIGTERM the child when this process dies.
  int stdout_fd = -1;            ///< Redirect stdout to this descriptor (-1 = inherit).
  int stderr_fd = -1;            ///< Redirect stderr to this descriptor (-1 = inherit).
};

/// @brief Starts `argv` (PATH lookup) with default signal dispositions and an empty signal
/// mask; returns its pid or -1.
pid_t spawn_process(const std::vector<std::string>& argv, const spawn_options& options = {});

/// @brief The outcome of a command run to completion.
struct command_result {
  int exit_code = -1;  ///< -1 when it could not be started or was killed by a signal.
  std::string output;  ///< stdout and stderr together.
};

/// @brief Runs `argv` to completion, capturing its output.
command_result run_command(const std::vector<std::string>& argv);

/// @brief Sends SIGTERM, waits up to `grace`, then SIGKILL; reaps the child.
void stop_process(pid_t pid, std::chrono::milliseconds grace);

/// @brief The path of the running executable.
std::string self_executable();

}  // namespace provstation::phonesim::detail
