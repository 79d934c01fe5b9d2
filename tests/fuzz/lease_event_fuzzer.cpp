// SPDX-License-Identifier: Apache-2.0
// Fuzzes the lease-event datagram parser; what parses must re-encode and parse the same.
#include <provstation/lease_event_parser.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = provstation::parse_lease_event(std::as_bytes(std::span(data, size)));
  if (r.ok()) {
    const std::string again = provstation::kea::encode(r->event);
    auto r2 = provstation::parse_lease_event(std::as_bytes(std::span(again.data(), again.size())));
    if (!r2.ok() || r2->mac != r->mac || r2->event.seq != r->event.seq) std::abort();
  }
  return 0;
}
