// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

namespace provstation::tftpd::detail {

/// @brief An owned file descriptor.
class unique_fd {
 public:
  unique_fd() = default;
  /// @brief Takes ownership of `fd` (may be -1).
  explicit unique_fd(int fd) : fd_(fd) {}
  ~unique_fd() { reset(); }
  unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  /// @brief The descriptor.
  int get() const { return fd_; }
  /// @brief True when a descriptor is held.
  bool valid() const { return fd_ >= 0; }
  /// @brief Gives the descriptor away.
  int release() { return std::exchange(fd_, -1); }
  /// @brief Closes the descriptor.
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

/// @brief openat2(dirfd, path, flags | O_CLOEXEC) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS:
/// the kernel refuses any resolution leaving `dirfd`. Returns -1 with errno set on failure.
int openat2_beneath(int dirfd, const std::string& path, std::uint64_t flags, unsigned mode = 0);

/// @brief Splits a request path into components: leading and repeated '/' and '.' dropped.
/// nullopt when a component is ".." (refused outright, even if it would stay inside).
std::optional<std::vector<std::string>> split_path(std::string_view path);

/// @brief Joins components with '/'.
std::string join_path(const std::vector<std::string>& parts);

}  // namespace provstation::tftpd::detail
