// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/asio/ip/udp.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace provstation::tftpd {

/// @brief A file opened for one transfer. Implementations are read-only and may be shared by
/// many transfers at once (a firmware image mapped once, served to 500 phones).
class readable {
 public:
  virtual ~readable() = default;

  /// @brief The size in bytes (answers `tsize`).
  virtual std::uint64_t size() const = 0;

  /// @brief Copies up to `out.size()` bytes starting at `offset` into `out`.
  /// @return the number of bytes copied; fewer than `out.size()` only at the end of the file.
  virtual std::size_t read(std::uint64_t offset, std::span<std::byte> out) const = 0;

  /// @brief The whole content as one contiguous read-only span, when the implementation holds
  /// it in memory (a mapping or a rendered profile); empty otherwise. Lets the server send
  /// blocks without copying.
  virtual std::span<const std::byte> contiguous() const { return {}; }
};

/// @brief TFTP error codes (RFC 1350, RFC 2347).
enum class error_code : std::uint16_t {
  not_defined = 0,
  file_not_found = 1,
  access_violation = 2,
  disk_full = 3,
  illegal_operation = 4,
  unknown_transfer_id = 5,
  file_exists = 6,
  no_such_user = 7,
  option_negotiation = 8,
};

/// @brief What a client asked for.
struct open_request {
  std::string path;                         ///< The file name exactly as the client sent it.
  boost::asio::ip::udp::endpoint client;    ///< The client's address and port (its TID).
};

/// @brief The answer to an open: a file, or a TFTP error to send back.
struct open_result {
  std::shared_ptr<const readable> file;     ///< Set on success.
  error_code code = error_code::file_not_found;  ///< Sent when `file` is null.
  std::string message;                      ///< Sent when `file` is null; short, for the client.
};

using open_handler = std::function<void(open_result)>;

/// @brief Where the server gets files. The station's implementation answers from memory
/// (rendered profiles, mapped firmware) and may defer its answer briefly (for instance while it
/// waits up to 2 s for the lease event of a client it does not know yet).
class file_source {
 public:
  virtual ~file_source() = default;

  /// @brief Opens `request.path` for `request.client`. Calls `done` exactly once, from any
  /// thread, now or later; the server moves the completion onto its own executor.
  virtual void async_open(const open_request& request, open_handler done) = 0;
};

/// @brief A file_source over a plain directory: paths resolve inside `root` only (no `..`,
/// no absolute escape, no symlink leading outside), optionally case-insensitively. Files are
/// mapped read-only and shared while any transfer uses them.
std::unique_ptr<file_source> make_directory_source(const std::string& root,
                                                   bool case_insensitive);

}  // namespace provstation::tftpd
