// SPDX-License-Identifier: Apache-2.0
#include "event_sender.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>  // offsetof
#include <cstring>  // std::strerror, std::memcpy
#include <system_error>

#include <pthread.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

namespace provstation::kea {

namespace {

sockaddr_un make_address(const std::string& path, socklen_t& length) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // The path length is validated with the parameters; cut defensively all the same.
  const std::size_t n = std::min(path.size(), sizeof(addr.sun_path) - 1);
  std::memcpy(addr.sun_path, path.data(), n);
  length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n + 1);
  return addr;
}

}  // namespace

event_sender::event_sender(settings s, notice_handler on_notice)
    : settings_(std::move(s)), on_notice_(std::move(on_notice)) {}

event_sender::~event_sender() {
  stop();
}

void event_sender::start() {
  // Non-blocking: when the station's queue is full, this thread sleeps retry_delay and tries
  // again, instead of being woken for every single datagram the station reads.
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket(AF_UNIX)");
  {
    std::lock_guard lock(mutex_);
    queue_.reserve(std::min<std::size_t>(settings_.queue_capacity, 4096));
    stopping_ = false;
    running_ = true;
  }
  stop_requested_ = false;
  last_report_ = std::chrono::steady_clock::now();
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error&) {
    std::lock_guard lock(mutex_);
    running_ = false;
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

void event_sender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_ = true;
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  running_ = false;
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

std::uint64_t event_sender::submit(lease_event event) {
  bool wake = false;
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    // Every event gets a number, also one that is dropped, so the station sees the gap.
    seq = ++seq_;
    if (!running_ || stopping_) {
      ++dropped_shutdown_;
      return seq;
    }
    if (queue_.size() + in_flight_ >= settings_.queue_capacity) {
      ++dropped_queue_full_;
      return seq;
    }
    event.seq = seq;
    queue_.push_back(std::move(event));
    // Wake the sender when it sleeps with nothing to do, or early when the queue fills up.
    wake = sender_waiting_ || queue_.size() == high_water();
    sender_waiting_ = false;
  }
  // Waking the sender costs a system call and a context switch: only when needed.
  if (wake) wake_.notify_one();
  return seq;
}

event_sender::counters event_sender::stats() const {
  counters c;
  {
    std::lock_guard lock(mutex_);
    c.submitted = seq_;
    c.dropped_queue_full = dropped_queue_full_;
    c.dropped_shutdown = dropped_shutdown_;
  }
  c.sent = sent_.load(std::memory_order_relaxed);
  c.dropped_unreachable = dropped_unreachable_.load(std::memory_order_relaxed);
  return c;
}

void event_sender::run() {
  // Shown by top -H and ps -L, and used by bench/kea/run to account this thread's CPU.
  ::pthread_setname_np(::pthread_self(), "prov-events");
  std::vector<lease_event> batch;
  batch.reserve(std::min<std::size_t>(settings_.queue_capacity, 4096));
  // Whether the last round found nothing to send. Producers wake this thread only after such a
  // quiet round (or when the queue is filling up): under load it wakes once per batch_delay.
  bool quiet = true;
  const auto gathered = [this] { return stopping_ || queue_.size() >= high_water(); };
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      in_flight_ = 0;
      if (!stopping_ && queue_.empty() && quiet) {
        sender_waiting_ = true;
        // Wake up now and then without events, so drop reports are not held back.
        wake_.wait_for(lock, settings_.report_interval,
                       [this] { return !queue_.empty() || stopping_; });
        sender_waiting_ = false;
      }
      // Let events gather for a while: one wake-up and one sendmmsg() per batch.
      if (!gathered()) wake_.wait_for(lock, settings_.batch_delay, gathered);
      if (queue_.empty()) {
        if (stopping_) break;
        quiet = true;
        continue;
      }
      quiet = false;
      batch.swap(queue_);
      in_flight_ = batch.size();
    }
    send_batch(batch);
    batch.clear();
    report(false);
  }
  report(true);
}

bool event_sender::past_flush_deadline() {
  if (!stop_requested_.load(std::memory_order_relaxed)) return false;
  const auto now = std::chrono::steady_clock::now();
  if (!flushing_) {
    flushing_ = true;
    flush_deadline_ = now + settings_.flush_timeout;
  }
  return now >= flush_deadline_;
}

void event_sender::count_shutdown_drops(std::size_t n) {
  std::lock_guard lock(mutex_);
  dropped_shutdown_ += n;
}

bool event_sender::connect_socket() {
  socklen_t length = 0;
  const sockaddr_un addr = make_address(settings_.socket_path, length);
  // A datagram socket may be connected again, to the station's new socket after a restart.
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), length) == 0) {
    connected_ = true;
    return true;
  }
  last_error_ = std::strerror(errno);
  connected_ = false;
  return false;
}

