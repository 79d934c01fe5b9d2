// SPDX-License-Identifier: Apache-2.0
#include <provstation/operations.hpp>

#include <provstation/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace provstation {

namespace {

nlohmann::json iso_or_null(time_ms t) {
  if (t == 0) return nullptr;
  return t;
}

// Sets the unit's target firmware from its batch once its model is known.
void fill_target(tracker_txn& txn, unit_record& u) {
  if (!u.target_version.empty()) return;
  const std::string& model = u.model.empty() ? u.reported_model : u.model;
  if (model.empty()) return;
  if (auto fw = txn.read_model().target_firmware(u.batch_id, model)) {
    u.target_version = fw->version;
  }
}

}  // namespace

nlohmann::json unit_json(const unit_record& u) {
  nlohmann::json j{
      {"mac", u.mac.str()},
      {"serial", u.serial},
      {"model", u.model},
      {"stage", to_string(u.current)},
      {"stage_at", u.stage_at},
      {"unscanned", u.unscanned},
      {"batch_id", u.batch_id},
      {"ip", u.ip},
      {"account", u.account},
      {"reported",
       {{"serial", u.reported_serial},
        {"model", u.reported_model},
        {"version", u.reported_version}}},
      {"target_version", u.target_version},
      {"times",
       {{"created", iso_or_null(u.created_at)},
        {"scanned", iso_or_null(u.scanned_at)},
        {"leased", iso_or_null(u.leased_at)},
        {"seeded", iso_or_null(u.seeded_at)},
        {"profiled", iso_or_null(u.profiled_at)},
        {"firmware_started", iso_or_null(u.firmware_started_at)},
        {"firmware_completed", iso_or_null(u.firmware_completed_at)},
        {"staged", iso_or_null(u.staged_at)},
        {"verified", iso_or_null(u.verified_at)},
        {"ready", iso_or_null(u.ready_at)},
        {"shipped", iso_or_null(u.shipped_at)},
        {"updated", iso_or_null(u.updated_at)}}},
  };
  if (!u.failure_reason.empty()) {
    j["failure"] = {{"reason", u.failure_reason},
                    {"kind", u.failure_kind},
                    {"stage", to_string(u.failure_stage)},
                    {"at", u.failed_at}};
  } else {
    j["failure"] = nullptr;
  }
  return j;
}

tracker::operation op_scan(scan_request req) {
  return [req = std::move(req)](tracker_txn& txn) -> nlohmann::json {
    const time_ms at = txn.now();
    const std::int64_t batch_id =
        req.batch_id != 0 ? req.batch_id : txn.read_model().current_batch_id();
    std::string model = to_upper(req.model);
    if (model.empty() && batch_id != 0) {
      if (auto b = txn.read_model().batch(batch_id)) model = to_upper(b->default_model);
    }
    nlohmann::json raw{{"raw", req.raw},       {"session", req.session}, {"mac", req.mac.str()},
                       {"serial", req.serial}, {"model", model},         {"batch_id", batch_id}};
    auto refuse = [&](const std::string& message, const unit_record* existing) {
      nlohmann::json detail = raw;
      detail["error"] = message;
      txn.fact(existing, "scan_refused", detail, at);
      nlohmann::json out{{"ok", false}, {"error", message}};
      if (existing != nullptr) out["existing"] = unit_json(*existing);
      return out;
    };
    if (req.serial.empty()) return refuse("the scan has no serial number", nullptr);

    auto existing = txn.db().unit_by_mac(req.mac);
    if (auto by_serial = txn.db().unit_by_serial(req.serial);
        by_serial && (!existing || by_serial->id != existing->id)) {
      return refuse(fmt::format("serial {} is already scanned for MAC {} ({})", req.serial,
                                by_serial->mac.upper(), to_string(by_serial->current)),
                    &*by_serial);
    }
    if (existing && existing->shipped_at != 0) {
      return refuse(fmt::format("MAC {} was already shipped", req.mac.upper()), &*existing);
    }
    if (existing && !existing->unscanned) {
      return refuse(fmt::format("MAC {} is already scanned (serial {}, {})", req.mac.upper(),
                                existing->serial, to_string(existing->current)),
                    &*existing);
    }
    // Manifest mode: the provider said which boxes to expect; anything else is a hard stop.
    if (batch_id != 0 && txn.db().manifest_size(batch_id) > 0) {
      auto expected = txn.db().manifest_entry_for(batch_id, req.mac);
      if (!expected) {
        return refuse(fmt::format("MAC {} is not in this batch's manifest", req.mac.upper()),
                      existing ? &*existing : nullptr);
      }
      if (expected->serial != req.serial) {
        return refuse(
            fmt::format("serial {} does not match the manifest, which lists {} for MAC {}",
                        req.serial, expected->serial, req.mac.upper()),
            existing ? &*existing : nullptr);
      }
      if (!expected->model.empty() && !model.empty() && !same_model(expected->model, model)) {
        return refuse(fmt::format("model {} does not match the manifest, which lists {} for MAC {}",
                                  model, expected->model, req.mac.upper()),
                      existing ? &*existing : nullptr);
      }
      if (model.empty()) model = expected->model;
    }
    bool merged = false;
    unit_record u;
    if (existing) {
      // The phone was on the bench before its box was scanned: merge into that unit.
      u = *existing;
      u.unscanned = false;
      merged = true;
    } else {
      u.mac = req.mac;
    }
    u.serial = req.serial;
    u.model = model;
    u.batch_id = batch_id;
    u.scanned_at = at;
    u.target_version.clear();
    fill_target(txn, u);
    check_box(u, at);
    if (u.id == 0) {
      // Insert first so the scan fact carries the unit id.
      txn.save(u, at);
      txn.fact(&u, "scan", raw, at);
    } else {
      txn.fact(&u, merged ? "scan_merged" : "scan", raw, at);
      txn.save(u, at);
    }
    return {{"ok", true}, {"merged", merged}, {"unit", unit_json(u)}};
  };
}

