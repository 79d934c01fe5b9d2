// SPDX-License-Identifier: Apache-2.0
#include <provstation/csv.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>

namespace provstation {

std::string csv_cell(std::string_view value) {
  std::string v(value);
  if (!v.empty() && (v.front() == '=' || v.front() == '+' || v.front() == '-' || v.front() == '@' ||
                     v.front() == '\t' || v.front() == '\r')) {
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

result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text,
                                                        std::size_t max_rows) {
  constexpr std::size_t max_cell_bytes = 4096;
  constexpr std::size_t max_cells = 64;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  bool cell_started = false;
  std::size_t line = 1;
  auto end_cell = [&]() -> bool {
    row.push_back(std::move(cell));
    cell.clear();
    cell_started = false;
    return row.size() <= max_cells;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        cell.push_back(c);
      }
    } else if (c == '"' && !cell_started) {
      quoted = true;
      cell_started = true;
    } else if (c == ',') {
      if (!end_cell())
        return make_error(fmt::format("line {}: more than {} cells", line, max_cells));
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (!end_cell())
        return make_error(fmt::format("line {}: more than {} cells", line, max_cells));
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
      ++line;
      if (rows.size() > max_rows) return make_error(fmt::format("more than {} rows", max_rows));
    } else {
      cell.push_back(c);
      cell_started = true;
    }
    if (cell.size() > max_cell_bytes)
      return make_error(fmt::format("line {}: a cell is longer than 4 KiB", line));
  }
  if (quoted) return make_error(fmt::format("line {}: a quoted cell is not closed", line));
  if (cell_started || !row.empty()) {
    end_cell();
    if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
  }
  return rows;
}

result<std::vector<manifest_entry>> parse_manifest(std::string_view csv_text) {
  auto table = parse_csv(csv_text);
  if (!table) return make_error(fmt::format("manifest: {}", table.message()));
  if (table->empty()) return make_error("manifest: empty file");
  auto norm = [](std::string s) {
    std::string out;
    for (char c : s) {
      if (std::isalnum(static_cast<unsigned char>(c)))
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
  };
  int col_mac = -1, col_serial = -1, col_model = -1;
  const auto& header = (*table)[0];
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    const std::string h = norm(header[static_cast<std::size_t>(i)]);
    if (h == "mac" || h == "macaddress" || h == "macid") col_mac = i;
    if (h == "serial" || h == "sn" || h == "serialnumber" || h == "serialno") col_serial = i;
    if (h == "model" || h == "pid" || h == "part" || h == "partnumber" || h == "productid")
      col_model = i;
  }
  if (col_mac < 0 || col_serial < 0) {
    return make_error(
        "manifest: the header row must name a MAC column and a serial column "
        "(e.g. \"mac,serial,model\")");
  }
  std::vector<manifest_entry> out;
  std::vector<std::string> problems;
  std::set<std::string> macs;
  std::set<std::string> serials;
  for (std::size_t r = 1; r < table->size(); ++r) {
    const auto& row = (*table)[r];
    const std::size_t line = r + 1;
    auto at = [&](int col) -> std::string {
      return col >= 0 && static_cast<std::size_t>(col) < row.size()
                 ? row[static_cast<std::size_t>(col)]
                 : std::string{};
    };
    auto mac = mac_address::parse(at(col_mac));
    std::string serial = at(col_serial);
    serial.erase(std::remove_if(serial.begin(), serial.end(),
                                [](unsigned char c) { return std::isspace(c); }),
                 serial.end());
    std::transform(serial.begin(), serial.end(), serial.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::string model = at(col_model);
    std::transform(model.begin(), model.end(), model.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (!mac) {
      problems.push_back(fmt::format("line {}: {}", line, mac.message()));
    } else if (!macs.insert(mac->str()).second) {
      problems.push_back(fmt::format("line {}: MAC {} is listed twice", line, mac->upper()));
    }
    if (serial.empty()) {
      problems.push_back(fmt::format("line {}: no serial", line));
    } else if (!serials.insert(serial).second) {
      problems.push_back(fmt::format("line {}: serial {} is listed twice", line, serial));
    }
    if (mac && !serial.empty()) out.push_back({*mac, serial, model});
  }
  if (!problems.empty()) {
    std::string msg =
        fmt::format("manifest refused, nothing imported ({} problem{}):", problems.size(),
                    problems.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < problems.size() && i < 20; ++i) msg += "\n  " + problems[i];
    if (problems.size() > 20) msg += fmt::format("\n  … and {} more", problems.size() - 20);
    return make_error(msg);
  }
  if (out.empty()) return make_error("manifest: no boxes after the header row");
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
    const bool done =
        u.current == stage::verified || u.current == stage::ready || u.current == stage::shipped;
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
