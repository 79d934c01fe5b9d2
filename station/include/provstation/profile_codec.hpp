// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <string>
#include <string_view>

namespace provstation {

/// @brief Key derivation digest for `openssl enc -k`: MD5 is what SPA phones (OpenSSL 0.9.7)
/// use; SHA-256 is OpenSSL ≥ 1.1's default.
enum class key_digest { md5, sha256 };

/// @brief gzip (RFC 1952) of `data`.
std::string gzip_compress(std::string_view data);

/// @brief Encrypts like `openssl enc -e -aes-256-cbc -k KEY -md md5|sha256`: "Salted__", an
/// 8-byte random salt, then AES-256-CBC with EVP_BytesToKey(key, salt, 1 iteration).
std::string encrypt_profile(std::string_view plaintext, std::string_view key, key_digest digest);

/// @brief The inverse of encrypt_profile (for tests and the CLI's `profile decrypt`).
result<std::string> decrypt_profile(std::string_view ciphertext, std::string_view key,
                                    key_digest digest);

}  // namespace provstation