tracker::operation op_observe(evidence e) {
  return [e = std::move(e)](tracker_txn& txn) -> nlohmann::json {
    std::optional<mac_address> mac = e.mac;
    if (!mac && !e.ip.empty()) mac = txn.db().mac_at(e.ip, e.at);
    nlohmann::json detail{{"path", e.path}};
    if (!e.serial.empty()) detail["serial"] = e.serial;
    if (!e.model.empty()) detail["model"] = e.model;
    if (!e.version.empty()) detail["version"] = e.version;
    if (!e.detail.empty()) detail["detail"] = e.detail;
    if (e.bytes != 0) detail["bytes"] = e.bytes;
    if (!e.confirmed) detail["confirmed"] = false;
    if (!mac) {
      // Nobody leases this address: an alert, not a unit.
      detail["kind"] = to_string(e.kind);
      txn.fact(nullptr, "unattributed", detail, e.at, e.ip);
      return {{"unattributed", true}};
    }
    auto found = txn.db().unit_by_mac(*mac);
    unit_record u;
    if (found) {
      u = *found;
    } else {
      u.mac = *mac;
      u.unscanned = true;
      u.batch_id = txn.read_model().current_batch_id();
    }
    const std::string note = apply_evidence(u, e);
    fill_target(txn, u);
    // Re-apply so that a target learned just now counts for this same observation.
    if (e.kind == evidence_kind::profile_delivered && u.profile_on_target_at == 0 &&
        !u.target_version.empty() && u.reported_version == u.target_version) {
      u.profile_on_target_at = e.at;
    }
    if (u.id == 0) txn.save(u, e.at);
    if (!note.empty()) detail["note"] = note;
    txn.fact(&u, to_string(e.kind), detail, e.at, e.ip);
    txn.save(u, e.at);
    return {{"mac", u.mac.str()}, {"stage", to_string(u.current)}};
  };
}

bool is_phone_vendor_class(std::string_view vc) {
  for (std::string_view prefix : {"cisco spa", "linksys spa", "cisco ata"}) {
    if (istarts_with(vc, prefix)) return true;
  }
  return false;
}

