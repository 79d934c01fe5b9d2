// SPDX-License-Identifier: Apache-2.0
#include <provstation/test/station_process.hpp>

#include "app/http_client.hpp"
#include "app/process.hpp"

#include <provstation/kea/lease_event.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace provstation::test {

struct station_process::impl {
  app::child_process child;
  std::string log_path;
};

namespace {

std::uint16_t port_of(const nlohmann::json& ready, const char* key) {
  const std::string s = ready[key].get<std::string>();
  return static_cast<std::uint16_t>(std::stoi(s.substr(s.rfind(':') + 1)));
}

}  // namespace

station_process::station_process(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

station_process::~station_process() {
  impl_->child.stop(std::chrono::seconds(5));
}

result<std::unique_ptr<station_process>> station_process::start(
    const std::string& exe, const temp_dir& dir, const std::vector<std::string>& extra) {
  std::string toml = fmt::format(
      "[bench]\naddress = \"127.0.0.1\"\n"
      "[tftp]\nlisten = \"127.0.0.1:0\"\n[http]\nlisten = \"127.0.0.1:0\"\n"
      "[syslog]\nlisten = \"127.0.0.1:0\"\n[dashboard]\nlisten = \"127.0.0.1:0\"\n"
      "[kea]\nevent_socket = \"{0}/events.sock\"\npolicy_file = \"{0}/policy\"\n"
      "lease_file = \"{0}/leases4.csv\"\n[store]\npath = \"{0}/station.db\"\n",
      dir.path().string());
  for (const auto& l : extra) toml += l + "\n";
  dir.write("provstation.toml", toml);
  const std::string ready = dir.file("ready.json");
  std::error_code ec;
  std::filesystem::remove(ready, ec);
  // setpriv ties the station to the test process: it is killed even when the test is.
  std::vector<std::string> argv;
  if (::access("/usr/bin/setpriv", X_OK) == 0)
    argv = {"/usr/bin/setpriv", "--pdeathsig", "KILL", "--"};
  argv.insert(argv.end(),
              {exe, "serve", "--config", dir.file("provstation.toml"), "--ready-file", ready});
  auto p = std::make_unique<impl>();
  p->log_path = dir.file("station.log");
  auto c = app::child_process::spawn(argv, {}, p->log_path);
  if (!c) return c.err();
  p->child = std::move(*c);
  std::unique_ptr<station_process> s(new station_process(std::move(p)));
  s->dir_ = dir.path().string();
  nlohmann::json j;
  for (int i = 0; i < 400; ++i) {
    std::ifstream in(ready);
    if (in) j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object() && j.contains("dashboard")) break;
    if (!s->running()) return make_error("the station exited:\n" + s->log());
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (!j.is_object() || !j.contains("dashboard"))
    return make_error("the station did not get ready:\n" + s->log());
  s->dashboard_ = port_of(j, "dashboard");
  s->http_ = port_of(j, "http");
  s->tftp_ = port_of(j, "tftp");
  s->syslog_ = port_of(j, "syslog");
  return s;
}

bool station_process::running() {
  return impl_->child.running();
}

void station_process::kill(int sig) {
  impl_->child.signal(sig);
  impl_->child.wait();
}

std::string station_process::log() const {
  std::ifstream in(impl_->log_path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void station_process::send_event(const std::string& datagram) const {
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = dir_ + "/events.sock";
  std::memcpy(addr.sun_path, path.c_str(), std::min(path.size() + 1, sizeof addr.sun_path - 1));
  ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&addr),
           sizeof addr);
  ::close(fd);
}

void station_process::lease(const std::string& mac, const std::string& ip,
                            const std::string& vendor_class) {
  kea::lease_event e;
  e.boot_id = "test";
  e.seq = ++seq_;
  e.mac = mac;
  e.ip = ip;
  e.vendor_class = vendor_class;
  e.valid_lifetime = 600;
  e.at = std::time(nullptr);
  send_event(kea::encode(e));
}

void station_process::send_syslog(const std::string& from_ip, const std::string& line) const {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, from_ip.c_str(), &src.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(syslog_);
  ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  ::sendto(fd, line.data(), line.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
  ::close(fd);
}

nlohmann::json station_process::get(const std::string& target) const {
  auto r = app::http_request("127.0.0.1", dashboard_, "GET", target);
  if (!r) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(r->body, nullptr, false);
}

}  // namespace provstation::test
