// SPDX-License-Identifier: Apache-2.0
#include "app/app.hpp"
#include "app/commands.hpp"

#include <provstation/scanner/isolated_decoder.hpp>

#include <provstation/log.hpp>
#include <provstation/net/lease_listener.hpp>
#include <provstation/net/syslog_receiver.hpp>
#include <provstation/net/tftp_adapter.hpp>
#include <provstation/phone_files.hpp>
#include <provstation/policy_writer.hpp>
#include <provstation/profiles.hpp>
#include <provstation/tftpd/server.hpp>
#include <provstation/tracker.hpp>
#include <provstation/version.hpp>
#include <provstation/web/dashboard_router.hpp>
#include <provstation/web/http_server.hpp>
#include <provstation/web/phone_router.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

namespace provstation::app {

namespace net = boost::asio;

bool enter_netns(const std::string& name, std::string& error) {
  const std::string path = name.find('/') == std::string::npos ? "/run/netns/" + name : name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("bench.netns: cannot open {}: {}", path, std::strerror(errno));
    return false;
  }
  const int rc = ::setns(fd, CLONE_NEWNET);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) {
    error = fmt::format("bench.netns: cannot enter {}: {}", path, std::strerror(saved));
    return false;
  }
  return true;
}

namespace {

result<std::string> read_key_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return make_error(
        fmt::format("profiles.key_file: cannot read {}: {}", path, std::strerror(errno)));
  }
  if ((st.st_mode & 0077) != 0) {
    return make_error(fmt::format(
        "profiles.key_file: {} must not be readable by group or others (chmod 600)", path));
  }
  std::ifstream in(path);
  std::string key;
  std::getline(in, key);
  if (key.empty()) return make_error(fmt::format("profiles.key_file: {} is empty", path));
  return key;
}

result<void> drop_to(const std::string& user) {
  const passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) return make_error(fmt::format("station.user: no user \"{}\"", user));
  if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 ||
      ::setuid(pw->pw_uid) != 0) {
    return make_error(
        fmt::format("station.user: cannot become {}: {}", user, std::strerror(errno)));
  }
  return {};
}

net::ip::address address_of(const endpoint_config& e) {
  return net::ip::make_address(e.address);
}

}  // namespace

