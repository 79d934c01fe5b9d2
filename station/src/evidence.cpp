// SPDX-License-Identifier: Apache-2.0
#include <provstation/evidence.hpp>

#include <fmt/format.h>

namespace provstation {

std::string_view to_string(evidence_kind k) {
  switch (k) {
    case evidence_kind::lease:
      return "lease";
    case evidence_kind::lease_end:
      return "lease_end";
    case evidence_kind::seed_delivered:
      return "seed_delivered";
    case evidence_kind::profile_delivered:
      return "profile_delivered";
    case evidence_kind::handoff_delivered:
      return "handoff_delivered";
    case evidence_kind::firmware_started:
      return "firmware_started";
    case evidence_kind::firmware_completed:
      return "firmware_completed";
    case evidence_kind::firmware_failed:
      return "firmware_failed";
    case evidence_kind::resync_requested:
      return "resync_requested";
    case evidence_kind::resync_succeeded:
      return "resync_succeeded";
    case evidence_kind::resync_failed:
      return "resync_failed";
    case evidence_kind::upgrade_requested:
      return "upgrade_requested";
    case evidence_kind::upgrade_succeeded:
      return "upgrade_succeeded";
    case evidence_kind::upgrade_failed:
      return "upgrade_failed";
    case evidence_kind::reported:
      return "reported";
    case evidence_kind::refused:
      return "refused";
  }
  return "reported";
}

void set_failure(unit_record& u, std::string_view kind, std::string reason, time_ms at) {
  const stage before = derive_stage(u);
  u.failure_reason = std::move(reason);
  u.failure_kind = std::string(kind);
  u.failure_stage = before == stage::failed ? u.failure_stage : before;
  u.failed_at = at;
}

namespace {

void clear_failure(unit_record& u) {
  u.failure_reason.clear();
  u.failure_kind.clear();
  u.failed_at = 0;
}

// Progress of a kind clears a failure of the same kind: the phone's own retry succeeded.
bool clears(std::string_view failure_kind, evidence_kind k) {
  if (failure_kind == "timeout") {
    return k != evidence_kind::lease_end && k != evidence_kind::refused &&
           k != evidence_kind::resync_failed && k != evidence_kind::upgrade_failed &&
           k != evidence_kind::firmware_failed && k != evidence_kind::resync_requested &&
           k != evidence_kind::upgrade_requested;
  }
  if (failure_kind == "upgrade" || failure_kind == "firmware") {
    return k == evidence_kind::upgrade_succeeded || k == evidence_kind::firmware_completed;
  }
  if (failure_kind == "resync") {
    return k == evidence_kind::resync_succeeded || k == evidence_kind::profile_delivered ||
           k == evidence_kind::seed_delivered;
  }
  return false;
}

void first(time_ms& field, time_ms at) {
  if (field == 0) field = at;
}

}  // namespace

void check_box(unit_record& u, time_ms at) {
  if (u.unscanned) return;
  if (!u.serial.empty() && !u.reported_serial.empty() && u.reported_serial != u.serial) {
    set_failure(u, "box",
                fmt::format("wrong box: the phone reports serial {}, its box says {}",
                            u.reported_serial, u.serial),
                at);
    return;
  }
  if (!u.model.empty() && !u.reported_model.empty() && !same_model(u.model, u.reported_model)) {
    set_failure(u, "box",
                fmt::format("wrong box: the phone reports model {}, its box says {}",
                            u.reported_model, u.model),
                at);
    return;
  }
  if (u.failure_kind == "box") clear_failure(u);
}

std::string apply_evidence(unit_record& u, const evidence& e) {
  const std::string before = u.failure_reason;
  if (!u.failure_reason.empty() && clears(u.failure_kind, e.kind)) clear_failure(u);

  // Whatever the phone says about itself is recorded first, so the checks below see it.
  if (!e.serial.empty()) u.reported_serial = e.serial;
  if (!e.model.empty()) u.reported_model = e.model;
  if (!e.version.empty() && e.kind != evidence_kind::upgrade_failed &&
      e.kind != evidence_kind::upgrade_requested) {
    u.reported_version = e.version;
  }
  const bool on_target = !u.target_version.empty() && u.reported_version == u.target_version;

  switch (e.kind) {
    case evidence_kind::lease:
      u.ip = e.ip;
      first(u.leased_at, e.at);
      break;
    case evidence_kind::lease_end:
      if (u.ip == e.ip) u.ip.clear();
      break;
    case evidence_kind::seed_delivered:
      first(u.seeded_at, e.at);
      break;
    case evidence_kind::profile_delivered:
      first(u.profiled_at, e.at);
      if (on_target || (u.target_version.empty() && !u.reported_version.empty())) {
        u.profile_on_target_at = e.at;
      }
      break;
    case evidence_kind::handoff_delivered:
      first(u.handoff_at, e.at);
      break;
    case evidence_kind::firmware_started:
      first(u.firmware_started_at, e.at);
      break;
    case evidence_kind::firmware_completed:
      first(u.firmware_started_at, e.at);
      u.firmware_completed_at = e.at;
      break;
    case evidence_kind::firmware_failed:
      set_failure(u, "firmware", fmt::format("firmware transfer failed: {}", e.detail), e.at);
      break;
    case evidence_kind::upgrade_succeeded:
      first(u.staged_at, e.at);
      break;
    case evidence_kind::upgrade_failed:
      set_failure(u, "upgrade", fmt::format("upgrade failed: {}", e.detail), e.at);
      break;
    case evidence_kind::resync_failed:
      set_failure(u, "resync", fmt::format("resync failed: {}", e.detail), e.at);
      break;
    case evidence_kind::resync_requested:
    case evidence_kind::resync_succeeded:
    case evidence_kind::upgrade_requested:
    case evidence_kind::reported:
    case evidence_kind::refused:
      break;
  }
  // Reporting the target version after a firmware transfer is the evidence of STAGED too.
  if (on_target && u.firmware_started_at != 0) first(u.staged_at, e.at);
  check_box(u, e.at);

  if (before != u.failure_reason) {
    return u.failure_reason.empty() ? fmt::format("cleared failure \"{}\"", before)
                                    : fmt::format("failed: {}", u.failure_reason);
  }
  return {};
}

}  // namespace provstation
