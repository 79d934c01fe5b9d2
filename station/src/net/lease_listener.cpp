// SPDX-License-Identifier: Apache-2.0
#include <provstation/net/lease_listener.hpp>

#include <provstation/kea_lease_file.hpp>
#include <provstation/lease_event_parser.hpp>
#include <provstation/log.hpp>
#include <provstation/operations.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace provstation {

namespace net = boost::asio;

result<std::unique_ptr<lease_listener>> lease_listener::create(net::any_io_executor ex,
                                                               options opts, tracker& t) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (opts.socket_path.empty() || opts.socket_path.size() >= sizeof(addr.sun_path)) {
    return make_error(fmt::format("kea.event_socket: bad path \"{}\"", opts.socket_path));
  }
  std::memcpy(addr.sun_path, opts.socket_path.c_str(), opts.socket_path.size() + 1);
  // The directory normally exists (the package makes /run/provstation provstation:_kea 0750);
  // one made here gets the same group and mode, so Kea's user can reach the socket inside.
  const std::filesystem::path dir = std::filesystem::path(opts.socket_path).parent_path();
  std::error_code fec;
  if (!dir.empty() && !std::filesystem::exists(dir, fec)) {
    std::filesystem::create_directories(dir, fec);
    if (fec) {
      return make_error(
          fmt::format("kea.event_socket: cannot create {}: {}", dir.string(), fec.message()));
    }
    ::chmod(dir.c_str(), 0750);
    if (const group* g = ::getgrnam(opts.allowed_user.c_str())) {
      if (::chown(dir.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) {
        logger("kea")->warn("cannot give {} to group {}: {}", dir.string(), opts.allowed_user,
                            std::strerror(errno));
      }
    }
  }
  // A socket left by a previous run is replaced; any other kind of file is not ours to remove.
  struct stat st {};
  if (::lstat(opts.socket_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return make_error(
          fmt::format("kea.event_socket: {} exists and is not a socket", opts.socket_path));
    }
    ::unlink(opts.socket_path.c_str());
  }
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return make_error(fmt::format("kea.event_socket: socket: {}", std::strerror(errno)));
  const int one = 1;
  const int rcvbuf = 4 * 1024 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  // A large buffer absorbs bursts while the tracker commits; SO_RCVBUFFORCE works as root.
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    return make_error(fmt::format("kea.event_socket: cannot bind {}: {}", opts.socket_path, err));
  }
  ::chmod(opts.socket_path.c_str(), 0660);
  if (const group* g = ::getgrnam(opts.allowed_user.c_str())) {
    if (::chown(opts.socket_path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) {
      logger("kea")->warn("cannot give {} to group {}: {}", opts.socket_path, opts.allowed_user,
                          std::strerror(errno));
    }
  }
  net::posix::stream_descriptor desc(net::make_strand(ex), fd);
  return std::unique_ptr<lease_listener>(new lease_listener(std::move(desc), std::move(opts), t));
}

lease_listener::lease_listener(net::posix::stream_descriptor fd, options opts, tracker& t)
    : fd_(std::move(fd)), retry_(fd_.get_executor()), opts_(std::move(opts)), tracker_(t) {
  allowed_uids_.insert(0);
  allowed_uids_.insert(::geteuid());
  if (const passwd* pw = ::getpwnam(opts_.allowed_user.c_str())) allowed_uids_.insert(pw->pw_uid);
}

lease_listener::~lease_listener() {
  boost::system::error_code ec;
  fd_.close(ec);
  ::unlink(opts_.socket_path.c_str());
}

void lease_listener::start() {
  // The station may have dropped root since create(): its own user is believed too.
  allowed_uids_.insert(::geteuid());
  reconcile("start");
  do_wait();
}

void lease_listener::stop() {
  net::post(fd_.get_executor(), [this] {
    boost::system::error_code ec;
    stopped_ = true;
    retry_.cancel();
    fd_.cancel(ec);
    fd_.close(ec);
  });
}

