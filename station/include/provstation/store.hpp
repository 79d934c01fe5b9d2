// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>
#include <provstation/result.hpp>
#include <provstation/unit.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace provstation {

/// @brief A store failure that is not the caller's input (disk full, corrupt file, lock
/// timeout). The tracker turns it into a rolled-back operation and an error acknowledgement.
class store_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// @brief One row of the append-only fact log.
struct fact_row {
  std::int64_t id = 0;
  std::int64_t unit_id = 0;
  std::string mac;
  std::string ip;
  std::string kind;
  std::string detail;  ///< JSON text.
  time_ms at = 0;
};

/// @brief One row of the lease history: `mac` held `ip` from `from` until `to` (0 = still).
struct lease_row {
  std::int64_t id = 0;
  std::string ip;
  mac_address mac;
  time_ms from = 0;
  time_ms to = 0;
  time_ms expires = 0;
};

/// @brief A firmware image in the catalogue.
struct firmware_row {
  std::int64_t id = 0;
  std::string model;      ///< Upper case, e.g. "SPA525G2".
  std::string version;    ///< As the phone reports it ($SWVER), e.g. "7.5.5".
  std::string path;       ///< Absolute path of the image on the station.
  std::string file_name;  ///< The name phones request, e.g. "spa525g-7-5-5.bin".
  std::uint64_t size = 0;
  std::string sha256;  ///< Lower-case hex.
  time_ms added_at = 0;
};

/// @brief One box the provider expects in a batch (manifest mode).
struct manifest_entry {
  mac_address mac;
  std::string serial;
  std::string model;
};

/// @brief A provider order: which firmware each model must end on, and where to hand phones off.
struct batch_row {
  std::int64_t id = 0;
  std::string name;
  time_ms created_at = 0;
  std::string default_model;          ///< Model assumed when a scan has none.
  std::string provider_profile_rule;  ///< Hand-off Profile_Rule (READY).
  std::string provider_syslog;        ///< Hand-off Syslog_Server.
  std::int64_t stage_timeout_s = 600;
  std::string mac_format = "upper";  ///< Export MAC form: upper | lower | colon.
  bool active = true;
  /// (model, firmware id) pairs.
  std::vector<std::pair<std::string, std::int64_t>> targets;
};

/// @brief What is kept and how it is read back (DESIGN.md "Data").
///
/// The store is the only durable state. Writers are serialized by the tracker (and, across
/// processes, by the database's own locking); every write happens inside a transaction the
/// caller opens. The SQLite implementation runs in WAL mode with synchronous=FULL, so a
/// committed transaction survives a power cut. Schema changes are numbered migrations applied
/// at open. Failures of the environment throw store_error; nothing here parses untrusted input.
class store {
 public:
  virtual ~store() = default;

  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  /// @brief Nested savepoints, so one bad operation in a group commit is undone alone.
  virtual void savepoint(std::string_view name) = 0;
  virtual void release(std::string_view name) = 0;
  virtual void rollback_to(std::string_view name) = 0;

  /// @brief Changes whenever another connection commits (SQLite `PRAGMA data_version`).
  virtual std::int64_t data_version() = 0;

  virtual std::optional<unit_record> unit_by_mac(const mac_address& mac) = 0;
  virtual std::optional<unit_record> unit_by_serial(std::string_view serial) = 0;
  virtual std::optional<unit_record> unit_by_id(std::int64_t id) = 0;
  virtual void insert_unit(unit_record& u) = 0;  ///< Sets u.id.
  virtual void update_unit(const unit_record& u) = 0;
  virtual void delete_unit(std::int64_t id) = 0;
  virtual std::vector<unit_record> units() = 0;

  virtual std::int64_t append_fact(std::int64_t unit_id, std::string_view mac, std::string_view ip,
                                   std::string_view kind, std::string_view detail_json,
                                   time_ms at) = 0;
  virtual std::vector<fact_row> facts_for_unit(std::int64_t unit_id, std::size_t limit) = 0;
  virtual std::vector<fact_row> facts_after(std::int64_t after_id, std::size_t limit) = 0;

  virtual void open_lease(const std::string& ip, const mac_address& mac, time_ms from,
                          time_ms expires) = 0;
  virtual void close_lease(const std::string& ip, time_ms to) = 0;
  virtual std::vector<lease_row> leases_since(time_ms since) = 0;
  /// @brief The MAC that held `ip` at time `at`, from the lease history.
  virtual std::optional<mac_address> mac_at(const std::string& ip, time_ms at) = 0;

  virtual std::int64_t insert_firmware(const firmware_row& f) = 0;
  virtual std::vector<firmware_row> firmware() = 0;

  virtual std::int64_t insert_batch(const batch_row& b) = 0;
  virtual std::vector<batch_row> batches() = 0;

  /// @brief Replaces the batch's manifest (the provider's expected boxes).
  virtual void replace_manifest(std::int64_t batch_id, const std::vector<manifest_entry>& rows) = 0;
  virtual std::vector<manifest_entry> manifest(std::int64_t batch_id) = 0;
  virtual std::optional<manifest_entry> manifest_entry_for(std::int64_t batch_id,
                                                           const mac_address& mac) = 0;
  virtual std::size_t manifest_size(std::int64_t batch_id) = 0;

  virtual std::optional<std::string> meta(std::string_view key) = 0;
  virtual void set_meta(std::string_view key, std::string_view value) = 0;
};

/// @brief How `open_sqlite_store` treats a missing file.
enum class create_mode { if_missing, must_exist };

/// @brief Opens (and migrates) the SQLite store at `path`.
result<std::unique_ptr<store>> open_sqlite_store(const std::string& path, create_mode mode);

/// @brief The schema version the code expects (the number of the last migration).
int store_schema_version();

}  // namespace provstation
