// SPDX-License-Identifier: Apache-2.0
#include <provstation/tftpd/memory_file.hpp>

#include <algorithm>
#include <cstring>

namespace provstation::tftpd {

namespace {

class memory_file final : public readable {
 public:
  explicit memory_file(std::vector<std::byte> bytes) : bytes_(std::move(bytes)) {}

  std::uint64_t size() const override { return bytes_.size(); }

  std::size_t read(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= bytes_.size()) return 0;
    const std::size_t n =
        std::min<std::size_t>(out.size(), bytes_.size() - static_cast<std::size_t>(offset));
    std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
  }

  std::span<const std::byte> contiguous() const override { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

}  // namespace

std::shared_ptr<const readable> make_memory_file(std::vector<std::byte> bytes) {
  return std::make_shared<memory_file>(std::move(bytes));
}

std::shared_ptr<const readable> make_memory_file(std::string_view text) {
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  return make_memory_file(std::move(bytes));
}

}  // namespace provstation::tftpd
