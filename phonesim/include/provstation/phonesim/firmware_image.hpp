// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::phonesim {

/// @brief The first bytes of every simulated firmware image.
inline constexpr std::string_view firmware_magic = "PROVSTATION-SIMFW";
/// @brief The header line may not be longer than this.
inline constexpr std::size_t max_firmware_header_bytes = 1024;

/// @brief The header line of a simulated image:
/// `PROVSTATION-SIMFW models=SPA525G,SPA525G2 version=7.5.5\n`.
struct firmware_header {
  std::vector<std::string> models;  ///< The models the image is for.
  std::string version;              ///< The firmware version it installs.
};

/// @brief Parses the header line of an image.
result<firmware_header> parse_firmware_header(std::string_view image);

/// @brief Checks that `image` is a valid image for `model` (compared case-insensitively)
/// and returns its header; the error is what the phone logs.
result<firmware_header> check_firmware(std::string_view image, std::string_view model);

/// @brief Builds an image of `size_bytes` bytes in total (at least the header line): the
/// header, then pseudo-random bytes from `seed`.
std::string make_firmware(const std::vector<std::string>& models, std::string_view version,
                          std::size_t size_bytes, std::uint64_t seed);

}  // namespace provstation::phonesim
