// SPDX-License-Identifier: Apache-2.0
/// @file Tests of stage derivation from evidence (pure rules, no store).
#include <provstation/evidence.hpp>

#include <gtest/gtest.h>

namespace provstation {
namespace {

unit_record scanned_unit() {
  unit_record u;
  u.mac = *mac_address::parse("0023ab000001");
  u.serial = "CBT141900G7";
  u.model = "SPA525G2";
  u.scanned_at = 1;
  u.target_version = "7.5.5";
  return u;
}

evidence ev(evidence_kind k, time_ms at) {
  evidence e;
  e.kind = k;
  e.at = at;
  return e;
}

// Verify the stages of the documented flow, one piece of evidence at a time.
TEST(StageRules, FollowsTheDocumentedFlow) {
  unit_record u = scanned_unit();
  EXPECT_EQ(derive_stage(u), stage::scanned);
  auto lease = ev(evidence_kind::lease, 10);
  lease.ip = "192.0.2.100";
  apply_evidence(u, lease);
  EXPECT_EQ(derive_stage(u), stage::leased);
  EXPECT_EQ(u.ip, "192.0.2.100");
  auto seed = ev(evidence_kind::seed_delivered, 20);
  seed.model = "SPA525G2";
  apply_evidence(u, seed);
  EXPECT_EQ(derive_stage(u), stage::seeded);
  auto profile = ev(evidence_kind::profile_delivered, 30);
  profile.serial = "CBT141900G7";
  profile.version = "7.4.9c";
  apply_evidence(u, profile);
  EXPECT_EQ(derive_stage(u), stage::profiled);
  apply_evidence(u, ev(evidence_kind::firmware_started, 40));
  EXPECT_EQ(derive_stage(u), stage::firmware_staging);
  auto success = ev(evidence_kind::upgrade_succeeded, 50);
  success.version = "7.5.5";
  apply_evidence(u, success);
  EXPECT_EQ(derive_stage(u), stage::staged);
  auto resync = ev(evidence_kind::profile_delivered, 60);
  resync.serial = "CBT141900G7";
  resync.model = "SPA525G2";
  resync.version = "7.5.5";
  apply_evidence(u, resync);
  EXPECT_EQ(derive_stage(u), stage::verified);
}

// Verify that a phone already on the target goes from PROFILED straight to VERIFIED.
TEST(StageRules, AlreadyOnTargetSkipsFirmware) {
  unit_record u = scanned_unit();
  auto profile = ev(evidence_kind::profile_delivered, 30);
  profile.serial = "CBT141900G7";
  profile.model = "SPA525G2";
  profile.version = "7.5.5";
  apply_evidence(u, profile);
  EXPECT_EQ(derive_stage(u), stage::verified);
}

// Verify that an upgrade before the per-device profile still lands in the right stage.
TEST(StageRules, UpgradeBeforeProfileIsStagedThenVerified) {
  unit_record u = scanned_unit();
  apply_evidence(u, ev(evidence_kind::seed_delivered, 1));
  apply_evidence(u, ev(evidence_kind::firmware_completed, 2));
  EXPECT_EQ(derive_stage(u), stage::firmware_staging);
  auto report = ev(evidence_kind::reported, 3);
  report.version = "7.5.5";
  apply_evidence(u, report);
  EXPECT_EQ(derive_stage(u), stage::staged);
}

// Verify that a serial mismatch is FAILED "wrong box" and keeps the stage it failed in.
TEST(StageRules, WrongBoxFails) {
  unit_record u = scanned_unit();
  apply_evidence(u, ev(evidence_kind::seed_delivered, 1));
  auto profile = ev(evidence_kind::profile_delivered, 2);
  profile.serial = "CBT141900ZZ";
  profile.version = "7.4.9c";
  apply_evidence(u, profile);
  EXPECT_EQ(derive_stage(u), stage::failed);
  EXPECT_EQ(u.failure_reason,
            "wrong box: the phone reports serial CBT141900ZZ, its box says CBT141900G7");
  EXPECT_EQ(u.failure_stage, stage::profiled);
}

// Verify that a model mismatch is a wrong box too, and that the PSN form matches the model.
TEST(StageRules, ModelMismatchFailsButPsnMatches) {
  EXPECT_TRUE(same_model("SPA525G2", "525G2"));
  EXPECT_TRUE(same_model("spa504g", "SPA504G"));
  EXPECT_FALSE(same_model("SPA504G", "SPA525G2"));
  unit_record u = scanned_unit();
  auto report = ev(evidence_kind::reported, 1);
  report.model = "SPA504G";
  apply_evidence(u, report);
  EXPECT_EQ(derive_stage(u), stage::failed);
}

// Verify that the phone's own successful retry clears an upgrade failure.
TEST(StageRules, OwnRetryClearsUpgradeFailure) {
  unit_record u = scanned_unit();
  apply_evidence(u, ev(evidence_kind::firmware_started, 1));
  auto failed = ev(evidence_kind::upgrade_failed, 2);
  failed.detail = "corrupt file";
  apply_evidence(u, failed);
  EXPECT_EQ(derive_stage(u), stage::failed);
  EXPECT_EQ(u.failure_reason, "upgrade failed: corrupt file");
  auto ok = ev(evidence_kind::upgrade_succeeded, 3);
  ok.version = "7.5.5";
  apply_evidence(u, ok);
  EXPECT_EQ(derive_stage(u), stage::staged);
}

// Verify that an unscanned unit never reaches VERIFIED (no box to compare with).
TEST(StageRules, UnscannedNeverVerified) {
  unit_record u;
  u.mac = *mac_address::parse("0023ab000009");
  u.unscanned = true;
  u.target_version = "7.5.5";
  auto profile = ev(evidence_kind::profile_delivered, 2);
  profile.serial = "CBT141900G7";
  profile.model = "SPA525G2";
  profile.version = "7.5.5";
  apply_evidence(u, profile);
  EXPECT_EQ(derive_stage(u), stage::profiled);
}

}  // namespace
}  // namespace provstation
