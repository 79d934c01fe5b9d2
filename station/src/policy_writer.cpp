// SPDX-License-Identifier: Apache-2.0
#include <provstation/policy_writer.hpp>

#include <provstation/kea/policy_file.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

namespace provstation {

std::string render_policy(const board& b, const std::string& mode) {
  std::string out(kea::policy_magic);
  out += "\n";
  out += fmt::format("mode {}\n", mode);
  b.for_each_unit([&](const unit_record& u) {
    if (!u.unscanned) out.append("scanned ").append(u.mac.str()).append("\n");
    if (u.shipped_at != 0) out.append("shipped ").append(u.mac.str()).append("\n");
  });
  return out;
}

result<void> write_file_atomically(const std::string& path, const std::string& content,
                                   const std::string& group, unsigned mode) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  std::size_t off = 0;
  while (off < content.size()) {
    const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string err = std::strerror(errno);
      ::close(fd);
      return make_error(fmt::format("cannot write {}: {}", tmp, err));
    }
    off += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, mode);
  if (!group.empty()) {
    if (const struct group* g = ::getgrnam(group.c_str())) {
      if (::fchown(fd, static_cast<uid_t>(-1), g->gr_gid) != 0) {
        // Not fatal: root and the owner can still read it.
      }
    }
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return make_error(fmt::format("cannot sync {}: {}", tmp, std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return make_error(fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(errno)));
  }
  return {};
}

}  // namespace provstation
