// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace provstation::app {

/// @brief A child process started with posix_spawn; terminated (SIGTERM, then SIGKILL) when
/// destroyed unless it was released.
class child_process {
 public:
  child_process() = default;
  ~child_process();
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// @brief Starts `argv` with extra environment `env` ("K=V"); stdout and stderr go to
  /// `log_path` (appended) or /dev/null when empty.
  static result<child_process> spawn(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env,
                                     const std::string& log_path);

  pid_t pid() const { return pid_; }
  bool running();
  /// @brief Sends `sig` (no wait).
  void signal(int sig) const;
  /// @brief SIGTERM, wait up to `grace`, then SIGKILL; returns the exit status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  /// @brief Waits for the exit; returns the exit code (128 + signal when killed).
  int wait();

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

/// @brief Runs a command to completion; returns its exit code and (merged) output.
int run_command(const std::vector<std::string>& argv, std::string* output = nullptr);

}  // namespace provstation::app
