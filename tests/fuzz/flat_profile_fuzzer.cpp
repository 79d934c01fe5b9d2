// SPDX-License-Identifier: Apache-2.0
// Fuzzes what a simulated phone does with the bytes of a fetched profile: decoding (gzip,
// OpenSSL-salted AES-256-CBC) and the <flat-profile> parser, with and without an alias map.
// Every input either parses or gives an error; parsing is deterministic.
#include <provstation/phonesim/flat_profile.hpp>
#include <provstation/phonesim/profile_decoder.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ps = provstation::phonesim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // An optional first line "ALIAS <map>" supplies an alias map, as GPP_<letter> would.
  std::vector<ps::alias_entry> aliases;
  if (text.substr(0, 6) == "ALIAS ") {
    const std::size_t nl = text.find('\n');
    auto map = ps::parse_alias_map(
        text.substr(6, nl == std::string_view::npos ? std::string_view::npos : nl - 6));
    if (map.ok()) aliases = *map;
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  auto decoded = ps::decode_profile(text, std::string("fuzz-key"));
  const std::string_view xml = decoded.ok() ? std::string_view(decoded->xml) : text;
  auto first = ps::parse_flat_profile(xml, aliases);
  auto second = ps::parse_flat_profile(xml, aliases);
  if (first.ok() != second.ok()) std::abort();
  if (first.ok() && *first != *second) std::abort();
  if (first.ok()) {
    for (const auto& [name, value] : *first) {
      if (name.empty()) std::abort();
    }
  }
  return 0;
}
