// SPDX-License-Identifier: Apache-2.0
#include <provstation/csv.hpp>

#include <fmt/format.h>

#include <ctime>

namespace provstation {

std::string csv_cell(std::string_view value) {
  std::string v(value);
  if (!v.empty() && (v.front() == '=' || v.front() == '+' || v.front() == '-' ||
                     v.front() == '@' || v.front() == '\t' || v.front() == '\r')) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string iso_time(time_ms t) {
  if (t == 0) return {};
  const std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string export_csv(const std::vector<unit_record>& units, const std::vector<batch_row>& batches,
                       const export_options& options) {
  std::string out = "mac,serial,model,firmware,account,batch,verified_at,shipped_at\r\n";
  for (const auto& u : units) {
    if (options.batch_id != 0 && u.batch_id != options.batch_id) continue;
    const bool done = u.current == stage::verified || u.current == stage::ready ||
                      u.current == stage::shipped;
    if (!done && !options.include_unverified) continue;
    const batch_row* batch = nullptr;
    for (const auto& b : batches) {
      if (b.id == u.batch_id) batch = &b;
    }
    std::string mac = u.mac.upper();
    if (batch != nullptr && batch->mac_format == "lower") mac = u.mac.str();
    if (batch != nullptr && batch->mac_format == "colon") mac = u.mac.colon();
    out += fmt::format("{},{},{},{},{},{},{},{}\r\n", csv_cell(mac), csv_cell(u.serial),
                       csv_cell(u.model), csv_cell(u.reported_version), csv_cell(u.account),
                       csv_cell(batch != nullptr ? batch->name : std::string{}),
                       iso_time(u.verified_at), iso_time(u.shipped_at));
  }
  return out;
}

}  // namespace provstation
