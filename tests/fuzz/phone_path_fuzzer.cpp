// SPDX-License-Identifier: Apache-2.0
// Fuzzes the classification of phone request paths (TFTP file names, HTTP targets): a firmware
// name never holds a path separator or "..".
#include <provstation/profiles.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto p = provstation::classify_path(std::string_view(reinterpret_cast<const char*>(data), size));
  if (p.what == provstation::profile_path::kind::firmware &&
      (p.file_name.find('/') != std::string::npos || p.file_name.find("..") != std::string::npos)) {
    std::abort();
  }
  return 0;
}
