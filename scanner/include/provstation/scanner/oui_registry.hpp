// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>
#include <provstation/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace provstation::scanner {

/// @brief The IEEE MAC address block registry (MA-L, MA-M, MA-S), as Debian's `ieee-data`
/// package ships it in `/usr/share/ieee-data/{oui,mam,oui36}.csv`.
///
/// An empty registry is valid: the scanner then knows only its built-in vendor table
/// (catalog.hpp). Lookups pick the longest registered prefix, so a 28- or 36-bit block wins over
/// the "IEEE Registration Authority" MA-L entry that contains it.
class oui_registry {
 public:
  /// @brief Largest CSV file read (the 2022 oui.csv is 3.4 MB).
  static constexpr std::size_t max_file_bytes = 32u << 20;
  /// @brief Where Debian's ieee-data puts the registry.
  static constexpr std::string_view default_dir = "/usr/share/ieee-data";

  oui_registry() = default;

  /// @brief Parses one registry CSV (header `Registry,Assignment,Organization Name,…`) and adds
  /// its entries. Rows that do not parse are skipped and counted in `skipped_rows()`.
  /// @return the number of entries added, or an error when the text is not such a file.
  result<std::size_t> add_csv(std::string_view csv_text);

  /// @brief Reads `oui.csv`, `mam.csv` and `oui36.csv` from `dir` if present.
  /// @return the number of entries added (0 when the directory holds none of them).
  result<std::size_t> load_dir(const std::string& dir);

  /// @brief The registered organisation holding `mac`'s block, or nullopt when unregistered.
  std::optional<std::string_view> organization(const mac_address& mac) const;

  /// @brief Number of registered blocks.
  std::size_t size() const { return blocks_.size(); }
  /// @brief True when nothing is registered (the built-in table is all we know).
  bool empty() const { return blocks_.empty(); }
  /// @brief Rows skipped by add_csv() because they did not parse.
  std::size_t skipped_rows() const { return skipped_rows_; }

  /// @brief A process-wide registry loaded once from `default_dir` (empty if ieee-data is not
  /// installed). Thread-safe.
  static const oui_registry& system();
  /// @brief A process-wide empty registry (built-in vendor table only); for tests and callers
  /// that must not read files.
  static const oui_registry& none();

 private:
  // Key: prefix bits (24, 28 or 36) in the top bits of a 64-bit value, plus the bit count.
  static std::uint64_t key(std::uint64_t prefix, unsigned bits) { return prefix << 8 | bits; }

  std::unordered_map<std::uint64_t, std::string> blocks_;
  std::size_t skipped_rows_ = 0;
};

}  // namespace provstation::scanner
