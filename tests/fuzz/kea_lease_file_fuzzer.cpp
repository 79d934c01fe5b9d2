// SPDX-License-Identifier: Apache-2.0
// Fuzzes the Kea memfile CSV reader used for reconciliation.
#include <provstation/kea_lease_file.hpp>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = provstation::parse_kea_leases(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (r.ok()) (void)provstation::active_leases(*r, 0);
  return 0;
}
