// SPDX-License-Identifier: Apache-2.0
// Fuzzes the TOML configuration reader: any text is a config or one error.
#include <provstation/config.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto c = provstation::parse_config(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!c.ok() && c.message().empty()) std::abort();
  return 0;
}
