// SPDX-License-Identifier: Apache-2.0
#include <provstation/version.hpp>

namespace provstation {

std::string_view version() {
  return PROVSTATION_VERSION;
}

}  // namespace provstation
