// SPDX-License-Identifier: Apache-2.0
// A file_source over a plain directory.
//
// How it works: the root is opened once (O_PATH). Every request is normalised (leading '/'
// removed, '.' and empty components dropped, any '..' refused) and opened with openat2()
// RESOLVE_BENEATH, so the kernel itself refuses any escape, by '..' or by a symlink. With
// case-insensitive lookup a missing component is looked up in its directory ignoring ASCII
// case (an exact match wins). Small files (up to 64 KiB) are read into memory, and the copy is
// kept for the next request while the file's size, mtime and ctime stay the same (32 MiB of
// copies at most); larger ones are mapped
// read-only and shared through a cache keyed by (device, inode, size, mtime), so 500 phones
// pulling one firmware image share one mapping. The server only hands mapped bytes to the
// kernel (sendmsg), so a file truncated under a transfer makes that send fail with EFAULT
// instead of raising SIGBUS; read() uses pread() on the kept descriptor for the same reason.
#include <provstation/tftpd/file_source.hpp>
#include <provstation/tftpd/memory_file.hpp>
#include <provstation/tftpd/packet.hpp>

#include "fs_util.hpp"
#include "log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace provstation::tftpd {

namespace {

using detail::join_path;
using detail::openat2_beneath;
using detail::split_path;
using detail::unique_fd;

// Files up to this size are copied into memory; larger ones are mapped.
constexpr std::uint64_t small_file_bytes = 64 * 1024;
// Copies of small files kept between requests, in bytes at most (then the copies are dropped).
constexpr std::uint64_t small_cache_bytes = 32 << 20;
// A file changed less than this long ago is read afresh, not kept: the kernel stamps mtime with a
// coarse clock, so a second change within one tick could leave size and mtime as they were.
constexpr std::int64_t settle_ns = 2'000'000'000;
// Sweep dead cache entries once the map grows past this many.
constexpr std::size_t cache_sweep_entries = 256;
// The longest path the source accepts.
constexpr std::size_t max_path_chars = 1024;

// Reads into `out` from `offset` of `fd`, retrying short reads and EINTR, until `out` is full,
// `end` is reached or the file ends; returns the bytes read.
std::size_t pread_full(int fd, std::uint64_t offset, std::span<std::byte> out, std::uint64_t end) {
  std::size_t done = 0;
  while (done < out.size() && offset + done < end) {
    const ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

class mapped_file final : public readable {
 public:
  mapped_file(unique_fd fd, void* base, std::uint64_t size)
      : fd_(std::move(fd)), base_(base), size_(size) {}
  ~mapped_file() override {
    if (base_ != nullptr) ::munmap(base_, size_);
  }
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;

  std::uint64_t size() const override { return size_; }

  std::size_t read(std::uint64_t offset, std::span<std::byte> out) const override {
    return pread_full(fd_.get(), offset, out, size_);
  }

  std::span<const std::byte> contiguous() const override {
    return {static_cast<const std::byte*>(base_), static_cast<std::size_t>(size_)};
  }

 private:
  unique_fd fd_;
  void* base_;
  std::uint64_t size_;
};

struct cache_key {
  dev_t dev;
  ino_t ino;
  bool operator==(const cache_key&) const = default;
};

struct cache_key_hash {
  std::size_t operator()(const cache_key& k) const {
    return std::hash<std::uint64_t>()(static_cast<std::uint64_t>(k.ino) * 1000003U ^
                                      static_cast<std::uint64_t>(k.dev));
  }
};

struct cache_entry {
  std::weak_ptr<const readable> file;
  off_t size;
  timespec mtime;
};

// What identifies one version of a file's contents.
struct file_stamp {
  off_t size;
  timespec mtime;
  timespec ctime;
  bool operator==(const file_stamp& o) const {
    return size == o.size && mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec &&
           ctime.tv_sec == o.ctime.tv_sec && ctime.tv_nsec == o.ctime.tv_nsec;
  }
};

struct small_entry {
  std::shared_ptr<const readable> file;
  file_stamp stamp;
};

std::int64_t ns_of(const timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

class directory_source final : public file_source {
 public:
  directory_source(std::string root, bool case_insensitive)
      : root_path_(std::move(root)), case_insensitive_(case_insensitive) {
    root_ = unique_fd(::open(root_path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_.valid()) {
      detail::logger()->error("cannot open TFTP root {}: {}", root_path_, std::strerror(errno));
    }
  }

  void async_open(const open_request& request, open_handler done) override {
    done(open(request.path));
  }

 private:
  open_result open(const std::string& path) {
    if (!root_.valid()) return refuse(error_code::not_defined, "server root unavailable");
    if (path.size() > max_path_chars) return refuse(error_code::access_violation, "path too long");
    if (path.find('\0') != std::string::npos)
      return refuse(error_code::access_violation, "invalid path");
    auto parts = split_path(path);
    if (!parts) return refuse(error_code::access_violation, "access violation");
    if (parts->empty()) return refuse(error_code::file_not_found, "file not found");

    unique_fd fd(openat2_beneath(root_.get(), join_path(*parts), O_RDONLY | O_NOCTTY | O_NONBLOCK));
    if (!fd.valid() && errno == ENOENT && case_insensitive_) {
      if (auto actual = resolve_case_insensitive(*parts)) {
        fd = unique_fd(openat2_beneath(root_.get(), *actual, O_RDONLY | O_NOCTTY | O_NONBLOCK));
      } else {
        errno = ENOENT;
      }
    }
    if (!fd.valid()) return refuse_errno(errno);

    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return refuse_errno(errno);
    if (!S_ISREG(st.st_mode)) return refuse(error_code::access_violation, "not a regular file");
    return open_result{load(std::move(fd), st), error_code::not_defined, {}};
  }

  std::shared_ptr<const readable> load(unique_fd fd, const struct stat& st) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size <= small_file_bytes) return load_small(std::move(fd), st);

    const cache_key key{st.st_dev, st.st_ino};
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      if (auto file = it->second.file.lock(); file && it->second.size == st.st_size &&
                                              it->second.mtime.tv_sec == st.st_mtim.tv_sec &&
                                              it->second.mtime.tv_nsec == st.st_mtim.tv_nsec) {
        return file;
      }
    }
    void* base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd.get(), 0);
    if (base == MAP_FAILED) {
      detail::logger()->warn("mmap failed ({}), serving by pread", std::strerror(errno));
      base = nullptr;
    } else {
      ::madvise(base, size, MADV_WILLNEED);
    }
    std::shared_ptr<const readable> file;
    if (base != nullptr) {
      file = std::make_shared<mapped_file>(std::move(fd), base, size);
    } else {
      std::vector<std::byte> bytes(size);
      bytes.resize(pread_full(fd.get(), 0, bytes, size));
      file = make_memory_file(std::move(bytes));
    }
    if (cache_.size() >= cache_sweep_entries) {
      std::erase_if(cache_, [](const auto& kv) { return kv.second.file.expired(); });
    }
    cache_[key] = cache_entry{file, st.st_size, st.st_mtim};
    return file;
  }

  // A small file is served from a copy: the one kept from an earlier request while the file's
  // size, mtime and ctime are unchanged (a bench of phones asks for the same seed profile again
  // and again), else a fresh read, kept when the file has not changed for settle_ns.
  std::shared_ptr<const readable> load_small(unique_fd fd, const struct stat& st) {
    const cache_key key{st.st_dev, st.st_ino};
    const file_stamp stamp{st.st_size, st.st_mtim, st.st_ctim};
    {
      std::lock_guard lock(mutex_);
      if (auto it = small_.find(key); it != small_.end() && it->second.stamp == stamp) {
        return it->second.file;
      }
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    std::vector<std::byte> bytes(size);
    const std::size_t done = pread_full(fd.get(), 0, bytes, size);
    const bool whole = done == size;
    bytes.resize(done);
    auto file = make_memory_file(std::move(bytes));
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    if (whole && ns_of(now) - std::max(ns_of(st.st_mtim), ns_of(st.st_ctim)) >= settle_ns) {
      std::lock_guard lock(mutex_);
      if (auto it = small_.find(key); it != small_.end()) {
        small_bytes_ -= static_cast<std::uint64_t>(it->second.stamp.size);
        small_.erase(it);
      }
      if (small_bytes_ + size > small_cache_bytes) {
        small_.clear();
        small_bytes_ = 0;
      }
      small_.emplace(key, small_entry{file, stamp});
      small_bytes_ += size;
    }
    return file;
  }

  // Finds each component in its directory ignoring ASCII case; returns the actual path.
  std::optional<std::string> resolve_case_insensitive(const std::vector<std::string>& parts) {
    std::vector<std::string> actual;
    for (const auto& part : parts) {
      const std::string dir = actual.empty() ? std::string(".") : join_path(actual);
      unique_fd dfd(openat2_beneath(root_.get(), dir, O_RDONLY | O_DIRECTORY));
      if (!dfd.valid()) return std::nullopt;
      DIR* d = ::fdopendir(dfd.get());
      if (d == nullptr) return std::nullopt;
      static_cast<void>(dfd.release());  // The DIR owns the descriptor now.
      std::optional<std::string> match;
      while (const dirent* e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        if (name == part) {
          match = std::string(name);
          break;
        }
        if (!match && iequals(name, part)) match = std::string(name);
      }
      ::closedir(d);
      if (!match || *match == "..") return std::nullopt;
      actual.push_back(std::move(*match));
    }
    return join_path(actual);
  }

  static open_result refuse(error_code code, std::string message) {
    return open_result{nullptr, code, std::move(message)};
  }

  static open_result refuse_errno(int err) {
    switch (err) {
      case ENOENT:
      case ENOTDIR:
        return refuse(error_code::file_not_found, "file not found");
      case EACCES:
      case EPERM:
      case EXDEV:
      case ELOOP:
        return refuse(error_code::access_violation, "access violation");
      default:
        return refuse(error_code::not_defined, std::strerror(err));
    }
  }

  std::string root_path_;
  bool case_insensitive_;
  unique_fd root_;
  std::mutex mutex_;
  std::unordered_map<cache_key, cache_entry, cache_key_hash> cache_;
  std::unordered_map<cache_key, small_entry, cache_key_hash> small_;  // Guarded by mutex_.
  std::uint64_t small_bytes_ = 0;                                     // Guarded by mutex_.
};

}  // namespace

std::unique_ptr<file_source> make_directory_source(const std::string& root, bool case_insensitive) {
  return std::make_unique<directory_source>(root, case_insensitive);
}

}  // namespace provstation::tftpd
