// SPDX-License-Identifier: Apache-2.0
#include "kea_rig.hpp"

#include <provstation/kea/lease_event.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace provstation::kea::rig {

namespace {

using namespace std::chrono_literals;

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

run_result run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  run_result r;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    r.output = "pipe failed";
    return r;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    r.output = "fork failed";
    return r;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    auto args = c_argv(argv);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ::close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) {
      r.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    const int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    const ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got <= 0) break;
    r.output.append(buf, static_cast<std::size_t>(got));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = decode_status(status);
  return r;
}

void must_run(const std::vector<std::string>& argv) {
  const run_result r = run(argv, 20s);
  EXPECT_EQ(r.exit_code, 0) << join(argv) << ": " << r.output;
}

bool have_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

child_process::child_process(const std::vector<std::string>& argv, const std::string& log_path) {
  const pid_t pid = ::fork();
  if (pid < 0) return;
  if (pid == 0) {
    ::setpgid(0, 0);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    auto args = c_argv(argv);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  pid_ = pid;
}

child_process::~child_process() {
  stop();
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(other.status_) {}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    status_ = other.status_;
  }
  return *this;
}

bool child_process::running() {
  if (pid_ < 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = decode_status(status);
    pid_ = -1;
    return false;
  }
  return r == 0;
}

void child_process::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int child_process::stop(std::chrono::milliseconds grace) {
  if (pid_ < 0) return status_;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return status_;
    std::this_thread::sleep_for(20ms);
  }
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = decode_status(status);
  pid_ = -1;
  return status_;
}

netns_pair::netns_pair(const std::string& prefix, const std::string& server_cidr)
    : server_ns_(prefix + "s"),
      client_ns_(prefix + "c"),
      server_if_(prefix + "S"),
      client_if_(prefix + "C") {
  const std::vector<std::vector<std::string>> steps = {
      {"ip", "netns", "add", server_ns_},
      {"ip", "netns", "add", client_ns_},
      {"ip", "link", "add", server_if_, "type", "veth", "peer", "name", client_if_},
      {"ip", "link", "set", server_if_, "netns", server_ns_},
      {"ip", "link", "set", client_if_, "netns", client_ns_},
      {"ip", "-n", server_ns_, "addr", "add", server_cidr, "dev", server_if_},
      {"ip", "-n", server_ns_, "link", "set", "lo", "up"},
      {"ip", "-n", server_ns_, "link", "set", server_if_, "up"},
      {"ip", "-n", client_ns_, "link", "set", "lo", "up"},
      {"ip", "-n", client_ns_, "link", "set", client_if_, "up"},
  };
  for (const auto& s : steps) {
    const run_result r = run(s, 10s);
    if (r.exit_code != 0) {
      ADD_FAILURE() << join(s) << ": " << r.output;
      return;
    }
  }
  ok_ = true;
}

netns_pair::~netns_pair() {
  // Deleting a namespace removes the veth end inside it, and with it the peer.
  run({"ip", "netns", "del", client_ns_}, 10s);
  run({"ip", "netns", "del", server_ns_}, 10s);
  run({"ip", "link", "del", server_if_}, 10s);
}

void netns_pair::reap_stale(const std::string& base) {
  const run_result r = run({"ip", "netns", "list"}, 10s);
  std::stringstream ss(r.output);
  std::string line;
  while (std::getline(ss, line)) {
    const std::string name = line.substr(0, line.find(' '));
    if (name.rfind(base, 0) != 0) continue;
    std::size_t i = base.size();
    std::size_t end = i;
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
    if (end == i) continue;
    const pid_t owner = static_cast<pid_t>(std::stol(name.substr(i, end - i)));
    if (::kill(owner, 0) != 0 && errno == ESRCH) run({"ip", "netns", "del", name}, 10s);
  }
}

event_listener::event_listener(std::string path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
  ::unlink(path_.c_str());
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ADD_FAILURE() << "bind " << path_ << ": " << std::strerror(errno);
  }
}

event_listener::~event_listener() {
  if (fd_ >= 0) ::close(fd_);
  ::unlink(path_.c_str());
}

void event_listener::set_receive_buffer(int bytes) {
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

std::optional<std::string> event_listener::receive(std::chrono::milliseconds timeout) {
  if (queued_.empty()) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::vector<char> buf(provstation::kea::max_datagram_bytes + 1);
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    // A datagram carries one or more events, one per line.
    for (auto& e : provstation::kea::split_events(
             std::string_view(buf.data(), static_cast<std::size_t>(n)))) {
      queued_.push_back(std::move(e));
    }
    if (queued_.empty()) return std::string();
  }
  std::string e = std::move(queued_.front());
  queued_.pop_front();
  return e;
}

std::vector<std::string> event_listener::drain(std::chrono::milliseconds quiet) {
  std::vector<std::string> out;
  while (auto d = receive(quiet)) out.push_back(std::move(*d));
  return out;
}

kea_server::kea_server(options o, std::filesystem::path dir)
    : options_(std::move(o)), dir_(std::move(dir)) {}

kea_server::~kea_server() {
  stop();
}

