// SPDX-License-Identifier: Apache-2.0
#include <provstation/stage.hpp>
#include <provstation/text.hpp>
#include <provstation/unit.hpp>

#include <cctype>

namespace provstation {

std::optional<stage> parse_stage(std::string_view name) {
  for (stage s : all_stages) {
    if (iequals(to_string(s), name)) return s;
  }
  return std::nullopt;
}

bool same_model(std::string_view scanned, std::string_view reported) {
  if (scanned.empty() || reported.empty()) return false;
  if (iequals(scanned, reported)) return true;
  // A phone reporting only its PSN ("525G2") matches the box's "SPA525G2".
  if (scanned.size() > 3 && istarts_with(scanned, "SPA") &&
      iequals(scanned.substr(3), reported)) {
    return true;
  }
  if (reported.size() > 3 && istarts_with(reported, "SPA") &&
      iequals(reported.substr(3), scanned)) {
    return true;
  }
  return false;
}

stage derive_stage(const unit_record& u) {
  if (!u.failure_reason.empty()) return stage::failed;
  if (u.shipped_at != 0) return stage::shipped;
  if (!u.account.empty() && u.handoff_at != 0) return stage::ready;

  const bool on_target = u.target_version.empty() ? !u.reported_version.empty()
                                                  : u.reported_version == u.target_version;
  const bool box_matches =
      !u.unscanned && !u.serial.empty() && u.reported_serial == u.serial &&
      (u.model.empty() ? !u.reported_model.empty() : same_model(u.model, u.reported_model));
  if (on_target && u.profile_on_target_at != 0 && box_matches) return stage::verified;
  if (u.staged_at != 0) return stage::staged;
  if (u.firmware_started_at != 0) return stage::firmware_staging;
  if (u.profiled_at != 0) return stage::profiled;
  if (u.seeded_at != 0) return stage::seeded;
  if (u.leased_at != 0) return stage::leased;
  return stage::scanned;
}

}  // namespace provstation
