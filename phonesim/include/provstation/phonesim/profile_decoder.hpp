// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace provstation::phonesim {

/// @brief What a fetched profile file turned out to be.
struct decoded_profile {
  std::string xml;  ///< The XML text.
  bool was_encrypted = false;
  bool was_compressed = false;
  std::string key_digest;  ///< "md5" or "sha256" when it was encrypted.
};

/// @brief Decodes a profile by its header, never by its name (spa-provisioning.md §2.4, §5.1):
/// `Salted__` → AES-256-CBC with `key` (OpenSSL EVP_BytesToKey, one iteration, MD5 as
/// OpenSSL 0.9.7 did, then SHA-256 as OpenSSL ≥ 1.1 does); gzip magic → inflate; the result
/// must look like XML. Anything else (an SPC binary, garbage) is an error.
result<decoded_profile> decode_profile(std::string_view data,
                                       const std::optional<std::string>& key);

}  // namespace provstation::phonesim
