// SPDX-License-Identifier: Apache-2.0
#include "app/bench_lab.hpp"

#include <provstation/log.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace provstation::app {

namespace fs = std::filesystem;

namespace {

std::string self_exe() {
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).string();
}

bool executable(const std::string& p) {
  return !p.empty() && ::access(p.c_str(), X_OK) == 0;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

result<void> ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string out;
  if (run_command(argv, &out) != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    return make_error(fmt::format("{}failed: {}", cmd, out));
  }
  return {};
}

}  // namespace

lab_programs lab_programs::find() {
  lab_programs p;
  p.provstation = self_exe();
  const fs::path bin = fs::path(p.provstation).parent_path();
  // The build tree: build/station/provstation next to build/phonesim and build/kea-hooks.
  for (const auto& candidate :
       {bin.parent_path() / "phonesim" / "provstation-phonesim", bin / "provstation-phonesim",
        fs::path("/usr/lib/provstation/provstation-phonesim")}) {
    if (executable(candidate.string())) {
      p.phonesim = candidate.string();
      break;
    }
  }
  for (const auto& candidate :
       {bin.parent_path() / "kea-hooks" / "libprovstation_kea.so",
        fs::path("/usr/lib/x86_64-linux-gnu/kea/hooks/libprovstation_kea.so")}) {
    if (fs::exists(candidate)) {
      p.hook = candidate.string();
      break;
    }
  }
  for (const char* k : {"/usr/sbin/kea-dhcp4", "/usr/bin/kea-dhcp4"}) {
    if (executable(k)) p.kea = k;
  }
  return p;
}

void bench_lab::sweep_stale() {
  std::string out;
  if (run_command({"ip", "netns", "list"}, &out) != 0) return;
  static const std::regex name(R"(^(ps(\d+)-[A-Za-z0-9_-]+))");
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, name)) continue;
    const std::string pid = m[2].str();
    if (fs::exists("/proc/" + pid)) continue;
    const std::string ns = m[1].str();
    std::string pids;
    run_command({"ip", "netns", "pids", ns}, &pids);
    std::istringstream ps(pids);
    for (std::string p; std::getline(ps, p);) {
      if (!p.empty()) ::kill(std::stoi(p), SIGKILL);
    }
    run_command({"ip", "netns", "del", ns});
    logger("station")->info("removed a stale namespace {} left by process {}", ns, pid);
  }
}

bench_lab::bench_lab(options o, lab_programs p)
    : opts_(std::move(o)),
      programs_(std::move(p)),
      prefix_(fmt::format("ps{}", ::getpid())),
      netns_(prefix_ + "-bench") {}

result<std::unique_ptr<bench_lab>> bench_lab::create(options o, lab_programs p) {
  if (::geteuid() != 0) return make_error("the bench lab needs root (network namespaces)");
  if (!executable(p.phonesim)) return make_error("provstation-phonesim not found (build it first)");
  if (p.hook.empty()) return make_error("libprovstation_kea.so not found (build it first)");
  if (!executable(p.kea)) return make_error("kea-dhcp4 not found (install kea-dhcp4-server)");
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec) return make_error(fmt::format("cannot create {}: {}", o.dir, ec.message()));
  sweep_stale();
  std::unique_ptr<bench_lab> lab(new bench_lab(std::move(o), std::move(p)));
  if (auto r = lab->build_network(); !r) return r.err();
  return lab;
}

bench_lab::~bench_lab() {
  teardown();
}

result<void> bench_lab::build_network() {
  network_built_ = true;
  const std::string cidr = fmt::format("{}/{}", opts_.bench_address, opts_.prefix_len);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"netns", "add", netns_},
           {"-n", netns_, "link", "set", "lo", "up"},
           {"-n", netns_, "link", "add", "psbr0", "type", "bridge"},
           {"-n", netns_, "addr", "add", cidr, "dev", "psbr0"},
           {"-n", netns_, "link", "set", "psbr0", "up"}}) {
    if (auto r = ip(args); !r) return r;
  }
  return {};
}

void bench_lab::teardown() {
  fleet_.stop(std::chrono::seconds(10));
  station_.stop(std::chrono::seconds(10));
  kea_.stop(std::chrono::seconds(5));
  if (executable(programs_.phonesim)) {
    run_command({programs_.phonesim, "fleet", "--cleanup", prefix_});
  }
  if (network_built_) {
    std::string pids;
    run_command({"ip", "netns", "pids", netns_}, &pids);
    std::istringstream ps(pids);
    for (std::string p; std::getline(ps, p);) {
      if (!p.empty()) ::kill(std::stoi(p), SIGKILL);
    }
    run_command({"ip", "netns", "del", netns_});
    network_built_ = false;
  }
}

