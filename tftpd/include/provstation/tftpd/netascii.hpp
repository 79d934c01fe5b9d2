// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace provstation::tftpd {

/// @brief Translates local text to netascii (RFC 1350/RFC 764): LF becomes CR LF and a bare
/// CR becomes CR NUL, so a client that decodes netascii gets the exact local bytes back.
std::vector<std::byte> encode_netascii(std::span<const std::byte> local);

/// @brief Translates netascii back to local text across block boundaries: CR LF becomes LF,
/// CR NUL becomes CR. Feed blocks in order, then call finish().
class netascii_decoder {
 public:
  /// @brief Decodes `in`, appending to `out`.
  void decode(std::span<const std::byte> in, std::vector<std::byte>& out);
  /// @brief Flushes a CR left pending at the very end.
  void finish(std::vector<std::byte>& out);

 private:
  bool pending_cr_ = false;
};

}  // namespace provstation::tftpd
