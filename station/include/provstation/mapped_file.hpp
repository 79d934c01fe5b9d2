// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

namespace provstation {

/// @brief A file mapped read-only into memory, unmapped when the last user lets go.
class mapped_file {
 public:
  /// @brief Maps `path` (an empty file maps to an empty span).
  static result<std::shared_ptr<const mapped_file>> open(const std::string& path);
  ~mapped_file();
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }
  std::size_t size() const { return size_; }

 private:
  mapped_file(const std::byte* data, std::size_t size) : data_(data), size_(size) {}
  const std::byte* data_;
  std::size_t size_;
};

/// @brief Shares one mapping per path between every transfer that uses it, so 500 phones
/// pulling the same image read it once.
class mapped_file_cache {
 public:
  result<std::shared_ptr<const mapped_file>> get(const std::string& path);

 private:
  std::mutex mu_;
  std::map<std::string, std::weak_ptr<const mapped_file>> files_;
};

}  // namespace provstation
