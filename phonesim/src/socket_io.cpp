// SPDX-License-Identifier: Apache-2.0
#include "socket_io.hpp"

#include <provstation/phonesim/dhcp.hpp>
#include <provstation/phonesim/http_client.hpp>
#include <provstation/phonesim/tftp_client.hpp>

#include "log.hpp"
#include "net.hpp"
#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace provstation::phonesim {

namespace {

constexpr std::string_view syslog_priority = "<134>";  // local0.info
constexpr std::chrono::milliseconds max_wait_slice{3600 * 1000};
constexpr std::chrono::milliseconds child_poll_interval{100};
constexpr std::chrono::milliseconds link_poll_interval{20};
constexpr std::chrono::milliseconds link_wait_limit{10000};
constexpr std::size_t max_logged_udhcpc_bytes = 600;

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

timespec to_timespec(std::chrono::milliseconds d) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(d.count() / 1000);
  ts.tv_nsec = static_cast<long>((d.count() % 1000) * 1000000);
  return ts;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

socket_phone_io::socket_phone_io(socket_io_options options)
    : options_(std::move(options)), start_(std::chrono::steady_clock::now()) {}

phone_io::time_point socket_phone_io::now() {
  return std::chrono::steady_clock::now();
}

bool socket_phone_io::stop_requested() {
  if (stop_) return true;
  const sigset_t set = stop_signals();
  const timespec zero{};
  if (::sigtimedwait(&set, nullptr, &zero) > 0) stop_ = true;
  return stop_;
}

bool socket_phone_io::wait_until(time_point when) {
  const sigset_t set = stop_signals();
  while (!stop_) {
    const auto t = now();
    if (t >= when) return true;
    const auto left = std::min<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(when - t) +
            std::chrono::milliseconds(1),
        max_wait_slice);
    const timespec ts = to_timespec(left);
    const int sig = ::sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) stop_ = true;
  }
  return false;
}

std::optional<dhcp_lease> socket_phone_io::acquire_lease(
    const std::optional<std::string>& requested_ip) {
  if (stop_requested()) return std::nullopt;
  if (!options_.use_dhcp) {
    dhcp_lease lease;
    lease.ip = options_.static_ip;
    lease.opt66 = options_.static_opt66;
    local_ip_ = lease.ip;
    return lease;
  }
  wait_for_link();
  std::error_code ec;
  std::filesystem::remove(options_.lease_file, ec);
  const auto argv =
      udhcpc_command(options_.iface, options_.model, options_.udhcpc_script, requested_ip);
  // udhcpc and the hook talk on stdout/stderr; keep that out of the phone's output and show
  // it only when DHCP fails.
  const std::string log_path = options_.lease_file + ".log";
  detail::unique_fd log_fd(
      ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  detail::spawn_options so;
  so.die_with_parent = true;
  so.stdout_fd = log_fd.get();
  so.stderr_fd = log_fd.get();
  const pid_t pid = detail::spawn_process(argv, so);
  log_fd = detail::unique_fd();
  if (pid < 0) {
    logger()->error("cannot start busybox udhcpc");
    return std::nullopt;
  }
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (stop_requested()) {
      detail::stop_process(pid, std::chrono::seconds(2));
      return std::nullopt;
    }
    const sigset_t set = stop_signals();
    const timespec ts = to_timespec(child_poll_interval);
    if (::sigtimedwait(&set, nullptr, &ts) > 0) stop_ = true;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string output = read_file(log_path);
    if (output.size() > max_logged_udhcpc_bytes) {
      output = output.substr(output.size() - max_logged_udhcpc_bytes);
    }
    logger()->warn("udhcpc got no lease on {}: {}", options_.iface, output);
    return std::nullopt;
  }
  logger()->debug("udhcpc: {}", read_file(log_path));
  auto lease = parse_lease_file(read_file(options_.lease_file));
  if (!lease) {
    logger()->warn("udhcpc lease file unusable: {}", lease.message());
    return std::nullopt;
  }
  local_ip_ = lease->ip;
  if (lease->opt66 == "bad") {
    // busybox udhcpc checks option 66 as a host name and replaces anything else (a URL,
    // host:port) by "bad"; such a value cannot be passed through udhcpc.
    logger()->warn("udhcpc reported option 66 as 'bad': it passes only host names there");
  }
  logger()->info("leased {} (option 66 '{}')", lease->ip, lease->opt66);
  return std::move(*lease);
}

