// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>
#include <provstation/stage.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace provstation {

/// @brief Milliseconds since the Unix epoch; 0 means "never".
using time_ms = std::int64_t;

/// @brief One phone as the station knows it: what its box said, and the evidence gathered so
/// far. The stage is derived from this evidence (derive_stage), never set directly.
struct unit_record {
  std::int64_t id = 0;
  mac_address mac;
  std::string serial;         ///< As scanned from the box; empty for an unscanned unit.
  std::string model;          ///< As scanned (or the batch default); upper case, e.g. "SPA525G2".
  bool unscanned = false;     ///< Seen on the network before anybody scanned its box.
  std::int64_t batch_id = 0;  ///< 0 when in no batch.
  std::string account;

  stage current = stage::scanned;
  time_ms stage_at = 0;  ///< When `current` was entered.

  std::string ip;                ///< The address it currently leases; empty when none.
  std::string reported_serial;   ///< What the phone said about itself ($SN, User-Agent).
  std::string reported_model;    ///< $PN / PSN / User-Agent model.
  std::string reported_version;  ///< Latest $SWVER seen.
  std::string target_version;    ///< The batch's firmware for this model; empty = none.

  time_ms created_at = 0;
  time_ms updated_at = 0;
  time_ms scanned_at = 0;
  time_ms leased_at = 0;
  time_ms seeded_at = 0;
  time_ms profiled_at = 0;
  time_ms profile_on_target_at = 0;  ///< Per-device profile fetched while on the target version.
  time_ms firmware_started_at = 0;
  time_ms firmware_completed_at = 0;
  time_ms staged_at = 0;
  time_ms verified_at = 0;
  time_ms handoff_at = 0;
  time_ms ready_at = 0;
  time_ms shipped_at = 0;

  std::string failure_reason;  ///< Non-empty while the unit is FAILED.
  std::string
      failure_kind;  ///< Which kind of evidence clears it ("upgrade", "resync", "box", ...).
  stage failure_stage = stage::scanned;  ///< The stage it failed in.
  time_ms failed_at = 0;
};

/// @brief True when `reported` names the same model as `scanned` (case-insensitive; "SPA525G2"
/// also matches a PSN-only "525G2").
bool same_model(std::string_view scanned, std::string_view reported);

/// @brief Derives the stage from the evidence (DESIGN.md table). Pure.
stage derive_stage(const unit_record& u);

}  // namespace provstation
