// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>
#include <provstation/store.hpp>
#include <provstation/unit.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace provstation {

/// @brief Live firmware transfer progress (kept in memory only, never in the store).
struct transfer_progress {
  std::uint64_t bytes = 0;
  std::uint64_t total = 0;
  time_ms updated_at = 0;
};

/// @brief The in-memory read model the I/O threads answer from: units, current leases,
/// batches and the firmware catalogue. Only the tracker writes it, after each commit; anyone
/// may read it (a shared lock; no SQLite on the packet path).
class board {
 public:
  std::optional<unit_record> unit(const mac_address& mac) const;
  std::vector<unit_record> units() const;
  /// @brief Calls `fn` for every unit under the read lock, without copying them; `fn` must not
  /// call back into the board.
  void for_each_unit(const std::function<void(const unit_record&)>& fn) const;
  /// @brief The MAC currently leasing `ip`, if any.
  std::optional<mac_address> mac_at_ip(const std::string& ip) const;
  std::vector<batch_row> batches() const;
  std::optional<batch_row> batch(std::int64_t id) const;
  /// @brief The newest active batch: where scans go by default. 0 when none.
  std::int64_t current_batch_id() const;
  std::vector<firmware_row> firmware() const;
  std::optional<firmware_row> firmware_by_id(std::int64_t id) const;
  /// @brief The firmware a phone asks for by file name (case-insensitive).
  std::optional<firmware_row> firmware_by_file(std::string_view file_name) const;
  /// @brief The target firmware of `model` in batch `batch_id` (or in the current batch).
  std::optional<firmware_row> target_firmware(std::int64_t batch_id, std::string_view model) const;

  void set_progress(const mac_address& mac, transfer_progress p);
  void clear_progress(const mac_address& mac);
  std::optional<transfer_progress> progress(const mac_address& mac) const;

  /// @brief Increments on every change; lets pollers see that something moved.
  std::uint64_t version() const;

  // Writers (the tracker).
  void replace_all(std::vector<unit_record> units, std::vector<lease_row> open_leases,
                   std::vector<batch_row> batches, std::vector<firmware_row> firmware);
  void upsert_unit(const unit_record& u);
  void set_lease(const std::string& ip, const mac_address& mac);
  void end_lease(const std::string& ip);
  void set_catalogue(std::vector<batch_row> batches, std::vector<firmware_row> firmware);

 private:
  void set_lease_locked(const std::string& ip, const mac_address& mac);

  mutable std::shared_mutex mu_;
  std::map<mac_address, unit_record> units_;
  std::map<std::string, mac_address> leases_;   // open leases: address → MAC
  std::map<mac_address, std::string> lease_of_;  // the same, MAC → address (one each)
  std::vector<batch_row> batches_;
  std::vector<firmware_row> firmware_;
  std::map<mac_address, transfer_progress> progress_;
  std::uint64_t version_ = 0;
};

}  // namespace provstation