int serve(const config& c, const serve_options& options) {
  auto log = logger("station");
  log->info("provstation {} starting", version());

  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(c.store.path).parent_path(), ec);
  auto db = open_sqlite_store(c.store.path, create_mode::if_missing);
  if (!db) {
    log->critical("store: {}", db.message());
    return 1;
  }
  auto reads = open_sqlite_store(c.store.path, create_mode::must_exist);
  if (!reads) {
    log->critical("store: {}", reads.message());
    return 1;
  }
  // Started as root to bind ports, run as station.user: the store just opened (and created) as
  // root must be that user's, or every later run as the user (systemd User=, `sudo -u` for the
  // CLI) finds "attempt to write a readonly database".
  if (options.drop_privileges && !c.user.empty() && ::geteuid() == 0) {
    if (const passwd* pw = ::getpwnam(c.user.c_str())) {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        const std::string p = c.store.path + suffix;
        if (::chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT) {
          log->warn("store: cannot give {} to {}: {}", p, c.user, std::strerror(errno));
        }
      }
    }
  }

  profile_settings ps;
  ps.bench_address = c.bench.address;
  ps.tftp_port = c.tftp.listen.port;
  ps.http_port = c.http.listen.port;
  ps.syslog_port = c.syslog.listen.port;
  ps.device_scheme = c.profiles.per_device_scheme;
  ps.resync_periodic_s = c.profiles.resync_periodic_s;
  ps.resync_error_retry_delay_s = c.profiles.resync_error_retry_delay_s;
  ps.upgrade_error_retry_delay_s = c.profiles.upgrade_error_retry_delay_s;
  ps.gzip = c.profiles.gzip;
  ps.encrypt = c.profiles.encrypt;
  ps.digest = c.profiles.digest == "sha256" ? key_digest::sha256 : key_digest::md5;
  if (c.profiles.encrypt) {
    auto key = read_key_file(c.profiles.key_file);
    if (!key) {
      log->critical("{}", key.message());
      return 1;
    }
    ps.key = *key;
  }

  tracker t(std::move(*db), system_now, tracker::options{});
  profile_builder profiles(ps);
  phone_files files(t, profiles, c.profiles.unscanned == "quarantine");

  net::io_context io;
  auto ex = io.get_executor();

  std::unique_ptr<tftpd::server> tftp;
  std::unique_ptr<syslog_receiver> syslog;
  std::unique_ptr<lease_listener> leases;
  // Counters of the listeners for /metrics (read on the I/O threads once everything runs).
  auto metrics = [&](std::string& out) {
    auto counter = [&out](std::string_view name, std::string_view help, std::uint64_t v) {
      out += fmt::format(
          "# HELP provstation_{0} {1}\n# TYPE provstation_{0} counter\nprovstation_{0} {2}\n", name,
          help, v);
    };
    if (leases) {
      counter("lease_events_received_total", "Lease events accepted from the hook.",
              leases->received());
      counter("lease_events_refused_total", "Lease datagrams refused (malformed, wrong sender).",
              leases->refused());
      counter("lease_event_gaps_total", "Sequence gaps or hook restarts seen.", leases->gaps());
      counter("lease_reconciliations_total", "Reconciliations from Kea's lease file.",
              leases->reconciliations());
    }
    if (syslog) {
      counter("syslog_accepted_total", "Syslog lines believed.", syslog->accepted());
      counter("syslog_refused_total", "Syslog lines refused (garbage or forged).",
              syslog->refused());
    }
    counter("phone_requests_refused_total", "Phone-side requests refused.", files.refusals());
    if (tftp) {
      const auto st = tftp->statistics();
      counter("tftp_transfers_completed_total", "TFTP transfers with the final ACK.", st.completed);
      counter("tftp_transfers_unconfirmed_total", "TFTP transfers whose final ACK was lost.",
              st.completed_unconfirmed);
      counter("tftp_transfers_failed_total", "TFTP transfers that broke off.", st.failed);
      counter("tftp_bytes_sent_total", "TFTP payload bytes sent.", st.bytes_sent);
      counter("tftp_blocks_retransmitted_total", "TFTP blocks sent again.",
              st.blocks_retransmitted);
    }
  };
  // The dashboard binds first, in the station's own namespace: it never listens on the bench.
  const auto isolation = scan_isolation();
  auto read_image = [isolation](std::string_view bytes) -> result<std::vector<std::string>> {
    auto codes = scanner::decode_image_bytes_isolated(
        std::as_bytes(std::span(bytes.data(), bytes.size())), isolation);
    if (!codes) return codes.err();
    std::vector<std::string> out;
    for (const auto& code : *codes) out.push_back(code.aim_text());
    return out;
  };
  web::dashboard_router dashboard(ex, t, std::move(*reads), metrics, read_image);
  boost::system::error_code aec;
  const auto dash_addr = net::ip::make_address(c.dashboard.listen.address, aec);
  if (aec) {
    log->critical("dashboard.listen: bad address \"{}\"", c.dashboard.listen.address);
    return 1;
  }
  auto dash = web::http_server::create(ex, {dash_addr, c.dashboard.listen.port}, dashboard, {});
  if (!dash) {
    log->critical("dashboard.listen: {}", dash.message());
    return 1;
  }

  if (!c.bench.netns.empty()) {
    std::string err;
    if (!enter_netns(c.bench.netns, err)) {
      log->critical("{}", err);
      return 1;
    }
    log->info("bench-side sockets open in network namespace {}", c.bench.netns);
  }

  tftp_adapter tftp_glue(ex, files);
  if (c.tftp.enabled) {
    tftpd::server_options to;
    try {
      to.listen = {address_of(c.tftp.listen), c.tftp.listen.port};
    } catch (const std::exception&) {
      log->critical("tftp.listen: bad address \"{}\"", c.tftp.listen.address);
      return 1;
    }
    to.max_blksize = c.tftp.max_blksize;
    to.max_windowsize = c.tftp.max_windowsize;
    to.max_transfers = c.tftp.max_transfers;
    to.max_transfers_per_client = c.tftp.max_per_client;
    to.port_range_first = c.tftp.port_first;
    to.port_range_last = c.tftp.port_last;
    auto s = tftpd::server::create(ex, to, tftp_glue, tftp_glue);
    if (!s) {
      log->critical("tftp.listen: {}", s.message());
      return 1;
    }
    tftp = std::move(*s);
  }
  web::phone_router phone_side(ex, files);
  std::unique_ptr<web::http_server> phone_http;
  if (c.http.enabled) {
    try {
      auto s = web::http_server::create(ex, {address_of(c.http.listen), c.http.listen.port},
                                        phone_side, {});
      if (!s) {
        log->critical("http.listen: {}", s.message());
        return 1;
      }
      phone_http = std::move(*s);
    } catch (const std::exception&) {
      log->critical("http.listen: bad address \"{}\"", c.http.listen.address);
      return 1;
    }
  }
  try {
    auto s = syslog_receiver::create(ex, {address_of(c.syslog.listen), c.syslog.listen.port}, t);
    if (!s) {
      log->critical("syslog.listen: {}", s.message());
      return 1;
    }
    syslog = std::move(*s);
  } catch (const std::exception&) {
    log->critical("syslog.listen: bad address \"{}\"", c.syslog.listen.address);
    return 1;
  }
  auto listener =
      lease_listener::create(ex, {c.kea.event_socket, c.kea.lease_file, c.kea.allowed_user}, t);
  if (!listener) {
    log->critical("{}", listener.message());
    return 1;
  }
  leases = std::move(*listener);

  if (options.drop_privileges && !c.user.empty() && ::geteuid() == 0) {
    if (auto r = drop_to(c.user); !r) {
      log->critical("{}", r.message());
      return 1;
    }
    log->info("dropped root: running as {}", c.user);
  }

  t.start();

  // The hook's policy file follows the store: rewritten (atomically) when units change.
  auto policy_timer = std::make_shared<net::steady_timer>(io);
  auto policy_dirty = std::make_shared<std::atomic<bool>>(true);
  auto last_policy = std::make_shared<std::string>();
  std::function<void()> write_policy = [&, policy_timer, policy_dirty, last_policy] {
    if (!policy_dirty->exchange(false)) return;
    std::string text = render_policy(t.read_model(), c.kea.policy_mode);
    if (text == *last_policy) return;
    if (auto r = write_file_atomically(c.kea.policy_file, text, c.kea.allowed_user); !r) {
      log->warn("policy file: {}", r.message());
      policy_dirty->store(true);
      return;
    }
    *last_policy = std::move(text);
  };
  // Only a change of what the policy says about a MAC (scanned, shipped) rewrites it: leases
  // and stage changes, the bulk of the traffic, do not. This map lives on the tracker thread.
  auto policy_flags = std::make_shared<std::map<mac_address, int>>();
  t.subscribe([policy_dirty, policy_timer, policy_flags,
               &write_policy](const std::vector<unit_record>& changed) {
    bool relevant = false;
    for (const auto& u : changed) {
      const int flags = (u.unscanned ? 0 : 1) | (u.shipped_at != 0 ? 2 : 0);
      auto [it, inserted] = policy_flags->try_emplace(u.mac, 0);
      if (it->second != flags) {
        it->second = flags;
        relevant = true;
      }
    }
    if (!relevant || policy_dirty->exchange(true)) return;
    net::post(policy_timer->get_executor(), [policy_timer, &write_policy] {
      policy_timer->expires_after(std::chrono::milliseconds(100));
      policy_timer->async_wait([&write_policy](const boost::system::error_code& e) {
        if (!e) write_policy();
      });
    });
  });
  write_policy();

  if (tftp) tftp->start();
  if (phone_http) phone_http->start();
  syslog->start();
  leases->start();
  (*dash)->start();

  const auto dash_ep = (*dash)->local_endpoint();
  nlohmann::json ready{
      {"pid", ::getpid()},
      {"dashboard", fmt::format("{}:{}", dash_ep.address().to_string(), dash_ep.port())},
      {"syslog", fmt::format("{}:{}", syslog->local_endpoint().address().to_string(),
                             syslog->local_endpoint().port())}};
  if (tftp)
    ready["tftp"] = fmt::format("{}:{}", tftp->local_endpoint().address().to_string(),
                                tftp->local_endpoint().port());
  if (phone_http)
    ready["http"] = fmt::format("{}:{}", phone_http->local_endpoint().address().to_string(),
                                phone_http->local_endpoint().port());
  log->info("ready: dashboard http://{}/  tftp {}  http {}  syslog {}  events {}",
            ready["dashboard"].get<std::string>(), ready.value("tftp", "off"),
            ready.value("http", "off"), ready["syslog"].get<std::string>(), c.kea.event_socket);
  if (!options.ready_file.empty()) {
    (void)write_file_atomically(options.ready_file, ready.dump() + "\n", "", 0644);
  }

  // Shutdown happens in one place: close every listener, then let run() return.
  net::signal_set signals(io, SIGINT, SIGTERM);
  auto shutdown = [&] {
    log->info("shutting down");
    signals.cancel();
    (*dash)->stop();
    dashboard.stop();
    if (phone_http) phone_http->stop();
    if (tftp) tftp->stop();
    syslog->stop();
    leases->stop();
    policy_timer->cancel();
    io.stop();
  };
  signals.async_wait([&](const boost::system::error_code& e, int sig) {
    if (!e) {
      log->info("signal {} received", sig);
      shutdown();
    }
  });
  net::steady_timer stop_poll(io);
  std::function<void()> poll_stop = [&] {
    stop_poll.expires_after(std::chrono::milliseconds(100));
    stop_poll.async_wait([&](const boost::system::error_code& e) {
      if (e) return;
      if (options.stop_flag != nullptr && options.stop_flag->load()) return shutdown();
      poll_stop();
    });
  };
  if (options.stop_flag != nullptr) poll_stop();
  if (options.on_ready) options.on_ready();

  std::thread second([&io] { io.run(); });
  io.run();
  second.join();
  t.stop();
  log->info("stopped: {} operations committed in {} transactions", t.committed(), t.transactions());
  return 0;
}

}  // namespace provstation::app
