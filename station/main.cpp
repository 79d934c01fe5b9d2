// SPDX-License-Identifier: Apache-2.0
#include <provstation/version.hpp>

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"provstation: mass in-house preprovisioning of SIP phones"};
  app.require_subcommand(1);
  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([] { std::cout << "provstation " << provstation::version() << "\n"; });
  CLI11_PARSE(app, argc, argv);
  return 0;
}