tracker::operation op_lease(lease_change c) {
  return [c = std::move(c)](tracker_txn& txn) -> nlohmann::json {
    if (c.active) {
      txn.db().open_lease(c.ip, c.mac, c.at, c.expires);
      txn.lease_changed(c.ip, c.mac);
    } else {
      // Only end the binding if this MAC still holds the address.
      if (auto holder = txn.db().mac_at(c.ip, c.at); holder && *holder == c.mac) {
        txn.db().close_lease(c.ip, c.at);
        txn.lease_changed(c.ip, std::nullopt);
      }
    }
    evidence e;
    e.kind = c.active ? evidence_kind::lease : evidence_kind::lease_end;
    e.mac = c.mac;
    e.ip = c.ip;
    e.at = c.at;
    e.detail = c.type;
    auto found = txn.db().unit_by_mac(c.mac);
    // A laptop on the bench LAN is in the lease history (identity) but is not a unit.
    if (!found && (!c.active || !c.phone)) return {{"mac", c.mac.str()}, {"stage", nullptr}};
    unit_record u;
    if (found) {
      u = *found;
    } else {
      u.mac = c.mac;
      u.unscanned = true;
      u.batch_id = txn.read_model().current_batch_id();
    }
    apply_evidence(u, e);
    if (u.id == 0) txn.save(u, c.at);
    txn.fact(&u, c.active ? "lease" : "lease_end",
             {{"type", c.type},
              {"hostname", c.hostname},
              {"vendor_class", c.vendor_class},
              {"expires", c.expires}},
             c.at, c.ip);
    txn.save(u, c.at);
    return {{"mac", u.mac.str()}, {"stage", to_string(u.current)}};
  };
}

tracker::operation op_retry(mac_address mac) {
  return [mac](tracker_txn& txn) -> nlohmann::json {
    auto u = txn.db().unit_by_mac(mac);
    if (!u) throw refusal(fmt::format("no unit with MAC {}", mac.upper()));
    const std::string was = u->failure_reason;
    u->failure_reason.clear();
    u->failure_kind.clear();
    u->failed_at = 0;
    check_box(*u, txn.now());
    txn.fact(&*u, "retry", {{"cleared", was}}, txn.now());
    txn.save(*u, txn.now());
    return unit_json(*u);
  };
}

tracker::operation op_bind_account(mac_address mac, std::string account) {
  return [mac, account = std::move(account)](tracker_txn& txn) -> nlohmann::json {
    if (account.empty() || account.size() > 128) throw refusal("an account is 1 to 128 characters");
    auto u = txn.db().unit_by_mac(mac);
    if (!u) throw refusal(fmt::format("no unit with MAC {}", mac.upper()));
    if (u->current != stage::verified && u->current != stage::ready) {
      throw refusal(fmt::format("MAC {} is {}: only a VERIFIED unit gets an account", mac.upper(),
                                to_string(u->current)));
    }
    for (const auto& other : txn.db().units()) {
      if (other.account == account && other.id != u->id) {
        throw refusal(
            fmt::format("account {} is already bound to MAC {}", account, other.mac.upper()));
      }
    }
    const std::string was = u->account;
    u->account = account;
    u->handoff_at = 0;
    txn.fact(&*u, "account_bound", {{"account", account}, {"was", was}}, txn.now());
    txn.save(*u, txn.now());
    return unit_json(*u);
  };
}

tracker::operation op_undo_scan(mac_address mac) {
  return [mac](tracker_txn& txn) -> nlohmann::json {
    auto u = txn.db().unit_by_mac(mac);
    if (!u || u->unscanned) throw refusal(fmt::format("no scanned unit with MAC {}", mac.upper()));
    if (u->leased_at != 0) {
      // The phone is already on the bench: keep the unit, drop only what the scan said.
      txn.fact(&*u, "scan_undone", {{"serial", u->serial}, {"model", u->model}}, txn.now());
      u->serial.clear();
      u->model.clear();
      u->unscanned = true;
      u->scanned_at = 0;
      u->failure_reason.clear();
      u->failure_kind.clear();
      txn.save(*u, txn.now());
      return unit_json(*u);
    }
    txn.fact(&*u, "scan_undone", {{"serial", u->serial}, {"model", u->model}}, txn.now());
    txn.db().delete_unit(u->id);
    return {{"mac", mac.str()}, {"deleted", true}};
  };
}

