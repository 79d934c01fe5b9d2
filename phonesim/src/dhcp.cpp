// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/dhcp.hpp>

#include "process.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

extern char** environ;  // NOLINT: POSIX

namespace provstation::phonesim {

namespace {

constexpr std::size_t max_lease_file_bytes = 64 * 1024;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// udhcpc passes options it does not know as hex; anything else is returned as written.
std::optional<std::string> unhex(std::string_view s) {
  if (s.empty() || s.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = hex_digit(s[i]);
    const int lo = hex_digit(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

std::string option_text(std::string_view value) {
  auto bytes = unhex(value);
  if (!bytes) return std::string(value);
  while (!bytes->empty() && bytes->back() == '\0') bytes->pop_back();
  for (const char c : *bytes) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
      return std::string(value);
  }
  return *bytes;
}

std::string option_addresses(std::string_view value) {
  auto bytes = unhex(value);
  if (!bytes || bytes->size() % 4 != 0) return std::string(value);
  std::string out;
  for (std::size_t i = 0; i < bytes->size(); i += 4) {
    if (!out.empty()) out.push_back(' ');
    for (std::size_t k = 0; k < 4; ++k) {
      if (k != 0) out.push_back('.');
      out += std::to_string(static_cast<unsigned char>((*bytes)[i + k]));
    }
  }
  return out;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

bool run_ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = detail::run_command(argv);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    std::fprintf(stderr, "udhcpc-script: '%s' failed: %s\n", cmd.c_str(), r.output.c_str());
    return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> udhcpc_command(const std::string& iface, const std::string& model,
                                        const std::string& script,
                                        const std::optional<std::string>& requested_ip) {
  std::vector<std::string> argv = {"busybox",
                                   "udhcpc",
                                   "-f",
                                   "-q",
                                   "-n",
                                   "-t",
                                   "5",
                                   "-i",
                                   iface,
                                   "-V",
                                   "Cisco " + model,
                                   "-x",
                                   "hostname:" + model,
                                   "-O",
                                   "66",
                                   "-O",
                                   "150",
                                   "-O",
                                   "159",
                                   "-O",
                                   "160",
                                   "-s",
                                   script};
  if (requested_ip) {
    argv.push_back("-r");
    argv.push_back(*requested_ip);
  }
  return argv;
}

bool is_lease_variable(std::string_view name) {
  static constexpr std::string_view known[] = {
      "interface", "ip",     "siaddr",    "sname",    "boot_file", "subnet",
      "mask",      "router", "dns",       "serverid", "lease",     "tftp",
      "hostname",  "domain", "broadcast", "bootfile", "vendor",    "message"};
  for (std::string_view k : known) {
    if (name == k) return true;
  }
  if (name.size() > 3 && name.substr(0, 3) == "opt") {
    for (char c : name.substr(3)) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  }
  return false;
}

std::string format_lease_file(const std::vector<std::pair<std::string, std::string>>& vars) {
  std::string out;
  for (const auto& [name, value] : vars) {
    std::string v = value;
    for (char& c : v) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    out += name + "=" + v + "\n";
  }
  return out;
}

result<dhcp_lease> parse_lease_file(std::string_view text) {
  if (text.size() > max_lease_file_bytes) return make_error("lease file is too large");
  std::map<std::string, std::string, std::less<>> vars;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    vars.insert_or_assign(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  dhcp_lease lease;
  auto get = [&](std::string_view k) {
    auto it = vars.find(k);
    return it == vars.end() ? std::string() : it->second;
  };
  lease.ip = get("ip");
  if (lease.ip.empty()) return make_error("lease has no ip");
  lease.subnet = get("subnet");
  lease.router = get("router");
  lease.opt66 = get("tftp");
  if (lease.opt66.empty()) lease.opt66 = option_text(get("opt66"));
  lease.opt150 = option_addresses(get("opt150"));
  lease.opt159 = option_text(get("opt159"));
  lease.opt160 = option_text(get("opt160"));
  try {
    const std::string l = get("lease");
    if (!l.empty()) lease.lease_time = std::chrono::seconds(std::stoll(l));
  } catch (const std::exception&) {
    lease.lease_time = std::chrono::seconds(0);
  }
  return lease;
}

std::optional<int> netmask_prefix(std::string_view subnet) {
  in_addr a{};
  if (::inet_pton(AF_INET, std::string(subnet).c_str(), &a) != 1) return std::nullopt;
  const std::uint32_t m = ntohl(a.s_addr);
  int bits = 0;
  while (bits < 32 && (m & (0x80000000U >> bits)) != 0) ++bits;
  // The remaining bits must all be zero for a valid netmask.
  if (bits < 32 && (m << bits) != 0) return std::nullopt;
  return bits;
}

std::string dhcp_lease::provisioning_server(std::string_view order) const {
  std::size_t start = 0;
  while (start <= order.size()) {
    std::size_t comma = order.find(',', start);
    if (comma == std::string_view::npos) comma = order.size();
    std::string_view item = order.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "66" && !opt66.empty()) return opt66;
    if (item == "160" && !opt160.empty()) return opt160;
    if (item == "159" && !opt159.empty()) return opt159;
    if (item == "150" && !opt150.empty()) return opt150.substr(0, opt150.find_first_of(" ,"));
    start = comma + 1;
    if (comma == order.size()) break;
  }
  return {};
}

int run_udhcpc_script(const std::string& event, const std::string& out_file) {
  const std::string iface = env("interface");
  if (iface.empty()) {
    std::fprintf(stderr, "udhcpc-script: no interface in the environment\n");
    return 1;
  }
  if (event == "deconfig") {
    run_ip({"-4", "addr", "flush", "dev", iface});
    run_ip({"link", "set", "dev", iface, "up"});
    std::error_code ec;
    std::filesystem::remove(out_file, ec);
    return 0;
  }
  if (event != "bound" && event != "renew") return 0;  // leasefail, nak: nothing to do.

  const std::string ip = env("ip");
  std::string prefix = env("mask");
  if (prefix.empty()) {
    const auto bits = netmask_prefix(env("subnet"));
    prefix = std::to_string(bits.value_or(24));
  }
  // Configure the address unless a renewal kept it.
  const auto current = detail::run_command({"ip", "-4", "-o", "addr", "show", "dev", iface});
  if (current.output.find(" " + ip + "/") == std::string::npos) {
    run_ip({"-4", "addr", "flush", "dev", iface});
    if (!run_ip({"addr", "add", ip + "/" + prefix, "dev", iface})) return 1;
  }
  const std::string router = env("router");
  if (!router.empty()) {
    run_ip(
        {"route", "replace", "default", "via", router.substr(0, router.find(' ')), "dev", iface});
  }
  std::vector<std::pair<std::string, std::string>> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name(entry.substr(0, eq));
    if (is_lease_variable(name)) vars.emplace_back(name, std::string(entry.substr(eq + 1)));
  }
  const std::string tmp = out_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << format_lease_file(vars);
    if (!out) return 1;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, out_file, ec);
  return ec ? 1 : 0;
}

}  // namespace provstation::phonesim
