// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>
#include <provstation/unit.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace provstation {

/// @brief What a network observation says happened (one row in `facts`).
enum class evidence_kind {
  lease,               ///< A committed or renewed lease (ip).
  lease_end,           ///< Released, declined or expired.
  seed_delivered,      ///< The model-wide seed profile reached the unit's ip.
  profile_delivered,   ///< Its per-device profile reached it.
  handoff_delivered,   ///< The hand-off profile reached it (after an account was bound).
  firmware_started,    ///< A firmware transfer to it started.
  firmware_completed,  ///< ... finished (confirmed or not).
  firmware_failed,     ///< ... broke off.
  resync_requested,    ///< Syslog "Requesting resync".
  resync_succeeded,    ///< Syslog "Successful resync".
  resync_failed,       ///< Syslog "Resync failed: $ERR".
  upgrade_requested,   ///< Syslog "Requesting upgrade".
  upgrade_succeeded,   ///< Syslog "Successful upgrade ... -- $ERR" ($ERR = new version).
  upgrade_failed,      ///< Syslog "Upgrade failed: $ERR".
  reported,            ///< The phone reported serial/model/version (URL, User-Agent).
  refused,             ///< A request for this unit was refused (wrong ip, unknown file).
};

/// @brief The kind's name as stored in `facts.kind`.
std::string_view to_string(evidence_kind k);

/// @brief One observation about a unit. Fields not relevant to a kind stay empty.
struct evidence {
  evidence_kind kind = evidence_kind::reported;
  std::optional<mac_address> mac;  ///< When the observation names the unit itself.
  std::string ip;                  ///< Where it came from (or the leased address).
  time_ms at = 0;
  std::string path;     ///< File or URL involved.
  std::string serial;   ///< Reported serial ($SN, User-Agent), if any.
  std::string model;    ///< Reported model ($PN, PSN, User-Agent), if any.
  std::string version;  ///< Reported or new firmware version, if any.
  std::string detail;   ///< Error text, reason, hostname ...
  std::uint64_t bytes = 0;
  bool confirmed = true;  ///< For firmware/profile deliveries: final ACK seen.
};

/// @brief Applies one observation to a unit's evidence (pure). Returns a one-line note for the
/// log when the observation changed a failure state, otherwise empty.
std::string apply_evidence(unit_record& u, const evidence& e);

/// @brief Marks a unit failed (keeps the stage it failed in). Pure.
void set_failure(unit_record& u, std::string_view kind, std::string reason, time_ms at);

/// @brief Checks the box against what the phone reported; sets a "wrong box" failure on a
/// mismatch. Pure.
void check_box(unit_record& u, time_ms at);

}  // namespace provstation
