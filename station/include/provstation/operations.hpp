// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/evidence.hpp>
#include <provstation/mac.hpp>
#include <provstation/store.hpp>
#include <provstation/tracker.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace provstation {

/// @brief One box as the operator scanned it.
struct scan_request {
  mac_address mac;
  std::string serial;
  std::string model;          ///< Empty: the batch's default model.
  std::int64_t batch_id = 0;  ///< 0: the current batch.
  std::string raw;            ///< The text exactly as scanned (kept in the event log).
  std::string session;        ///< Which scan session (operator/bench) it came from.
};

/// @brief Scans a box. The result is {"ok":true,"unit":{…},"merged":bool} or
/// {"ok":false,"error":"…","existing":{…}}; a refused scan is still kept in the event log.
tracker::operation op_scan(scan_request request);

/// @brief Records a network observation and re-derives the unit's stage. Creates an unscanned
/// unit for a MAC nobody scanned. Result: {"mac":…,"stage":…} or {"unattributed":true}.
tracker::operation op_observe(evidence e);

/// @brief A lease was committed/renewed (`active`) or ended, from Kea's event or its lease file.
struct lease_change {
  bool active = true;
  std::string ip;
  mac_address mac;
  time_ms at = 0;
  time_ms expires = 0;
  std::string type;  ///< commit, renew, release, decline, expire, reconcile.
  std::string hostname;
  std::string vendor_class;
  /// @brief A unit is created for a MAC nobody scanned only when this holds (the client looks
  /// like a phone); other clients' leases are kept in the lease history only.
  bool phone = true;
};
tracker::operation op_lease(lease_change change);

/// @brief True when an option 60 vendor class names a phone the station provisions
/// ("Cisco SPA…", "CISCO SPA…", "LINKSYS SPA…", case-insensitive prefixes).
bool is_phone_vendor_class(std::string_view vendor_class);

/// @brief Operator retry: clears the unit's failure and lets evidence decide again.
tracker::operation op_retry(mac_address mac);

/// @brief Binds a provider account to a VERIFIED unit: its next resync gets the hand-off
/// profile, which makes it READY. An account is bound to one unit at most.
tracker::operation op_bind_account(mac_address mac, std::string account);

/// @brief Undo of the last scan of a session: removes a unit that has no network evidence yet.
tracker::operation op_undo_scan(mac_address mac);

/// @brief Adds a firmware image to the catalogue (size and sha256 computed by the caller).
tracker::operation op_add_firmware(firmware_row f);

/// @brief Creates a batch; targets name firmware by (model, version).
struct batch_request {
  batch_row batch;
  std::vector<std::pair<std::string, std::string>> targets;  ///< (model, version)
};
tracker::operation op_create_batch(batch_request request);

/// @brief Replaces a batch's manifest; scans into that batch are then checked against it.
tracker::operation op_import_manifest(std::int64_t batch_id, std::vector<manifest_entry> rows);

/// @brief Expected vs scanned vs missing for a batch with a manifest (reads the store).
nlohmann::json manifest_status(store& db, const batch_row& batch);

/// @brief Marks verified/ready units as shipped (an export marked as a shipment).
tracker::operation op_mark_shipped(std::vector<mac_address> macs, std::string export_name);

/// @brief A unit as JSON for the API and the CLI.
nlohmann::json unit_json(const unit_record& u);

}  // namespace provstation
