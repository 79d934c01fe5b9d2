// SPDX-License-Identifier: Apache-2.0
// Fuzzes the one MAC parser: any bytes either parse to a value that re-parses identically, or
// give an error.
#include <provstation/mac.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto mac = provstation::mac_address::parse(text);
  if (mac.ok()) {
    auto again = provstation::mac_address::parse(mac->colon());
    if (!again.ok() || *again != *mac) std::abort();
  }
  return 0;
}
