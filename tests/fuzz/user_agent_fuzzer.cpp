// SPDX-License-Identifier: Apache-2.0
// Fuzzes the provisioning User-Agent parser.
#include <provstation/user_agent.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = provstation::parse_user_agent(std::string_view(reinterpret_cast<const char*>(data), size));
  if (r && (r->model.empty() || r->version.empty())) std::abort();
  return 0;
}
