// SPDX-License-Identifier: Apache-2.0
#include "upload_target.hpp"

#include <cerrno>
#include <cstdio>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>

namespace provstation::tftpd::detail {

std::optional<upload_target> upload_target::create(int root_fd, const std::string& path,
                                                   refusal& refused) {
  auto parts = split_path(path);
  if (!parts || parts->empty() || path.find('\0') != std::string::npos) {
    refused = {error_code::access_violation, "access violation"};
    return std::nullopt;
  }
  upload_target t;
  t.name_ = parts->back();
  parts->pop_back();
  const std::string dir = parts->empty() ? std::string(".") : join_path(*parts);
  t.dir_ = unique_fd(openat2_beneath(root_fd, dir, O_PATH | O_DIRECTORY));
  if (!t.dir_.valid()) {
    refused = {error_code::access_violation, "access violation"};
    return std::nullopt;
  }
  struct stat st {};
  if (::fstatat(t.dir_.get(), t.name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    refused = {error_code::file_exists, "file already exists"};
    return std::nullopt;
  }
  thread_local std::minstd_rand rng(std::random_device{}());
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rng()));
  t.temp_name_ = "." + t.name_ + ".upload-" + suffix;
  t.file_ = unique_fd(::openat(t.dir_.get(), t.temp_name_.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!t.file_.valid()) {
    refused = {errno == ENOSPC ? error_code::disk_full : error_code::access_violation,
               errno == ENOSPC ? "disk full" : "access violation"};
    return std::nullopt;
  }
  return t;
}

upload_target::~upload_target() { discard(); }

bool upload_target::append(std::span<const std::byte> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(file_.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool upload_target::commit() {
  if (done_ || !file_.valid()) return false;
  file_.reset();
  if (::renameat2(dir_.get(), temp_name_.c_str(), dir_.get(), name_.c_str(), RENAME_NOREPLACE) != 0) {
    const int err = errno;
    discard();
    errno = err;
    return false;
  }
  done_ = true;
  return true;
}

void upload_target::discard() {
  if (done_ || !dir_.valid()) return;
  file_.reset();
  ::unlinkat(dir_.get(), temp_name_.c_str(), 0);
  done_ = true;
}

}  // namespace provstation::tftpd::detail
