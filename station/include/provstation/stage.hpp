// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace provstation {

/// @brief Where a unit is on its way from factory default to shipped (DESIGN.md "Stages").
enum class stage {
  scanned,
  leased,
  seeded,
  profiled,
  firmware_staging,
  staged,
  verified,
  ready,
  shipped,
  failed,
};

/// @brief Every stage in board order.
inline constexpr std::array<stage, 10> all_stages{
    stage::scanned, stage::leased,   stage::seeded, stage::profiled, stage::firmware_staging,
    stage::staged,  stage::verified, stage::ready,  stage::shipped,  stage::failed};

/// @brief The stage's name as stored and shown: "SCANNED", "FIRMWARE_STAGING", ...
constexpr std::string_view to_string(stage s) {
  switch (s) {
    case stage::scanned:
      return "SCANNED";
    case stage::leased:
      return "LEASED";
    case stage::seeded:
      return "SEEDED";
    case stage::profiled:
      return "PROFILED";
    case stage::firmware_staging:
      return "FIRMWARE_STAGING";
    case stage::staged:
      return "STAGED";
    case stage::verified:
      return "VERIFIED";
    case stage::ready:
      return "READY";
    case stage::shipped:
      return "SHIPPED";
    case stage::failed:
      return "FAILED";
  }
  return "FAILED";
}

/// @brief Parses a stage name (case-insensitive); nullopt when unknown.
std::optional<stage> parse_stage(std::string_view name);

}  // namespace provstation