void event_sender::pack(std::vector<lease_event>& batch) {
  // Events in seq order, as many per datagram as fit (one batch is usually one datagram).
  std::size_t used = 0;
  const auto start_datagram = [&] {
    if (used == datagrams_.size()) datagrams_.emplace_back();
    datagrams_[used].text.clear();
    datagrams_[used].events = 0;
    ++used;
  };
  for (lease_event& e : batch) {
    e.boot_id = settings_.boot_id;
    if (used == 0) start_datagram();
    std::string* text = &datagrams_[used - 1].text;
    const std::size_t before = text->size();
    append_encoded(*text, e);
    if (text->size() + 1 > max_datagram_bytes) {
      // Full: this event opens the next datagram (an event alone always fits one).
      text->resize(before);
      start_datagram();
      text = &datagrams_[used - 1].text;
      append_encoded(*text, e);
    }
    text->push_back('\n');
    ++datagrams_[used - 1].events;
  }
  datagram_count_ = used;
}

void event_sender::send_batch(std::vector<lease_event>& batch) {
  pack(batch);
  std::array<mmsghdr, max_batch> msgs{};
  std::array<iovec, max_batch> iov{};
  std::size_t next = 0;  // The first datagram not sent yet.
  bool reconnected = false;
  const auto events_from = [this](std::size_t first) {
    std::size_t n = 0;
    for (std::size_t i = first; i < datagram_count_; ++i) n += datagrams_[i].events;
    return n;
  };
  while (next < datagram_count_) {
    if (past_flush_deadline()) {
      count_shutdown_drops(events_from(next));
      return;
    }
    if (!connected_ && !connect_socket()) {
      // The station is not there: drop what this batch holds, without waiting.
      dropped_unreachable_.fetch_add(events_from(next), std::memory_order_relaxed);
      return;
    }
    const std::size_t n = std::min(max_batch, datagram_count_ - next);
    for (std::size_t k = 0; k < n; ++k) {
      iov[k].iov_base = datagrams_[next + k].text.data();
      iov[k].iov_len = datagrams_[next + k].text.size();
      msgs[k] = mmsghdr{};
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    const int sent = ::sendmmsg(fd_, msgs.data(), static_cast<unsigned>(n), MSG_NOSIGNAL);
    if (sent > 0) {
      std::size_t events = 0;
      for (int k = 0; k < sent; ++k)
        events += datagrams_[next + static_cast<std::size_t>(k)].events;
      sent_.fetch_add(events, std::memory_order_relaxed);
      next += static_cast<std::size_t>(sent);
      reconnected = false;
      if (outage_reported_) {
        // Tell the operator once that events flow again after a reported outage.
        outage_reported_ = false;
        if (on_notice_) {
          notice back;
          back.what = notice::kind::reachable;
          on_notice_(back);
        }
      }
      continue;
    }
    const int e = errno;
    if (e == EINTR) continue;
    if (e == EAGAIN || e == EWOULDBLOCK) {
      // The station is up but its receive queue is full: let it drain a while (it queues only
      // net.unix.max_dgram_qlen datagrams), reporting drops meanwhile.
      report(false);
      std::this_thread::sleep_for(settings_.retry_delay);
      continue;
    }
    if ((e == ECONNREFUSED || e == ENOTCONN || e == EPIPE || e == ECONNRESET) && !reconnected) {
      // The station's socket went away (a restart binds a new one at the same path).
      connected_ = false;
      reconnected = true;
      continue;
    }
    // Anything else is about this datagram (or the station is gone for good): drop it.
    last_error_ = std::strerror(e);
    connected_ = e != ECONNREFUSED && e != ENOTCONN && e != EPIPE && e != ECONNRESET;
    dropped_unreachable_.fetch_add(datagrams_[next].events, std::memory_order_relaxed);
    ++next;
  }
}

void event_sender::report(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && reported_once_ && now - last_report_ < settings_.report_interval) return;
  std::uint64_t queue_full = 0;
  std::uint64_t shutdown = 0;
  {
    std::lock_guard lock(mutex_);
    queue_full = dropped_queue_full_;
    shutdown = dropped_shutdown_;
  }
  const std::uint64_t unreachable = dropped_unreachable_.load(std::memory_order_relaxed);
  if (queue_full == reported_queue_full_ && unreachable == reported_unreachable_) return;
  notice n;
  n.what = notice::kind::dropped;
  n.queue_full = queue_full - reported_queue_full_;
  n.unreachable = unreachable - reported_unreachable_;
  n.total_dropped = queue_full + unreachable + shutdown;
  n.last_error = last_error_;
  // The first report covers the time since start().
  n.period = std::chrono::duration_cast<std::chrono::seconds>(now - last_report_);
  if (n.unreachable != 0) outage_reported_ = true;
  reported_queue_full_ = queue_full;
  reported_unreachable_ = unreachable;
  reported_once_ = true;
  last_report_ = now;
  if (on_notice_) on_notice_(n);
}

}  // namespace provstation::kea
