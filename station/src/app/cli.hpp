// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace provstation::app {

/// @brief Parses the command line and runs the chosen subcommand; returns the exit code.
int run_cli(int argc, char** argv);

}  // namespace provstation::app
