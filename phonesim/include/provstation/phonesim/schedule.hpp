// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace provstation::phonesim {

/// @brief One element of a retry/periodic schedule: `base[+random]` seconds.
struct schedule_step {
  std::chrono::seconds base{0};
  std::chrono::seconds random{0};  ///< A uniform extra delay in [0, random].
};

/// @brief Parses `3600`, `3600+600` or `1800+300,3600+600,7200+900` (the last element repeats).
/// An empty text is an error.
result<std::vector<schedule_step>> parse_schedule(std::string_view text);

/// @brief The delay of attempt `index` (0-based; past the end the last step repeats).
std::chrono::milliseconds schedule_delay(const std::vector<schedule_step>& steps, std::size_t index,
                                         std::mt19937_64& rng);

}  // namespace provstation::phonesim
