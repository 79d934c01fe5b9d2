// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>
#include <provstation/result.hpp>
#include <provstation/store.hpp>
#include <provstation/unit.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace provstation {

/// @brief One CSV cell per RFC 4180, made safe for spreadsheets: a value starting with
/// `= + - @`, a tab or a carriage return is prefixed with `'` so it is never evaluated.
std::string csv_cell(std::string_view value);

/// @brief Formats a time as ISO 8601 UTC (`2026-11-27T07:15:29Z`); empty for 0.
std::string iso_time(time_ms t);

/// @brief Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF or LF; a UTF-8 BOM is
/// skipped). Refuses more than `max_rows` rows or cells over 4 KiB, naming the line.
result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text,
                                                        std::size_t max_rows = 200000);

/// @brief Reads a provider's manifest: a header row naming the columns (any order; `mac`,
/// `mac address`, `serial`, `sn`, `serial number`, `model`, `pid`, `part`, case-insensitive),
/// then one box per row. All or nothing: any bad row (bad MAC, empty serial, a MAC or serial
/// twice) refuses the whole file with every problem listed by line (up to 20).
result<std::vector<manifest_entry>> parse_manifest(std::string_view csv_text);

/// @brief Which units an export holds.
struct export_options {
  std::int64_t batch_id = 0;        ///< 0: every batch.
  bool include_unverified = false;  ///< By default only VERIFIED, READY and SHIPPED units.
};

/// @brief The provider's CSV: `mac,serial,model,firmware,account,batch,verified_at,shipped_at`
/// with a header row, CRLF line ends, MACs in the batch's form (12 upper-case hex by default).
std::string export_csv(const std::vector<unit_record>& units, const std::vector<batch_row>& batches,
                       const export_options& options);

}  // namespace provstation
