// SPDX-License-Identifier: Apache-2.0
#include "connection_manager.hpp"

#include <cerrno>

#include <unistd.h>

namespace provstation::tftpd::detail {

namespace {

// Batches handled per wake-up before yielding to the rest of the io_context.
constexpr int max_rounds = 4;

}  // namespace

std::shared_ptr<connection_manager> connection_manager::create(
    const boost::asio::any_io_executor& strand, std::shared_ptr<spdlog::logger> log,
    boost::system::error_code& ec) {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) {
    ec.assign(errno, boost::system::system_category());
    return nullptr;
  }
  return std::shared_ptr<connection_manager>(new connection_manager(strand, fd, std::move(log)));
}

connection_manager::connection_manager(const boost::asio::any_io_executor& strand, int epoll_fd,
                                       std::shared_ptr<spdlog::logger> log)
    : strand_(strand), epoll_(strand, epoll_fd), log_(std::move(log)) {}

bool connection_manager::add(int fd, std::shared_ptr<readiness_handler> handler) {
  if (closed_) return false;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_ADD, fd, &ev) != 0) return false;
  handlers_[fd] = std::move(handler);
  do_wait();
  return true;
}

void connection_manager::remove(int fd) {
  if (handlers_.erase(fd) == 0) return;
  epoll_event ev{};
  static_cast<void>(::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_DEL, fd, &ev));
}

void connection_manager::close() {
  if (closed_) return;
  closed_ = true;
  handlers_.clear();
  boost::system::error_code ignored;
  epoll_.close(ignored);
}

void connection_manager::do_wait() {
  if (waiting_ || closed_ || handlers_.empty()) return;
  waiting_ = true;
  epoll_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [self = shared_from_this()](const boost::system::error_code& ec) {
                      self->waiting_ = false;
                      self->on_ready(ec);
                    });
}

void connection_manager::on_ready(const boost::system::error_code& ec) {
  if (closed_ || ec == boost::asio::error::operation_aborted) return;
  if (ec) {
    log_->error("transfer socket set: {}", ec.message());
    return;
  }
  for (int round = 0; round < max_rounds && !closed_; ++round) {
    const int n = ::epoll_wait(epoll_.native_handle(), events_.data(),
                               static_cast<int>(events_.size()), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (int i = 0; i < n; ++i) {
      // A handler that ended in this batch is gone from the map; its fd number may even be
      // reused by a new transfer, whose non-blocking read then simply finds nothing.
      auto it = handlers_.find(events_[static_cast<std::size_t>(i)].data.fd);
      if (it == handlers_.end()) continue;
      auto handler = it->second;
      handler->on_readable();
    }
    if (static_cast<std::size_t>(n) < events_.size()) break;
  }
  do_wait();
}

}  // namespace provstation::tftpd::detail
