// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace provstation {

/// @brief The station's version string (the CMake project version).
std::string_view version();

}  // namespace provstation