tracker::operation op_add_firmware(firmware_row f) {
  return [f = std::move(f)](tracker_txn& txn) -> nlohmann::json {
    for (const auto& existing : txn.db().firmware()) {
      if (same_model(existing.model, f.model) && existing.version == f.version) {
        throw refusal(
            fmt::format("firmware {} {} is already in the catalogue", f.model, f.version));
      }
    }
    firmware_row row = f;
    row.model = to_upper(row.model);
    row.added_at = txn.now();
    row.id = txn.db().insert_firmware(row);
    txn.fact(nullptr, "firmware_added",
             {{"model", row.model},
              {"version", row.version},
              {"sha256", row.sha256},
              {"size", row.size},
              {"file", row.file_name}},
             txn.now());
    txn.catalogue_changed();
    return {{"id", row.id},           {"model", row.model},
            {"version", row.version}, {"file_name", row.file_name},
            {"size", row.size},       {"sha256", row.sha256}};
  };
}

tracker::operation op_create_batch(batch_request req) {
  return [req = std::move(req)](tracker_txn& txn) -> nlohmann::json {
    if (req.batch.name.empty()) throw refusal("a batch needs a name");
    for (const auto& b : txn.db().batches()) {
      if (b.name == req.batch.name) throw refusal(fmt::format("batch {} exists", b.name));
    }
    batch_row b = req.batch;
    b.created_at = txn.now();
    b.default_model = to_upper(b.default_model);
    const auto catalogue = txn.db().firmware();
    for (const auto& [model, version] : req.targets) {
      const firmware_row* fw = nullptr;
      for (const auto& f : catalogue) {
        if (same_model(f.model, model) && f.version == version) fw = &f;
      }
      if (fw == nullptr) {
        throw refusal(fmt::format(
            "no firmware {} for model {} in the catalogue (add it with `provstation firmware add`)",
            version, to_upper(model)));
      }
      b.targets.emplace_back(to_upper(model), fw->id);
    }
    b.id = txn.db().insert_batch(b);
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& [model, version] : req.targets) {
      targets.push_back({{"model", to_upper(model)}, {"version", version}});
    }
    txn.fact(nullptr, "batch_created", {{"name", b.name}, {"id", b.id}, {"targets", targets}},
             txn.now());
    txn.catalogue_changed();
    return {{"id", b.id}, {"name", b.name}, {"targets", targets}};
  };
}

tracker::operation op_import_manifest(std::int64_t batch_id, std::vector<manifest_entry> rows) {
  return [batch_id, rows = std::move(rows)](tracker_txn& txn) -> nlohmann::json {
    bool found = false;
    std::string name;
    for (const auto& b : txn.db().batches()) {
      if (b.id == batch_id) {
        found = true;
        name = b.name;
      }
    }
    if (!found) throw refusal(fmt::format("no batch {}", batch_id));
    std::vector<manifest_entry> normalized = rows;
    for (auto& r : normalized) r.model = to_upper(r.model);
    txn.db().replace_manifest(batch_id, normalized);
    txn.fact(nullptr, "manifest_imported",
             {{"batch", name}, {"batch_id", batch_id}, {"boxes", rows.size()}}, txn.now());
    return {{"batch_id", batch_id}, {"batch", name}, {"boxes", rows.size()}};
  };
}

nlohmann::json manifest_status(store& db, const batch_row& batch) {
  const auto expected = db.manifest(batch.id);
  std::vector<std::string> missing;
  std::size_t scanned = 0;
  for (const auto& e : expected) {
    auto u = db.unit_by_mac(e.mac);
    if (u && !u->unscanned && u->batch_id == batch.id) {
      ++scanned;
    } else {
      missing.push_back(e.mac.str());
    }
  }
  return {{"batch_id", batch.id}, {"batch", batch.name},       {"expected", expected.size()},
          {"scanned", scanned},   {"missing", missing.size()}, {"missing_macs", missing}};
}

tracker::operation op_mark_shipped(std::vector<mac_address> macs, std::string export_name) {
  return [macs = std::move(macs),
          export_name = std::move(export_name)](tracker_txn& txn) -> nlohmann::json {
    std::size_t shipped = 0;
    for (const auto& mac : macs) {
      auto u = txn.db().unit_by_mac(mac);
      if (!u || u->shipped_at != 0) continue;
      if (u->current != stage::verified && u->current != stage::ready) continue;
      u->shipped_at = txn.now();
      txn.fact(&*u, "shipped", {{"export", export_name}}, txn.now());
      txn.save(*u, txn.now());
      ++shipped;
    }
    return {{"shipped", shipped}};
  };
}

}  // namespace provstation
