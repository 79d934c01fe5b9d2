// SPDX-License-Identifier: Apache-2.0
// Fuzzes the hook's policy file parser: any bytes either give an error or a policy whose
// decisions agree with its mode.
#include "policy.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using provstation::kea::policy;
  using provstation::kea::policy_mode;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = policy::parse(text);
  if (!p.ok()) {
    if (p.message().empty()) std::abort();
    return 0;
  }
  const provstation::kea::mac48 probe = 0x0023ab000001;
  switch (p->mode()) {
    case policy_mode::all:
      if (!p->allows(probe)) std::abort();
      break;
    case policy_mode::scanned:
      if (p->scanned_count() == 0 && p->allows(probe)) std::abort();
      break;
    case policy_mode::not_shipped:
      if (p->shipped_count() == 0 && !p->allows(probe)) std::abort();
      break;
    case policy_mode::deny_all:
      // A file cannot ask for deny-all; only the hook's fallback is that.
      std::abort();
  }
  return 0;
}
