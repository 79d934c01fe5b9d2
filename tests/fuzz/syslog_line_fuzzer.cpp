// SPDX-License-Identifier: Apache-2.0
// Fuzzes the SPA syslog parser: any datagram parses or is refused; a parse names a valid MAC.
#include <provstation/syslog_parser.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = provstation::parse_syslog(std::as_bytes(std::span(data, size)));
  if (r.ok() && (r->url.size() > 512 || r->err.size() > 256)) std::abort();
  return 0;
}
