// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/fleet.hpp>

#include "log.hpp"
#include "process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace provstation::phonesim {

namespace {

constexpr std::string_view serial_digits = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
constexpr std::uint32_t serial_space = 34U * 34U * 34U * 34U;
constexpr std::chrono::milliseconds stop_grace{5000};
constexpr std::chrono::milliseconds supervise_tick{500};

bool valid_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.')
      return false;
  }
  return true;
}

void emit_line(const std::string& json) {
  const std::string line = json + "\n";
  [[maybe_unused]] const ssize_t n = ::write(STDOUT_FILENO, line.data(), line.size());
}

std::string fleet_event(std::string_view kind,
                        const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "{\"event\":\"" + std::string(kind) + "\"";
  for (const auto& [k, v] : fields) out += ",\"" + k + "\":\"" + v + "\"";
  return out + "}";
}

bool ip(const std::vector<std::string>& args, bool quiet = false) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = detail::run_command(argv);
  if (r.exit_code != 0 && !quiet) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    logger()->error("'{}' failed: {}", cmd, r.output);
  }
  return r.exit_code == 0;
}

std::vector<std::string> list_netns() {
  const auto r = detail::run_command({"ip", "netns", "list"});
  std::vector<std::string> names;
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    const std::string name = line.substr(0, line.find(' '));
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

void kill_netns_processes(const std::string& ns) {
  for (int sig : {SIGTERM, SIGKILL}) {
    const auto r = detail::run_command({"ip", "netns", "pids", ns});
    std::istringstream in(r.output);
    bool any = false;
    pid_t pid = 0;
    while (in >> pid) {
      if (pid > 1) {
        ::kill(pid, sig);
        any = true;
      }
    }
    if (!any) return;
    if (sig == SIGTERM) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void remove_member(const fleet_member& m, const fleet_options& options) {
  kill_netns_processes(m.netns);
  ip({"netns", "del", m.netns}, true);
  // Deleting the namespace destroys eth0 and with it the peer; this catches a half-built pair.
  ip({"-n", options.bench_netns, "link", "del", m.veth}, true);
}

bool setup_member(const fleet_member& m, const fleet_options& o) {
  return ip({"netns", "add", m.netns}) && ip({"-n", m.netns, "link", "set", "lo", "up"}) &&
         ip({"-n", o.bench_netns, "link", "add", m.veth, "type", "veth", "peer", "name", "eth0",
             "netns", m.netns}) &&
         ip({"-n", m.netns, "link", "set", "eth0", "address", m.mac.colon()}) &&
         ip({"-n", m.netns, "link", "set", "eth0", "up"}) &&
         ip({"-n", o.bench_netns, "link", "set", m.veth, "master", o.bridge}) &&
         ip({"-n", o.bench_netns, "link", "set", m.veth, "up"});
}

void remove_leftovers(std::string_view prefix);

std::string format_scale(double v) {
  std::ostringstream ss;
  ss << v;
  return ss.str();
}

}  // namespace

std::string fleet_serial(std::string_view serial_prefix, std::uint32_t n) {
  n %= serial_space;
  std::string digits(4, '0');
  for (int k = 3; k >= 0; --k) {
    digits[static_cast<std::size_t>(k)] = serial_digits[n % 34];
    n /= 34;
  }
  return std::string(serial_prefix) + digits;
}

result<std::vector<fleet_member>> plan_fleet(const fleet_options& o) {
  if (o.count < 1 || o.count > max_fleet_size)
    return make_error("--count must be between 1 and 1000");
  if (!valid_name(o.prefix)) return make_error("--prefix must be letters, digits, '-', '_' or '.'");
  if (!valid_name(o.bench_netns) || !valid_name(o.bridge))
    return make_error("invalid --bench-netns or --bridge");
  const std::string longest_veth = o.prefix + "-v" + std::to_string(o.count);
  if (longest_veth.size() > max_interface_name) {
    return make_error("--prefix is too long: '" + longest_veth + "' exceeds 15 characters");
  }
  auto base = mac_address::parse(o.mac_base);
  if (!base) return make_error("--mac-base: " + base.message());
  std::uint64_t base_value = 0;
  for (std::uint8_t b : base->bytes()) base_value = (base_value << 8) | b;
  for (int i : o.wrong_box) {
    if (i < 1 || i > o.count)
      return make_error("--wrong-box index " + std::to_string(i) + " is not a phone");
  }
  for (int i : o.unscanned) {
    if (i < 1 || i > o.count)
      return make_error("--unscanned index " + std::to_string(i) + " is not a phone");
  }
  std::vector<fleet_member> members;
  for (int i = 1; i <= o.count; ++i) {
    fleet_member m;
    m.index = i;
    m.netns = o.prefix + "-ph" + std::to_string(i);
    m.veth = o.prefix + "-v" + std::to_string(i);
    const std::uint64_t v = (base_value + static_cast<std::uint64_t>(i)) & 0xffffffffffffULL;
    std::array<std::uint8_t, 6> bytes{};
    for (int k = 0; k < 6; ++k)
      bytes[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(v >> (8 * (5 - k)));
    m.mac = mac_address(bytes);
    m.box_serial = fleet_serial(o.serial_prefix, static_cast<std::uint32_t>(i));
    // A phone in the wrong box reports a serial from the other half of the number space.
    m.reported_serial =
        o.wrong_box.count(i) != 0
            ? fleet_serial(o.serial_prefix, static_cast<std::uint32_t>(i) + serial_space / 2)
            : m.box_serial;
    m.scanned = o.unscanned.count(i) == 0;
    members.push_back(std::move(m));
  }
  return members;
}

std::string manifest_csv(const std::vector<fleet_member>& members, std::string_view model) {
  std::string out = "mac,serial,model\n";
  for (const fleet_member& m : members) {
    if (!m.scanned) continue;
    out += m.mac.str() + "," + m.box_serial + "," + std::string(model) + "\n";
  }
  return out;
}

int cleanup_fleet(std::string_view prefix) {
  init_logging("info", "fleet");
  if (!valid_name(prefix)) {
    logger()->error("invalid prefix '{}'", prefix);
    return 2;
  }
  remove_leftovers(prefix);
  return 0;
}

namespace {

void remove_leftovers(std::string_view prefix) {
  const std::string ns_prefix = std::string(prefix) + "-ph";
  int removed = 0;
  for (const std::string& ns : list_netns()) {
    if (ns.rfind(ns_prefix, 0) != 0) continue;
    const std::string rest = ns.substr(ns_prefix.size());
    if (rest.empty() || rest.find_first_not_of("0123456789") != std::string::npos) continue;
    kill_netns_processes(ns);
    ip({"netns", "del", ns}, true);
    ++removed;
  }
  if (removed > 0) logger()->info("removed {} namespaces of prefix {}", removed, prefix);
}

}  // namespace

int run_fleet(const fleet_options& o, const std::string& self_exe) {
  init_logging(o.log_level, "fleet");
  auto planned = plan_fleet(o);
  if (!planned) {
    logger()->error("{}", planned.message());
    return 2;
  }
  const std::vector<fleet_member>& members = *planned;
  if (!ip({"-n", o.bench_netns, "link", "show", o.bridge})) {
    logger()->error("bridge {} not found in namespace {}", o.bridge, o.bench_netns);
    return 2;
  }
  // Block the signals we supervise with; children get a clean mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, nullptr);

  remove_leftovers(o.prefix);
  if (!o.manifest.empty()) {
    std::ofstream out(o.manifest, std::ios::trunc);
    out << manifest_csv(members, o.model);
    if (!out) {
      logger()->error("cannot write the manifest {}", o.manifest);
      return 1;
    }
  }
  std::map<pid_t, const fleet_member*> children;
  int exit_code = 0;
  bool stopping = false;
  for (const fleet_member& m : members) {
    if (!setup_member(m, o)) {
      exit_code = 1;
      stopping = true;
      break;
    }
    std::vector<std::string> argv = {
        "ip",          "netns",    "exec",    m.netns, self_exe,       "phone",
        "--iface",     "eth0",     "--model", o.model, "--serial",     m.box_serial,
        "--swver",     o.swver,    "--hwver", o.hwver, "--time-scale", format_scale(o.time_scale),
        "--log-level", o.log_level};
    if (m.reported_serial != m.box_serial) {
      argv.push_back("--report-serial");
      argv.push_back(m.reported_serial);
    }
    if (!o.ca_file.empty()) {
      argv.push_back("--ca-file");
      argv.push_back(o.ca_file);
    }
    detail::spawn_options so;
    so.die_with_parent = true;
    const pid_t pid = detail::spawn_process(argv, so);
    if (pid < 0) {
      logger()->error("cannot start phone {}", m.index);
      exit_code = 1;
      stopping = true;
      break;
    }
    children.emplace(pid, &m);
    emit_line(fleet_event("phone_started", {{"index", std::to_string(m.index)},
                                            {"mac", m.mac.str()},
                                            {"netns", m.netns},
                                            {"serial", m.reported_serial},
                                            {"box_serial", m.box_serial},
                                            {"pid", std::to_string(pid)}}));
  }
  if (!stopping) emit_line(fleet_event("fleet_ready", {{"count", std::to_string(members.size())}}));

  while (!stopping && !children.empty()) {
    const timespec ts{0, static_cast<long>(supervise_tick.count()) * 1000000L};
    const int sig = ::sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGTERM || sig == SIGINT) {
      stopping = true;
      break;
    }
    int status = 0;
    pid_t pid = 0;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      auto it = children.find(pid);
      if (it == children.end()) continue;
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      emit_line(fleet_event("phone_exited", {{"index", std::to_string(it->second->index)},
                                             {"mac", it->second->mac.str()},
                                             {"code", std::to_string(code)}}));
      if (code != 0) exit_code = 1;
      children.erase(it);
    }
  }
  for (const auto& [pid, member] : children) ::kill(pid, SIGTERM);
  for (const auto& [pid, member] : children) detail::stop_process(pid, stop_grace);
  for (const fleet_member& m : members) remove_member(m, o);
  emit_line(fleet_event("fleet_stopped", {{"count", std::to_string(members.size())}}));
  return exit_code;
}

}  // namespace provstation::phonesim