void lease_listener::do_wait() {
  fd_.async_wait(net::posix::stream_descriptor::wait_read,
                 [this](const boost::system::error_code& ec) {
                   if (ec == net::error::operation_aborted || !fd_.is_open()) return;
                   if (ec) {
                     logger("kea")->error("event socket: {}", ec.message());
                     return;
                   }
                   // Paused (the tracker's queue is full): the retry timer resumes reading.
                   if (on_readable()) do_wait();
                 });
}

bool lease_listener::submit_pending() {
  if (!pending_) return true;
  // Nobody waits for a lease event: it may share a commit with the ones right behind it.
  if (!tracker_.submit(pending_, nullptr, tracker::urgency::can_wait)) return false;
  pending_ = nullptr;
  return true;
}

void lease_listener::arm_retry() {
  if (retry_armed_ || stopped_) return;
  retry_armed_ = true;
  retry_.expires_after(std::chrono::milliseconds(pending_ || rest_end_ != 0 ? 20 : 1000));
  retry_.async_wait([this](const boost::system::error_code& ec) {
    retry_armed_ = false;
    if (ec || stopped_ || !fd_.is_open()) return;
    if (reconcile_pending_) reconcile("the tracker's queue was full");
    if (pending_ || rest_end_ != 0) {
      if (!submit_pending() || !take_rest()) return arm_retry();
      logger("kea")->info("the tracker takes events again; reading the event socket");
      if (on_readable()) do_wait();
    }
  });
}

bool lease_listener::on_readable() {
  auto log = logger("kea");
  // Back-pressure: while the tracker's queue is full, the event waits here and the socket is
  // not read. The kernel then holds net.unix.max_dgram_qlen datagrams, the hook's sender waits
  // and Kea keeps queueing in the hook (event-queue-capacity): nothing is lost for a burst,
  // and an overflow there shows as a seq gap, which reconciles.
  if (!submit_pending() || !take_rest()) {
    arm_retry();
    return false;
  }
  // Drain everything queued, then wait again.
  for (int i = 0; i < 1024; ++i) {
    iovec iov{buffer_.data(), buffer_.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd_.native_handle(), &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        log->error("event socket: {}", std::strerror(errno));
      }
      return true;
    }
    const ucred* cred = nullptr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        cred = reinterpret_cast<const ucred*>(CMSG_DATA(c));
      }
    }
    if (cred == nullptr || !allowed_uids_.contains(cred->uid)) {
      ++refused_;
      log->warn("refused a lease event datagram from uid {} (pid {}): not Kea",
                cred != nullptr ? static_cast<long>(cred->uid) : -1L,
                cred != nullptr ? static_cast<long>(cred->pid) : -1L);
      continue;
    }
    if ((msg.msg_flags & MSG_TRUNC) != 0 || static_cast<std::size_t>(n) > kea::max_datagram_bytes) {
      ++refused_;
      log->warn("refused a lease event datagram longer than {} bytes", kea::max_datagram_bytes);
      continue;
    }
    // The socket is not read again until every event of this datagram is taken: they are taken
    // from buffer_ in place.
    rest_end_ = static_cast<std::size_t>(n);
    rest_at_ = 0;
    if (!take_rest()) {
      ++paused_;
      log->warn("the tracker's queue is full: pausing the event socket until it drains");
      arm_retry();
      return false;
    }
  }
  return true;
}

bool lease_listener::take_rest() {
  if (rest_at_ >= rest_end_) return true;
  bool taken = true;
  const std::string_view datagram(buffer_.data(), rest_end_);
  rest_at_ = kea::for_each_event(datagram, rest_at_, [&](std::string_view line) {
    take_event(line);
    // The tracker's queue is full: the event is held back and the rest of the datagram waits.
    taken = submit_pending();
    return taken;
  });
  if (rest_at_ >= rest_end_) rest_at_ = rest_end_ = 0;
  return taken && rest_end_ == 0;
}

