// SPDX-License-Identifier: Apache-2.0
#include "policy_watcher.hpp"

#include <provstation/kea/policy_file.hpp>

#include <cerrno>
#include <cstring>  // std::strerror
#include <system_error>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

namespace provstation::kea {

namespace {

// Reads a regular file of at most max_policy_file_bytes. Opening with O_NONBLOCK keeps a FIFO
// planted at the path from blocking the watcher.
bool read_small_file(const std::string& path, std::string& out, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "not a regular file";
    ::close(fd);
    return false;
  }
  out.clear();
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_policy_file_bytes) break;
  }
  ::close(fd);
  return true;
}

}  // namespace

policy_watcher::policy_watcher(std::string path, policy fallback,
                               std::chrono::milliseconds interval, notice_handler on_notice)
    : path_(std::move(path)),
      fallback_(std::make_shared<const policy>(std::move(fallback))),
      interval_(interval),
      on_notice_(std::move(on_notice)),
      current_(fallback_) {}

policy_watcher::~policy_watcher() {
  stop();
}

void policy_watcher::start() {
  check();
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void policy_watcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void policy_watcher::run() {
  ::pthread_setname_np(::pthread_self(), "prov-policy");
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    check();
    lock.lock();
  }
}

bool policy_watcher::check() {
  std::lock_guard lock(check_mutex_);
  file_stamp now;
  struct stat st {};
  int stat_errno = 0;
  if (::stat(path_.c_str(), &st) == 0) {
    now.exists = true;
    now.dev = st.st_dev;
    now.ino = st.st_ino;
    now.size = static_cast<unsigned long long>(st.st_size);
    now.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    now.ctime_ns = static_cast<long long>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
  } else {
    stat_errno = errno;
  }
  if (checked_once_ && now == stamp_) return false;
  checked_once_ = true;
  stamp_ = now;

  if (!now.exists) {
    if (stat_errno == ENOENT || stat_errno == ENOTDIR) {
      publish(state::missing, "", fallback_);
    } else {
      publish(state::unreadable, std::strerror(stat_errno), fallback_);
    }
    return true;
  }
  std::string text;
  std::string error;
  if (!read_small_file(path_, text, error)) {
    publish(state::unreadable, std::move(error), fallback_);
    return true;
  }
  auto parsed = policy::parse(text);
  if (!parsed) {
    publish(state::invalid, parsed.message(), fallback_);
    return true;
  }
  publish(state::loaded, "", std::make_shared<const policy>(std::move(parsed).value()));
  return true;
}

void policy_watcher::publish(state s, std::string detail, std::shared_ptr<const policy> p) {
  {
    std::lock_guard lock(current_mutex_);
    current_ = p;
  }
  // A file that keeps changing while staying missing or broken in the same way is reported once.
  const bool same = reported_once_ && s == state_ && detail == detail_ && s != state::loaded;
  reported_once_ = true;
  state_ = s;
  detail_ = detail;
  if (same || !on_notice_) return;
  notice n;
  n.what = s;
  n.detail = std::move(detail);
  n.current = std::move(p);
  on_notice_(n);
}

}  // namespace provstation::kea
