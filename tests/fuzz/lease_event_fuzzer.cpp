// SPDX-License-Identifier: Apache-2.0
// Fuzzes the lease-event datagram as the station reads it: split into lines (a datagram carries
// one or more events), each line parsed; what parses must re-encode and parse the same.
#include <provstation/kea/lease_event.hpp>
#include <provstation/lease_event_parser.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view datagram(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 0;
  const std::size_t end = provstation::kea::for_each_event(datagram, 0, [&](std::string_view line) {
    ++lines;
    if (line.find('\n') != std::string_view::npos) std::abort();
    auto r = provstation::parse_lease_event(std::as_bytes(std::span(line.data(), line.size())));
    if (r.ok()) {
      const std::string again = provstation::kea::encode(r->event);
      auto r2 =
          provstation::parse_lease_event(std::as_bytes(std::span(again.data(), again.size())));
      if (!r2.ok() || r2->mac != r->mac || r2->event.seq != r->event.seq) std::abort();
    }
    return true;
  });
  if (end != size) std::abort();
  return 0;
}