void socket_phone_io::wait_for_link() {
  // A fresh veth drops packets until the kernel has activated it (operstate "up"), so a
  // DISCOVER sent earlier is lost and udhcpc would wait its 3 s retry; a phone waits for link.
  const std::string path = "/sys/class/net/" + options_.iface + "/operstate";
  const auto deadline = now() + link_wait_limit;
  const sigset_t set = stop_signals();
  while (now() < deadline) {
    std::ifstream in(path);
    std::string state;
    in >> state;
    if (state == "up" || state == "unknown" || !in) return;
    const timespec ts = to_timespec(link_poll_interval);
    if (::sigtimedwait(&set, nullptr, &ts) > 0) {
      stop_ = true;
      return;
    }
  }
  logger()->warn("{} is not up after {} s; trying DHCP anyway", options_.iface,
                 std::chrono::duration_cast<std::chrono::seconds>(link_wait_limit).count());
}

std::vector<std::string> socket_phone_io::resolve(const std::string& host) {
  return detail::resolve_ipv4(host);
}

fetch_result socket_phone_io::fetch(const fetch_request& request) {
  fetch_result out;
  const std::string scheme(scheme_name(request.url.scheme));
  out.err = scheme + "_get failed";
  for (const std::string& address : request.addresses) {
    if (request.url.scheme == url_scheme::tftp) {
      tftp_options to;
      to.local_ip = local_ip_;
      const tftp_outcome r = tftp_get(address, request.url.port, request.url.path, to,
                                      [this] { return stop_requested(); });
      if (r.ok) {
        out.ok = true;
        out.body = r.data;
        out.err.clear();
        return out;
      }
      if (r.error_code >= 0) {
        // The server answered: another address would not know better.
        out.not_found = r.error_code == 1;
        out.detail = "TFTP error " + std::to_string(r.error_code) + ": " + r.error_message;
        return out;
      }
      out.detail = "TFTP " + r.error_message + " from " + address;
      continue;
    }
    http_request hr;
    hr.host = request.url.host;
    if (request.url.port != default_port(request.url.scheme))
      hr.host += ":" + std::to_string(request.url.port);
    hr.target = request.url.path;
    hr.user_agent = request.user_agent;
    hr.post_body = request.post_body;
    hr.user = request.uid;
    hr.password = request.pwd;
    http_options ho;
    ho.local_ip = local_ip_;
    ho.tls = request.url.scheme == url_scheme::https;
    ho.tls_server_name = request.url.host;
    ho.ca_file = options_.ca_file;
    const http_response r = http_fetch(address, request.url.port, hr, ho);
    if (!r.ok) {
      out.detail = r.error + " (" + address + ")";
      continue;
    }
    if (r.status == 200) {
      out.ok = true;
      out.body = r.body;
      out.err.clear();
      return out;
    }
    out.not_found = r.status == 404;
    out.detail = "HTTP status " + std::to_string(r.status);
    return out;
  }
  return out;
}

void socket_phone_io::send_syslog(const std::string& host, std::uint16_t port,
                                  const std::string& message) {
  const auto addresses = detail::resolve_ipv4(host);
  if (addresses.empty()) {
    logger()->warn("cannot resolve syslog server {}", host);
    return;
  }
  if (!detail::send_udp(local_ip_, addresses.front(), port,
                        std::string(syslog_priority) + message)) {
    logger()->warn("syslog to {}:{} failed", addresses.front(), port);
  }
}

void socket_phone_io::emit(const phone_event& ev) {
  const double t = std::chrono::duration<double>(now() - start_).count();
  const std::string line = event_json(ev, t, options_.mac) + "\n";
  // One write per line, so lines of phones sharing a pipe never interleave.
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace provstation::phonesim
