// SPDX-License-Identifier: Apache-2.0
// The provstation executable: parse the command line, run the chosen subcommand.
#include "app/cli.hpp"

int main(int argc, char** argv) {
  return provstation::app::run_cli(argc, argv);
}
