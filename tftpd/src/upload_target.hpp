// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "fs_util.hpp"

#include <provstation/tftpd/file_source.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace provstation::tftpd::detail {

/// @brief Where one WRQ is written: a hidden temporary file next to the target inside the
/// upload directory, renamed into place (never over an existing file) when the last block is in.
class upload_target {
 public:
  /// @brief Why a target could not be created.
  struct refusal {
    error_code code;      ///< TFTP error to send.
    std::string message;  ///< Its text.
  };

  /// @brief Prepares `path` inside the directory `root_fd`; sets `refused` on failure.
  static std::optional<upload_target> create(int root_fd, const std::string& path,
                                             refusal& refused);

  upload_target(upload_target&&) noexcept = default;
  upload_target& operator=(upload_target&&) noexcept = default;
  ~upload_target();

  /// @brief Appends bytes; false on a write error (errno set).
  bool append(std::span<const std::byte> bytes);
  /// @brief Moves the file into place; false (errno set) when that fails.
  bool commit();
  /// @brief Removes the temporary file (also done by the destructor unless committed).
  void discard();

 private:
  upload_target() = default;
  unique_fd dir_;
  unique_fd file_;
  std::string name_;
  std::string temp_name_;
  bool done_ = false;
};

}  // namespace provstation::tftpd::detail
