// SPDX-License-Identifier: Apache-2.0
#include <provstation/mapped_file.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace provstation {

result<std::shared_ptr<const mapped_file>> mapped_file::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(fmt::format("{} is not a regular file", path));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  const std::byte* data = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      return make_error(fmt::format("cannot map {}: {}", path, std::strerror(errno)));
    }
    data = static_cast<const std::byte*>(p);
  }
  ::close(fd);
  return std::shared_ptr<const mapped_file>(new mapped_file(data, size));
}

mapped_file::~mapped_file() {
  if (size_ > 0) ::munmap(const_cast<std::byte*>(data_), size_);
}

result<std::shared_ptr<const mapped_file>> mapped_file_cache::get(const std::string& path) {
  std::lock_guard lock(mu_);
  if (auto it = files_.find(path); it != files_.end()) {
    if (auto alive = it->second.lock()) return alive;
  }
  auto opened = mapped_file::open(path);
  if (!opened) return opened;
  files_[path] = *opened;
  return opened;
}

}  // namespace provstation
