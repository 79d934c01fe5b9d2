// SPDX-License-Identifier: Apache-2.0
#include <provstation/kea_lease_file.hpp>

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace provstation {

namespace {

std::vector<std::string_view> split_csv_line(std::string_view line) {
  // Kea escapes commas in values (&#x2c;), so a plain split is exact.
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool to_int(std::string_view s, std::int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

result<kea_lease_file> parse_kea_leases(std::string_view csv) {
  kea_lease_file out;
  int col_address = -1, col_hwaddr = -1, col_expire = -1, col_state = -1, col_hostname = -1;
  bool header = false;
  while (!csv.empty()) {
    const auto nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv.remove_prefix(nl == std::string_view::npos ? csv.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const auto cells = split_csv_line(line);
    if (!header || (!cells.empty() && cells[0] == "address")) {
      // The header may repeat when Kea appends after a restart.
      for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
        if (cells[i] == "address") col_address = i;
        if (cells[i] == "hwaddr") col_hwaddr = i;
        if (cells[i] == "expire") col_expire = i;
        if (cells[i] == "state") col_state = i;
        if (cells[i] == "hostname") col_hostname = i;
      }
      if (col_address < 0 || col_hwaddr < 0 || col_expire < 0) {
        return make_error("not a Kea DHCPv4 lease file (no address/hwaddr/expire header)");
      }
      header = true;
      continue;
    }
    const auto n = static_cast<int>(cells.size());
    if (n <= col_address || n <= col_hwaddr || n <= col_expire) {
      ++out.skipped;
      continue;
    }
    kea_lease l;
    l.ip = std::string(cells[static_cast<std::size_t>(col_address)]);
    auto mac = mac_address::parse(cells[static_cast<std::size_t>(col_hwaddr)]);
    std::int64_t expire = 0;
    std::int64_t state = 0;
    if (!mac || l.ip.empty() || l.ip.size() > 15 ||
        !to_int(cells[static_cast<std::size_t>(col_expire)], expire) ||
        (col_state >= 0 && col_state < n &&
         !to_int(cells[static_cast<std::size_t>(col_state)], state))) {
      ++out.skipped;
      continue;
    }
    l.mac = *mac;
    l.expire = expire;
    l.state = static_cast<int>(state);
    if (col_hostname >= 0 && col_hostname < n) {
      l.hostname = std::string(cells[static_cast<std::size_t>(col_hostname)].substr(0, 255));
    }
    out.by_ip[l.ip] = std::move(l);
  }
  return out;
}

result<kea_lease_file> read_kea_leases(const std::string& path) {
  kea_lease_file merged;
  bool any = false;
  // Kea's lease file cleanup (LFC): ".completed" is the cleaned result and replaces ".1" and
  // ".2"; without it, ".1" (older) then ".2" (newer) hold what precedes the current file.
  std::error_code probe;
  const bool completed = std::filesystem::exists(path + ".completed", probe);
  std::vector<std::string> suffixes;
  if (completed) {
    suffixes = {".completed", ""};
  } else {
    suffixes = {".1", ".2", ""};
  }
  for (const std::string& suffix : suffixes) {
    const std::string p = path + suffix;
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) continue;
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto part = parse_kea_leases(ss.str());
    if (!part) return make_error(fmt::format("{}: {}", p, part.message()));
    any = true;
    merged.skipped += part->skipped;
    for (auto& [ip, l] : part->by_ip) merged.by_ip[ip] = std::move(l);
  }
  if (!any) return make_error(fmt::format("{} does not exist", path));
  return merged;
}

std::vector<kea_lease> active_leases(const kea_lease_file& f, std::int64_t now_s) {
  std::vector<kea_lease> out;
  for (const auto& [ip, l] : f.by_ip) {
    if (l.state == 0 && l.expire > now_s) out.push_back(l);
  }
  return out;
}

}  // namespace provstation
