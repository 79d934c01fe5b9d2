// SPDX-License-Identifier: Apache-2.0
#include "fs_util.hpp"

#include <cerrno>

#include <fcntl.h>
#include <linux/openat2.h>  // open_how, RESOLVE_BENEATH
#include <sys/syscall.h>

namespace provstation::tftpd::detail {

int openat2_beneath(int dirfd, const std::string& path, std::uint64_t flags, unsigned mode) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.mode = mode;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    const long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd < 0 && errno == EINTR) continue;
    return static_cast<int>(fd);
  }
}

std::optional<std::vector<std::string>> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const std::size_t slash = path.find('/', pos);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view part = path.substr(pos, end - pos);
    if (part == "..") return std::nullopt;
    if (!part.empty() && part != ".") parts.emplace_back(part);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return parts;
}

std::string join_path(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace provstation::tftpd::detail
