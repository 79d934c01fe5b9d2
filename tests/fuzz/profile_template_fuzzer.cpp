// SPDX-License-Identifier: Apache-2.0
// Fuzzes the profile template renderer: placeholders are found, escaped or refused.
#include <provstation/template.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const provstation::template_values values{{"unit.mac", "0023ab000001"},
                                            {"unit.serial", "<&\"'>"}};
  auto r = provstation::render_template(std::string_view(reinterpret_cast<const char*>(data), size), values);
  if (r.ok() && r->find("<&\"'>") != std::string::npos && size < 20) std::abort();
  return 0;
}
