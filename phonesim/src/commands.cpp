// SPDX-License-Identifier: Apache-2.0
#include "commands.hpp"

#include <provstation/phonesim/firmware_image.hpp>
#include <provstation/phonesim/firmware_version.hpp>
#include <provstation/phonesim/phone.hpp>

#include "log.hpp"
#include "process.hpp"
#include "socket_io.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace provstation::phonesim {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// A per-process directory for the udhcpc wrapper script and the lease file.
class run_dir {
 public:
  run_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base != nullptr ? base : "/tmp") + "/provstation-phonesim-XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~run_dir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  run_dir(const run_dir&) = delete;
  run_dir& operator=(const run_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

int run_phone_command(const phone_command& cmd) {
  // SIGTERM/SIGINT are taken with sigtimedwait; children get a clean mask (see process.cpp).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  phone_options options;
  options.identity.model = cmd.model;
  options.identity.serial = cmd.report_serial.empty() ? cmd.serial : cmd.report_serial;
  options.identity.hwver = cmd.hwver;
  options.swver = cmd.swver;
  options.time_scale = cmd.time_scale;
  options.boot_delay = std::chrono::seconds(static_cast<long long>(cmd.boot_delay_s));
  const std::string mac_text =
      cmd.mac.empty() ? read_first_line("/sys/class/net/" + cmd.iface + "/address") : cmd.mac;
  auto mac = mac_address::parse(mac_text);
  if (!mac) {
    init_logging(cmd.log_level, "-");
    logger()->error("no usable MAC address for {} ('{}'): {}", cmd.iface, mac_text, mac.message());
    return 2;
  }
  options.identity.mac = *mac;
  std::uint64_t seed = 0;
  for (std::uint8_t b : mac->bytes()) seed = (seed << 8) | b;
  options.seed = seed ^ 0x5350413532354732ULL;
  init_logging(cmd.log_level, mac->str());
  if (!firmware_version::parse(cmd.swver)) {
    logger()->error("--swver '{}' is not a version", cmd.swver);
    return 2;
  }
  if (cmd.serial.empty()) {
    logger()->error("--serial is required");
    return 2;
  }
  if (cmd.no_dhcp && (cmd.ip.empty() || cmd.opt66.empty())) {
    logger()->error("--no-dhcp needs --ip and --opt66");
    return 2;
  }

  run_dir dir;
  if (dir.path().empty()) {
    logger()->error("cannot create a run directory");
    return 1;
  }
  socket_io_options io_options;
  io_options.use_dhcp = !cmd.no_dhcp;
  io_options.iface = cmd.iface;
  io_options.model = cmd.model;
  io_options.static_ip = cmd.ip;
  io_options.static_opt66 = cmd.opt66;
  io_options.ca_file = cmd.ca_file;
  io_options.mac = mac->str();
  io_options.lease_file = dir.path() + "/lease.env";
  io_options.udhcpc_script = dir.path() + "/udhcpc-hook";
  {
    // udhcpc runs a program with the event as its only argument; this wrapper adds ours.
    std::ofstream script(io_options.udhcpc_script, std::ios::trunc);
    script << "#!/bin/sh\nexec " << shell_quote(detail::self_executable())
           << " udhcpc-script --out " << shell_quote(io_options.lease_file) << " \"$@\"\n";
  }
  ::chmod(io_options.udhcpc_script.c_str(), 0755);

  logger()->info("{} serial {} (box {}) firmware {} starting", cmd.model, options.identity.serial,
                 cmd.serial, cmd.swver);
  socket_phone_io io(io_options);
  phone p(options, io);
  p.run();
  logger()->info("stopped on firmware {}", p.swver());
  return 0;
}

int run_make_firmware_command(const make_firmware_command& cmd) {
  init_logging("info", "make-firmware");
  if (cmd.models.empty()) {
    logger()->error("--models is required");
    return 2;
  }
  if (!firmware_version::parse(cmd.version)) {
    logger()->error("--version '{}' is not a version", cmd.version);
    return 2;
  }
  const std::string image = make_firmware(cmd.models, cmd.version, cmd.size, cmd.seed);
  if (!parse_firmware_header(image)) {
    logger()->error("invalid model names");
    return 2;
  }
  std::ofstream out(cmd.out, std::ios::binary | std::ios::trunc);
  out.write(image.data(), static_cast<std::streamsize>(image.size()));
  if (!out) {
    logger()->error("cannot write {}", cmd.out);
    return 1;
  }
  return 0;
}

}  // namespace provstation::phonesim