void lease_listener::take_event(std::string_view line) {
  auto log = logger("kea");
  auto parsed = parse_lease_event(std::as_bytes(std::span(line.data(), line.size())));
  if (!parsed) {
    ++refused_;
    log->warn("refused a lease event: {}", parsed.message());
    return;
  }
  ++received_;
  const auto& e = parsed->event;
  if (e.boot_id == boot_id_ && e.seq <= last_seq_) {
    // The hook never sends an event twice: count it, apply it anyway (a lease is idempotent).
    ++duplicates_;
    log->warn("lease event seq {} repeated or out of order (last {})", e.seq, last_seq_);
  }
  if (e.boot_id != boot_id_) {
    if (!boot_id_.empty()) log->info("Kea's hook restarted (new boot_id); reconciling");
    const bool reconcile_now = !boot_id_.empty() || e.seq != 1;
    boot_id_ = e.boot_id;
    last_seq_ = e.seq;
    if (reconcile_now) {
      ++gaps_;
      reconcile("new boot_id");
    }
  } else if (e.seq != last_seq_ + 1) {
    if (e.seq > last_seq_ + 1) {
      ++gaps_;
      log->warn("lost {} lease events (seq {} after {}); reconciling from Kea's lease file",
                e.seq - last_seq_ - 1, e.seq, last_seq_);
      reconcile("seq gap");
    }
    last_seq_ = std::max(last_seq_, e.seq);
  } else {
    last_seq_ = e.seq;
  }
  lease_change c;
  c.active = e.type == kea::lease_event_type::commit || e.type == kea::lease_event_type::renew;
  c.ip = e.ip;
  c.mac = parsed->mac;
  // Kea stamps whole seconds; the receive time orders the lease against the transfers that
  // follow it within milliseconds.
  c.at = system_now();
  c.expires = (e.at + e.valid_lifetime) * 1000;
  c.type = std::string(kea::to_string(e.type));
  c.hostname = e.hostname;
  c.vendor_class = e.vendor_class;
  c.phone = is_phone_vendor_class(e.vendor_class);
  log->debug("lease {} {} {}", c.type, c.ip, c.mac.upper());
  pending_ = op_lease(std::move(c));
}

void lease_listener::reconcile(const char* why) {
  if (opts_.lease_file.empty()) return;
  auto log = logger("kea");
  auto file = read_kea_leases(opts_.lease_file);
  if (!file) {
    log->info("no reconciliation ({}): {}", why, file.message());
    return;
  }
  ++reconciliations_;
  const time_ms now = system_now();
  const auto active = active_leases(*file, now / 1000);
  const board& b = tracker_.read_model();
  std::size_t changes = 0;
  std::size_t deferred = 0;  // Changes the tracker's full queue refused: the next pass makes them.
  auto submit = [&](lease_change c) {
    if (deferred == 0 && tracker_.submit(op_lease(std::move(c)), nullptr)) {
      ++changes;
    } else {
      ++deferred;
    }
  };
  std::set<std::string> active_ips;
  for (const auto& l : active) active_ips.insert(l.ip);
  for (const auto& l : active) {
    if (b.mac_at_ip(l.ip) == l.mac) continue;
    lease_change c;
    c.ip = l.ip;
    c.mac = l.mac;
    c.at = now;
    c.expires = l.expire * 1000;
    c.type = "reconcile";
    c.hostname = l.hostname;
    // The lease file carries no vendor class: only known units are (re)attached.
    c.phone = false;
    submit(std::move(c));
  }
  // Addresses the station believes leased but Kea has let go of.
  for (const auto& u : b.units()) {
    if (u.ip.empty() || active_ips.contains(u.ip)) continue;
    if (auto f = file->by_ip.find(u.ip); f != file->by_ip.end() && f->second.mac == u.mac) {
      lease_change c;
      c.active = false;
      c.ip = u.ip;
      c.mac = u.mac;
      c.at = now;
      c.type = "reconcile";
      submit(std::move(c));
    }
  }
  reconcile_pending_ = deferred != 0;
  if (reconcile_pending_) {
    log->warn(
        "reconciliation ({}): the tracker's queue is full, {} changes deferred; retrying in 1 s",
        why, deferred);
    arm_retry();
  }
  log->info("reconciled from {} ({}): {} active leases, {} changes, {} malformed rows skipped",
            opts_.lease_file, why, active.size(), changes, file->skipped);
}

}  // namespace provstation
