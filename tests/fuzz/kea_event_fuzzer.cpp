// SPDX-License-Identifier: Apache-2.0
// Fuzzes the lease-event encoder with the bytes a client controls (option 12 hostname and
// option 60 vendor class): every datagram must be valid UTF-8 JSON within the size limit, and
// must give the strings back (cut to the limit, invalid bytes as U+FFFD).
#include <provstation/kea/lease_event.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace provstation::kea;
  const std::string input(reinterpret_cast<const char*>(data), size);
  // The first byte chooses where the input is split between the two strings.
  const std::size_t split = size == 0 ? 0 : data[0] % size;
  lease_event e;
  e.boot_id = "00112233445566778899aabbccddeeff";
  e.seq = 1;
  e.mac = "0023ab000001";
  e.ip = "192.0.2.100";
  e.hostname = input.substr(0, split);
  e.vendor_class = input.substr(split);
  e.client_id = input.substr(0, 20);
  const std::string wire = encode(e);
  if (wire.size() > max_event_bytes) std::abort();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(wire);
  } catch (const nlohmann::json::exception&) {
    std::abort();
  }
  if (j.at("v") != 1 || j.at("seq") != 1 || j.at("mac") != "0023ab000001") std::abort();
  // Valid UTF-8 without control characters passes through unchanged (up to the limit).
  bool plain = e.hostname.size() <= max_string_bytes;
  for (unsigned char c : e.hostname)
    plain = plain && c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  if (plain && j.at("hostname") != e.hostname) std::abort();
  return 0;
}