result<std::string> bench_lab::station_cli(std::vector<std::string> args) const {
  std::vector<std::string> argv{programs_.provstation};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--store");
  argv.push_back(store_path());
  std::string out;
  if (run_command(argv, &out) != 0) {
    return make_error(fmt::format("provstation {} failed: {}", args.empty() ? "" : args[0], out));
  }
  return out;
}

result<std::uint16_t> bench_lab::start_station() {
  const std::string config = opts_.dir + "/provstation.toml";
  std::string toml = fmt::format(
      "# Written by the bench lab.\n"
      "[bench]\naddress = \"{0}\"\nnetns = \"{1}\"\n"
      "[kea]\nevent_socket = \"{2}/kea-events.sock\"\npolicy_file = \"{2}/kea-policy\"\n"
      "lease_file = \"{2}/kea-leases4.csv\"\n"
      "[store]\npath = \"{2}/station.db\"\n"
      "[firmware]\ndir = \"{2}/firmware\"\n"
      "[dashboard]\nlisten = \"{3}\"\n"
      "[log]\nlevel = \"{4}\"\n",
      opts_.bench_address, netns_, opts_.dir, opts_.dashboard, opts_.log_level);
  for (const auto& line : opts_.extra_config) toml += line + "\n";
  write_text(config, toml);
  const std::string ready = opts_.dir + "/station.ready";
  std::error_code ec;
  fs::remove(ready, ec);
  auto child = child_process::spawn(
      {programs_.provstation, "serve", "--config", config, "--ready-file", ready}, {},
      opts_.dir + "/station.log");
  if (!child) return child.err();
  station_ = std::move(*child);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!station_.running()) {
      return make_error(fmt::format("the station exited; see {}/station.log", opts_.dir));
    }
    if (fs::exists(ready)) {
      std::ifstream in(ready);
      auto j = nlohmann::json::parse(in, nullptr, false);
      if (!j.is_discarded() && j.contains("dashboard")) {
        const std::string d = j["dashboard"].get<std::string>();
        dashboard_port_ = static_cast<std::uint16_t>(std::stoi(d.substr(d.rfind(':') + 1)));
        return dashboard_port_;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return make_error("the station did not become ready within 20 s");
}

void bench_lab::kill_station(int sig) {
  station_.signal(sig);
  station_.wait();
}

result<void> bench_lab::start_kea() {
  const std::string& d = opts_.dir;
  nlohmann::json kea = {
      {"Dhcp4",
       {{"interfaces-config", {{"interfaces", {"psbr0"}}, {"dhcp-socket-type", "raw"}}},
        {"lease-database",
         {{"type", "memfile"},
          {"persist", true},
          {"name", d + "/kea-leases4.csv"},
          {"lfc-interval", 0}}},
        {"valid-lifetime", opts_.lease_time_s},
        {"renew-timer", opts_.lease_time_s / 2},
        {"rebind-timer", opts_.lease_time_s * 7 / 8},
        {"subnet4",
         {{{"id", 1},
           {"subnet", fmt::format("{}/{}", opts_.bench_address, opts_.prefix_len)},
           {"pools", {{{"pool", opts_.pool}}}}}}},
        {"hooks-libraries",
         {{{"library", programs_.hook},
           {"parameters",
            {{"station-address", opts_.bench_address},
             {"tftp-server-addresses", {opts_.bench_address}},
             {"event-socket", d + "/kea-events.sock"},
             {"policy-file", d + "/kea-policy"}}}}}},
        {"loggers",
         {{{"name", "kea-dhcp4"},
           {"output_options", {{{"output", d + "/kea.log"}}}},
           {"severity", "INFO"}}}}}}};
  write_text(d + "/kea-dhcp4.json", kea.dump(2));
  auto child = child_process::spawn(
      {"ip", "netns", "exec", netns_, programs_.kea, "-c", d + "/kea-dhcp4.json"},
      {"KEA_PIDFILE_DIR=" + d, "KEA_LOCKFILE_DIR=" + d}, d + "/kea.out");
  if (!child) return child.err();
  kea_ = std::move(*child);
  // Kea opens its sockets within a second; a failed config makes it exit at once.
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!kea_.running()) return make_error(fmt::format("kea-dhcp4 exited; see {}/kea.out", d));
  }
  return {};
}

result<void> bench_lab::start_fleet(const std::vector<std::string>& args) {
  std::vector<std::string> argv{programs_.phonesim, "fleet", "--bench-netns", netns_,
                                "--bridge",         "psbr0", "--prefix",      prefix_};
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = child_process::spawn(argv, {}, opts_.dir + "/fleet.log");
  if (!child) return child.err();
  fleet_ = std::move(*child);
  return {};
}

void bench_lab::stop_fleet() {
  fleet_.stop(std::chrono::seconds(10));
}

}  // namespace provstation::app