std::string kea_server::config_json(const options& o, const std::filesystem::path& dir) {
  const std::string d = dir.string();
  std::string hooks;
  if (!o.hook_parameters.empty()) {
    hooks = R"(  "hooks-libraries": [{"library": ")" + o.hook_library + R"(", "parameters": )" +
            o.hook_parameters + "}],\n";
  }
  return std::string("{\"Dhcp4\": {\n") + R"(  "interfaces-config": {"interfaces": )" +
         o.interfaces_json + R"(, "dhcp-socket-type": ")" + o.socket_type + "\"},\n" +
         R"(  "lease-database": {"type": "memfile", "persist": )" + (o.persist ? "true" : "false") +
         R"(, "name": ")" + d + R"(/kea-leases4.csv", "lfc-interval": 0},)" + "\n" +
         R"(  "multi-threading": {"enable-multi-threading": )" +
         (o.multi_threading ? "true, \"thread-pool-size\": 2, \"packet-queue-size\": 64"
                            : "false") +
         "},\n" + R"(  "valid-lifetime": )" + std::to_string(o.valid_lifetime) +
         R"(, "renew-timer": )" + std::to_string(o.valid_lifetime / 2) + R"(, "rebind-timer": )" +
         std::to_string(o.valid_lifetime * 7 / 8) + ",\n" + o.extra_json +
         R"(  "subnet4": [{"id": 1, "subnet": ")" + o.subnet + R"(", )" + o.relay_json +
         R"( "pools": [{"pool": ")" + o.pool + R"("}]}],)" + "\n" + hooks +
         R"(  "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": ")" + d +
         R"(/kea.log"}], "severity": ")" + o.severity + R"("},)" + "\n" +
         // Startup messages (DHCP4_STARTED, which start() waits for) whatever the severity.
         R"(              {"name": "kea-dhcp4.dhcp4", "output_options": [{"output": ")" + d +
         R"(/kea.log"}], "severity": "INFO"},)" + "\n" +
         R"(              {"name": "kea-dhcp4.provstation-hooks", "output_options": [{"output": ")" +
         d + R"(/kea.log"}], "severity": "DEBUG", "debuglevel": 99}])" + "\n}}\n";
}

bool kea_server::start(std::chrono::milliseconds timeout) {
  if (!options_.run_as.empty() && !options_.hook_library.empty()) {
    // Kea as an unprivileged user must be able to read the library, as it can the packaged
    // one under /usr/lib: the build tree may sit in a private directory (mktemp -d is 0700).
    const std::filesystem::path copy = dir_ / "libprovstation_kea.so";
    std::error_code ec;
    std::filesystem::copy_file(options_.hook_library, copy,
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (!ec) {
      std::filesystem::permissions(copy, std::filesystem::perms(0644), ec);
      options_.hook_library = copy.string();
    }
  }
  {
    std::ofstream out(dir_ / "kea-dhcp4.json");
    out << config_json(options_, dir_);
  }
  // Kea's pid and lock files go to the temp dir, never to /run/kea of a real Kea.
  ::setenv("KEA_PIDFILE_DIR", dir_.c_str(), 1);
  ::setenv("KEA_LOCKFILE_DIR", dir_.c_str(), 1);
  std::vector<std::string> argv;
  if (!options_.netns.empty()) argv = {"ip", "netns", "exec", options_.netns};
  if (!options_.run_as.empty()) {
    // As Debian's kea-dhcp4-server.service runs it: an unprivileged user with the capabilities
    // to open raw sockets and port 67.
    for (const char* a :
         {"setpriv", "--reuid", options_.run_as.c_str(), "--regid", options_.run_as.c_str(),
          "--init-groups", "--inh-caps", "+net_bind_service,+net_raw", "--ambient-caps",
          "+net_bind_service,+net_raw"}) {
      argv.push_back(a);
    }
  }
  argv.push_back("kea-dhcp4");
  argv.push_back("-c");
  argv.push_back((dir_ / "kea-dhcp4.json").string());
  process_ = child_process(argv, (dir_ / "kea.out").string());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (log().find("DHCP4_STARTED") != std::string::npos) return true;
    if (!process_.running()) return false;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

int kea_server::stop() {
  return process_.stop();
}

std::string kea_server::log() const {
  return read_file(dir_ / "kea.log") + read_file(dir_ / "kea.out");
}

std::filesystem::path udhcpc_script(const std::filesystem::path& dir) {
  const auto script = dir / "udhcpc.sh";
  const auto env_file = dir / "udhcpc-bound.env";
  if (!std::filesystem::exists(script)) {
    std::ofstream s(script);
    // Configure the address like a real client would: a DHCPRELEASE is sent from it.
    s << "#!/bin/sh\n"
         "case \"$1\" in\n"
         "  deconfig) ip addr flush dev \"$interface\" ;;\n"
         "  bound|renew) ip addr flush dev \"$interface\"; ip addr add \"$ip/$subnet\" dev "
         "\"$interface\"\n"
         "    env > '"
      << env_file.string()
      << "' ;;\n"
         "esac\nexit 0\n";
    s.close();
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  }
  return script;
}

std::map<std::string, std::string> udhcpc_env(const std::filesystem::path& dir) {
  std::map<std::string, std::string> env;
  std::ifstream in(dir / "udhcpc-bound.env");
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

dhcp_result udhcpc(const std::string& netns, const std::string& iface, const std::string& mac,
                   const std::vector<std::string>& args, const std::filesystem::path& dir) {
  dhcp_result out;
  const auto script = udhcpc_script(dir);
  const auto env_file = dir / "udhcpc-bound.env";
  std::filesystem::remove(env_file);
  must_run({"ip", "-n", netns, "link", "set", iface, "address", mac});
  std::vector<std::string> argv = {"ip", "netns", "exec", netns, "busybox",      "udhcpc", "-f",
                                   "-q", "-n",    "-i",   iface, "-t",           "4",      "-T",
                                   "1",  "-A",    "1",    "-s",  script.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const run_result r = run(argv, 20s);
  out.output = r.output;
  out.env = udhcpc_env(dir);
  out.bound = r.exit_code == 0 && out.env.contains("ip");
  return out;
}

}  // namespace provstation::kea::rig
