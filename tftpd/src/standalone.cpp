// SPDX-License-Identifier: Apache-2.0
#include <provstation/tftpd/standalone.hpp>

#include <provstation/tftpd/file_source.hpp>
#include <provstation/tftpd/negotiation.hpp>
#include <provstation/tftpd/transfer_observer.hpp>

#include "log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace provstation::tftpd {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::string describe(const boost::asio::ip::udp::endpoint& e) {
  const auto a = e.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(e.port());
}

class logging_observer final : public transfer_observer {
 public:
  explicit logging_observer(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)) {}

  void on_completed(const transfer_info& info, completion how,
                    std::chrono::nanoseconds duration) override {
    log_->info("{} {} {} {}: {} bytes in {} ms (blksize {}, windowsize {}){}",
               info.upload ? "received" : "sent", info.path, info.upload ? "from" : "to",
               describe(info.client), info.size, duration_cast<milliseconds>(duration).count(),
               info.blksize, info.windowsize,
               how == completion::unconfirmed ? ", final ACK missing" : "");
  }

  void on_failed(const transfer_info& info, std::uint64_t bytes_acked,
                 const std::string& reason) override {
    log_->info("failed {} {} {} after {} bytes: {}", info.path, info.upload ? "from" : "to",
               describe(info.client), bytes_acked, reason);
  }

  void on_refused(const boost::asio::ip::udp::endpoint& client, const std::string& path,
                  error_code code, const std::string& message) override {
    log_->info("refused {} to {}: error {} ({})", path.empty() ? "request" : path,
               describe(client), static_cast<int>(code), message);
  }

 private:
  std::shared_ptr<spdlog::logger> log_;
};

bool drop_privileges(const std::string& user, spdlog::logger& log) {
  errno = 0;
  const passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) {
    log.error("unknown user {}", user);
    return false;
  }
  if (::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0) {
    log.error("cannot switch to user {}: {}", user, std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace

result<boost::asio::ip::udp::endpoint> parse_endpoint(std::string_view text) {
  std::string_view host = text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return make_error("missing ']' in '" + std::string(text) + "'");
    host = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return make_error("expected ':' after ']' in '" + std::string(text) + "'");
      port_text = rest.substr(1);
    }
  } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos &&
                                                 text.find(':') == colon) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  std::uint16_t port = 69;
  if (!port_text.empty() || (text.size() > 0 && text.back() == ':')) {
    const auto v = parse_decimal(port_text);
    if (!v || *v > 65535) return make_error("bad port in '" + std::string(text) + "'");
    port = static_cast<std::uint16_t>(*v);
  }
  boost::asio::ip::address address = boost::asio::ip::address_v4::any();
  if (!host.empty()) {
    boost::system::error_code ec;
    address = boost::asio::ip::make_address(std::string(host), ec);
    if (ec) return make_error("bad address '" + std::string(host) + "'");
  }
  return boost::asio::ip::udp::endpoint(address, port);
}

int run_standalone(const standalone_options& options) {
  auto log = detail::logger();
  if (!options.log_level.empty()) log->set_level(spdlog::level::from_str(options.log_level));
  std::error_code fs_ec;
  if (options.root.empty() || !std::filesystem::is_directory(options.root, fs_ec)) {
    log->error("TFTP root '{}' is not a directory", options.root);
    return 2;
  }
  boost::asio::io_context io(1);
  auto source = make_directory_source(options.root, options.case_insensitive);
  logging_observer observer(log);
  server_options sopts = options.server;
  sopts.listen = options.listen;
  auto created = server::create(io.get_executor(), sopts, *source, observer);
  if (!created) {
    log->error("{}", created.message());
    return 1;
  }
  auto srv = std::move(created.value());
  if (!options.user.empty() && !drop_privileges(options.user, *log)) return 1;

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    log->info("signal {}: shutting down", signo);
    srv->stop();
  });
  srv->start();
  log->info("serving {} on {} (max blksize {}, max windowsize {}{})", options.root,
            describe(srv->local_endpoint()), sopts.max_blksize, sopts.max_windowsize,
            options.case_insensitive ? ", case-insensitive" : "");
  io.run();
  const auto s = srv->statistics();
  log->info("stopped: {} completed, {} unconfirmed, {} failed, {} refused, {} dropped by caps",
            s.completed, s.completed_unconfirmed, s.failed, s.refused, s.dropped_busy);
  return 0;
}

}  // namespace provstation::tftpd
