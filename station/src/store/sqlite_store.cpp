// SPDX-License-Identifier: Apache-2.0
#include <provstation/store.hpp>

#include "store/sqlite.hpp"

#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <string_view>

namespace provstation {

namespace {

// Numbered migrations: migration N brings the schema from version N-1 to N. Never edit one that
// has shipped; add the next.
constexpr std::array<std::string_view, 3> migrations = {
    R"sql(
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  default_model TEXT NOT NULL DEFAULT '',
  provider_profile_rule TEXT NOT NULL DEFAULT '',
  provider_syslog TEXT NOT NULL DEFAULT '',
  stage_timeout_s INTEGER NOT NULL DEFAULT 600,
  mac_format TEXT NOT NULL DEFAULT 'upper',
  active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE firmware (
  id INTEGER PRIMARY KEY,
  model TEXT NOT NULL,
  version TEXT NOT NULL,
  path TEXT NOT NULL,
  file_name TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  UNIQUE (model, version)
);
CREATE TABLE batch_targets (
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  model TEXT NOT NULL,
  firmware_id INTEGER NOT NULL REFERENCES firmware(id),
  PRIMARY KEY (batch_id, model)
);
CREATE TABLE units (
  id INTEGER PRIMARY KEY,
  mac TEXT NOT NULL UNIQUE,
  serial TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  unscanned INTEGER NOT NULL DEFAULT 0,
  batch_id INTEGER NOT NULL DEFAULT 0,
  account TEXT NOT NULL DEFAULT '',
  stage TEXT NOT NULL,
  stage_at INTEGER NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  reported_serial TEXT NOT NULL DEFAULT '',
  reported_model TEXT NOT NULL DEFAULT '',
  reported_version TEXT NOT NULL DEFAULT '',
  target_version TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  scanned_at INTEGER NOT NULL DEFAULT 0,
  leased_at INTEGER NOT NULL DEFAULT 0,
  seeded_at INTEGER NOT NULL DEFAULT 0,
  profiled_at INTEGER NOT NULL DEFAULT 0,
  profile_on_target_at INTEGER NOT NULL DEFAULT 0,
  firmware_started_at INTEGER NOT NULL DEFAULT 0,
  firmware_completed_at INTEGER NOT NULL DEFAULT 0,
  staged_at INTEGER NOT NULL DEFAULT 0,
  verified_at INTEGER NOT NULL DEFAULT 0,
  handoff_at INTEGER NOT NULL DEFAULT 0,
  ready_at INTEGER NOT NULL DEFAULT 0,
  shipped_at INTEGER NOT NULL DEFAULT 0,
  failure_reason TEXT NOT NULL DEFAULT '',
  failure_kind TEXT NOT NULL DEFAULT '',
  failure_stage TEXT NOT NULL DEFAULT '',
  failed_at INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX units_serial ON units(serial) WHERE serial != '';
CREATE TABLE facts (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL DEFAULT 0,
  mac TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}',
  at INTEGER NOT NULL
);
CREATE INDEX facts_unit ON facts(unit_id, id);
CREATE TABLE leases (
  id INTEGER PRIMARY KEY,
  ip TEXT NOT NULL,
  mac TEXT NOT NULL,
  from_at INTEGER NOT NULL,
  to_at INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX leases_ip ON leases(ip, from_at);
CREATE INDEX leases_from ON leases(from_at);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Facts are append-only: the database refuses to change or delete one.
CREATE TRIGGER facts_no_update BEFORE UPDATE ON facts
  BEGIN SELECT RAISE(ABORT, 'facts are append-only'); END;
CREATE TRIGGER facts_no_delete BEFORE DELETE ON facts
  BEGIN SELECT RAISE(ABORT, 'facts are append-only'); END;
)sql",
    // 2: the provider's expected boxes per batch (manifest mode).
    R"sql(
CREATE TABLE manifest (
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  mac TEXT NOT NULL,
  serial TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (batch_id, mac),
  UNIQUE (batch_id, serial)
);
)sql",
    // 3: open leases by MAC and by address, so recording a lease does not scan the history.
    R"sql(
CREATE INDEX leases_open_mac ON leases(mac) WHERE to_at = 0;
CREATE INDEX leases_open_ip ON leases(ip) WHERE to_at = 0;
)sql",
};

constexpr std::string_view unit_columns =
    "id, mac, serial, model, unscanned, batch_id, account, stage, stage_at, ip, reported_serial, "
    "reported_model, reported_version, target_version, created_at, updated_at, scanned_at, "
    "leased_at, seeded_at, profiled_at, profile_on_target_at, firmware_started_at, "
    "firmware_completed_at, staged_at, verified_at, handoff_at, ready_at, shipped_at, "
    "failure_reason, failure_kind, failure_stage, failed_at";

unit_record read_unit(const detail::statement& s) {
  unit_record u;
  int c = 0;
  u.id = s.int64(c++);
  u.mac = mac_address::parse(s.text(c++)).value_or(mac_address{});
  u.serial = s.text(c++);
  u.model = s.text(c++);
  u.unscanned = s.int64(c++) != 0;
  u.batch_id = s.int64(c++);
  u.account = s.text(c++);
  u.current = parse_stage(s.text(c++)).value_or(stage::scanned);
  u.stage_at = s.int64(c++);
  u.ip = s.text(c++);
  u.reported_serial = s.text(c++);
  u.reported_model = s.text(c++);
  u.reported_version = s.text(c++);
  u.target_version = s.text(c++);
  u.created_at = s.int64(c++);
  u.updated_at = s.int64(c++);
  u.scanned_at = s.int64(c++);
  u.leased_at = s.int64(c++);
  u.seeded_at = s.int64(c++);
  u.profiled_at = s.int64(c++);
  u.profile_on_target_at = s.int64(c++);
  u.firmware_started_at = s.int64(c++);
  u.firmware_completed_at = s.int64(c++);
  u.staged_at = s.int64(c++);
  u.verified_at = s.int64(c++);
  u.handoff_at = s.int64(c++);
  u.ready_at = s.int64(c++);
  u.shipped_at = s.int64(c++);
  u.failure_reason = s.text(c++);
  u.failure_kind = s.text(c++);
  u.failure_stage = parse_stage(s.text(c++)).value_or(stage::scanned);
  u.failed_at = s.int64(c++);
  return u;
}

// Binds every column but id, starting at parameter 1, in unit_columns order.
int bind_unit(detail::statement& s, const unit_record& u) {
  int p = 1;
  s.bind(p++, u.mac.str());
  s.bind(p++, u.serial);
  s.bind(p++, u.model);
  s.bind(p++, std::int64_t{u.unscanned ? 1 : 0});
  s.bind(p++, u.batch_id);
  s.bind(p++, u.account);
  s.bind(p++, to_string(u.current));
  s.bind(p++, u.stage_at);
  s.bind(p++, u.ip);
  s.bind(p++, u.reported_serial);
  s.bind(p++, u.reported_model);
  s.bind(p++, u.reported_version);
  s.bind(p++, u.target_version);
  s.bind(p++, u.created_at);
  s.bind(p++, u.updated_at);
  s.bind(p++, u.scanned_at);
  s.bind(p++, u.leased_at);
  s.bind(p++, u.seeded_at);
  s.bind(p++, u.profiled_at);
  s.bind(p++, u.profile_on_target_at);
  s.bind(p++, u.firmware_started_at);
  s.bind(p++, u.firmware_completed_at);
  s.bind(p++, u.staged_at);
  s.bind(p++, u.verified_at);
  s.bind(p++, u.handoff_at);
  s.bind(p++, u.ready_at);
  s.bind(p++, u.shipped_at);
  s.bind(p++, u.failure_reason);
  s.bind(p++, u.failure_kind);
  s.bind(p++, u.failure_reason.empty() ? std::string_view{} : to_string(u.failure_stage));
  s.bind(p++, u.failed_at);
  return p;
}

fact_row read_fact(const detail::statement& s) {
  return fact_row{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.int64(6)};
}

class sqlite_store final : public store {
 public:
  void open(const std::string& path, create_mode mode) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (mode == create_mode::if_missing) flags |= SQLITE_OPEN_CREATE;
    db_.open(path, flags);
    // Another process (the CLI next to the daemon) may hold the write lock for a moment.
    sqlite3_busy_timeout(db_.handle(), 5000);
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=FULL");
    db_.exec("PRAGMA foreign_keys=ON");
    migrate();
  }

  void begin() override { db_.exec("BEGIN IMMEDIATE"); }
  void commit() override { db_.exec("COMMIT"); }
  void rollback() override { db_.exec("ROLLBACK"); }
  // Every tracker operation opens and releases a savepoint: prepared once, not parsed each time.
  void savepoint(std::string_view name) override {
    db_.prepare(fmt::format("SAVEPOINT {}", name)).run();
  }
  void release(std::string_view name) override {
    db_.prepare(fmt::format("RELEASE {}", name)).run();
  }
  void rollback_to(std::string_view name) override {
    db_.prepare(fmt::format("ROLLBACK TO {}", name)).run();
    db_.prepare(fmt::format("RELEASE {}", name)).run();
  }

  std::int64_t data_version() override {
    auto& s = db_.prepare("PRAGMA data_version");
    std::int64_t v = s.step() ? s.int64(0) : 0;
    s.reset();
    return v;
  }

  std::optional<unit_record> unit_by_mac(const mac_address& mac) override {
    auto& s = db_.prepare(fmt::format("SELECT {} FROM units WHERE mac = ?1", unit_columns));
    s.bind(1, mac.str());
    return one_unit(s);
  }

  std::optional<unit_record> unit_by_serial(std::string_view serial) override {
    auto& s = db_.prepare(fmt::format("SELECT {} FROM units WHERE serial = ?1", unit_columns));
    s.bind(1, serial);
    return one_unit(s);
  }

  std::optional<unit_record> unit_by_id(std::int64_t id) override {
    auto& s = db_.prepare(fmt::format("SELECT {} FROM units WHERE id = ?1", unit_columns));
    s.bind(1, id);
    return one_unit(s);
  }

  void insert_unit(unit_record& u) override {
    auto& s = db_.prepare(fmt::format(
        "INSERT INTO units ({}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
        "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, "
        "?30, ?31)",
        unit_columns));
    bind_unit(s, u);
    s.run();
    u.id = db_.last_insert_id();
  }

  void update_unit(const unit_record& u) override {
    auto& s = db_.prepare(
        "UPDATE units SET mac=?1, serial=?2, model=?3, unscanned=?4, batch_id=?5, account=?6, "
        "stage=?7, stage_at=?8, ip=?9, reported_serial=?10, reported_model=?11, "
        "reported_version=?12, target_version=?13, created_at=?14, updated_at=?15, "
        "scanned_at=?16, leased_at=?17, seeded_at=?18, profiled_at=?19, "
        "profile_on_target_at=?20, firmware_started_at=?21, firmware_completed_at=?22, "
        "staged_at=?23, verified_at=?24, handoff_at=?25, ready_at=?26, shipped_at=?27, "
        "failure_reason=?28, failure_kind=?29, failure_stage=?30, failed_at=?31 WHERE id=?32");
    const int p = bind_unit(s, u);
    s.bind(p, u.id);
    s.run();
  }

  void delete_unit(std::int64_t id) override {
    db_.prepare("DELETE FROM units WHERE id = ?1").bind(1, id).run();
  }

  std::vector<unit_record> units() override {
    auto& s = db_.prepare(fmt::format("SELECT {} FROM units ORDER BY id", unit_columns));
    std::vector<unit_record> out;
    while (s.step()) out.push_back(read_unit(s));
    s.reset();
    return out;
  }

  std::int64_t append_fact(std::int64_t unit_id, std::string_view mac, std::string_view ip,
                           std::string_view kind, std::string_view detail_json,
                           time_ms at) override {
    auto& s = db_.prepare(
        "INSERT INTO facts (unit_id, mac, ip, kind, detail, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind(1, unit_id).bind(2, mac).bind(3, ip).bind(4, kind).bind(5, detail_json).bind(6, at);
    s.run();
    return db_.last_insert_id();
  }

  std::vector<fact_row> facts_for_unit(std::int64_t unit_id, std::size_t limit) override {
    auto& s = db_.prepare(
        "SELECT id, unit_id, mac, ip, kind, detail, at FROM facts WHERE unit_id = ?1 "
        "ORDER BY id DESC LIMIT ?2");
    s.bind(1, unit_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<fact_row> out;
    while (s.step()) out.push_back(read_fact(s));
    s.reset();
    return {out.rbegin(), out.rend()};
  }

  std::vector<fact_row> facts_after(std::int64_t after_id, std::size_t limit) override {
    auto& s = db_.prepare(
        "SELECT id, unit_id, mac, ip, kind, detail, at FROM facts WHERE id > ?1 "
        "ORDER BY id LIMIT ?2");
    s.bind(1, after_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<fact_row> out;
    while (s.step()) out.push_back(read_fact(s));
    s.reset();
    return out;
  }

  void open_lease(const std::string& ip, const mac_address& mac, time_ms from,
                  time_ms expires) override {
    // A renewal of the same binding extends the open row; anything else closes it first.
    auto& q = db_.prepare("SELECT id, mac FROM leases WHERE ip = ?1 AND to_at = 0");
    q.bind(1, ip);
    std::int64_t open_id = 0;
    std::string open_mac;
    if (q.step()) {
      open_id = q.int64(0);
      open_mac = q.text(1);
    }
    q.reset();
    if (open_id != 0 && open_mac == mac.str()) {
      db_.prepare("UPDATE leases SET expires_at = ?1 WHERE id = ?2")
          .bind(1, expires)
          .bind(2, open_id)
          .run();
      return;
    }
    if (open_id != 0) {
      db_.prepare("UPDATE leases SET to_at = ?1 WHERE id = ?2")
          .bind(1, from)
          .bind(2, open_id)
          .run();
    }
    // The same MAC cannot hold two addresses on one bench: close its other open rows.
    db_.prepare("UPDATE leases SET to_at = ?1 WHERE mac = ?2 AND to_at = 0 AND ip != ?3")
        .bind(1, from)
        .bind(2, mac.str())
        .bind(3, ip)
        .run();
    db_.prepare("INSERT INTO leases (ip, mac, from_at, expires_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, ip)
        .bind(2, mac.str())
        .bind(3, from)
        .bind(4, expires)
        .run();
  }

  void close_lease(const std::string& ip, time_ms to) override {
    db_.prepare("UPDATE leases SET to_at = ?1 WHERE ip = ?2 AND to_at = 0")
        .bind(1, to)
        .bind(2, ip)
        .run();
  }

  std::vector<lease_row> leases_since(time_ms since) override {
    auto& s = db_.prepare(
        "SELECT id, ip, mac, from_at, to_at, expires_at FROM leases "
        "WHERE to_at = 0 OR to_at >= ?1 ORDER BY from_at, id");
    s.bind(1, since);
    std::vector<lease_row> out;
    while (s.step()) {
      lease_row r;
      r.id = s.int64(0);
      r.ip = s.text(1);
      r.mac = mac_address::parse(s.text(2)).value_or(mac_address{});
      r.from = s.int64(3);
      r.to = s.int64(4);
      r.expires = s.int64(5);
      out.push_back(std::move(r));
    }
    s.reset();
    return out;
  }

  std::optional<mac_address> mac_at(const std::string& ip, time_ms at) override {
    auto& s = db_.prepare(
        "SELECT mac FROM leases WHERE ip = ?1 AND from_at <= ?2 AND (to_at = 0 OR to_at > ?2) "
        "ORDER BY from_at DESC, id DESC LIMIT 1");
    s.bind(1, ip).bind(2, at);
    std::optional<mac_address> out;
    if (s.step()) {
      auto mac = mac_address::parse(s.text(0));
      if (mac.ok()) out = *mac;
    }
    s.reset();
    return out;
  }

  std::int64_t insert_firmware(const firmware_row& f) override {
    db_.prepare(
           "INSERT INTO firmware (model, version, path, file_name, size, sha256, added_at) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, f.model)
        .bind(2, f.version)
        .bind(3, f.path)
        .bind(4, f.file_name)
        .bind(5, static_cast<std::int64_t>(f.size))
        .bind(6, f.sha256)
        .bind(7, f.added_at)
        .run();
    return db_.last_insert_id();
  }

  std::vector<firmware_row> firmware() override {
    auto& s = db_.prepare(
        "SELECT id, model, version, path, file_name, size, sha256, added_at FROM firmware "
        "ORDER BY id");
    std::vector<firmware_row> out;
    while (s.step()) {
      out.push_back(firmware_row{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4),
                                 static_cast<std::uint64_t>(s.int64(5)), s.text(6), s.int64(7)});
    }
    s.reset();
    return out;
  }

  std::int64_t insert_batch(const batch_row& b) override {
    db_.prepare(
           "INSERT INTO batches (name, created_at, default_model, provider_profile_rule, "
           "provider_syslog, stage_timeout_s, mac_format, active) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        .bind(1, b.name)
        .bind(2, b.created_at)
        .bind(3, b.default_model)
        .bind(4, b.provider_profile_rule)
        .bind(5, b.provider_syslog)
        .bind(6, b.stage_timeout_s)
        .bind(7, b.mac_format)
        .bind(8, std::int64_t{b.active ? 1 : 0})
        .run();
    const std::int64_t id = db_.last_insert_id();
    for (const auto& [model, firmware_id] : b.targets) {
      db_.prepare("INSERT INTO batch_targets (batch_id, model, firmware_id) VALUES (?1, ?2, ?3)")
          .bind(1, id)
          .bind(2, model)
          .bind(3, firmware_id)
          .run();
    }
    return id;
  }

  std::vector<batch_row> batches() override {
    auto& s = db_.prepare(
        "SELECT id, name, created_at, default_model, provider_profile_rule, provider_syslog, "
        "stage_timeout_s, mac_format, active FROM batches ORDER BY id");
    std::vector<batch_row> out;
    while (s.step()) {
      batch_row b;
      b.id = s.int64(0);
      b.name = s.text(1);
      b.created_at = s.int64(2);
      b.default_model = s.text(3);
      b.provider_profile_rule = s.text(4);
      b.provider_syslog = s.text(5);
      b.stage_timeout_s = s.int64(6);
      b.mac_format = s.text(7);
      b.active = s.int64(8) != 0;
      out.push_back(std::move(b));
    }
    s.reset();
    auto& t = db_.prepare("SELECT batch_id, model, firmware_id FROM batch_targets");
    while (t.step()) {
      const std::int64_t id = t.int64(0);
      for (auto& b : out) {
        if (b.id == id) b.targets.emplace_back(t.text(1), t.int64(2));
      }
    }
    t.reset();
    return out;
  }

  void replace_manifest(std::int64_t batch_id, const std::vector<manifest_entry>& rows) override {
    db_.prepare("DELETE FROM manifest WHERE batch_id = ?1").bind(1, batch_id).run();
    for (const auto& r : rows) {
      db_.prepare("INSERT INTO manifest (batch_id, mac, serial, model) VALUES (?1, ?2, ?3, ?4)")
          .bind(1, batch_id)
          .bind(2, r.mac.str())
          .bind(3, r.serial)
          .bind(4, r.model)
          .run();
    }
  }

  std::vector<manifest_entry> manifest(std::int64_t batch_id) override {
    auto& s =
        db_.prepare("SELECT mac, serial, model FROM manifest WHERE batch_id = ?1 ORDER BY rowid");
    s.bind(1, batch_id);
    std::vector<manifest_entry> out;
    while (s.step()) {
      out.push_back({mac_address::parse(s.text(0)).value_or(mac_address{}), s.text(1), s.text(2)});
    }
    s.reset();
    return out;
  }

  std::optional<manifest_entry> manifest_entry_for(std::int64_t batch_id,
                                                   const mac_address& mac) override {
    auto& s = db_.prepare("SELECT serial, model FROM manifest WHERE batch_id = ?1 AND mac = ?2");
    s.bind(1, batch_id).bind(2, mac.str());
    std::optional<manifest_entry> out;
    if (s.step()) out = manifest_entry{mac, s.text(0), s.text(1)};
    s.reset();
    return out;
  }

  std::size_t manifest_size(std::int64_t batch_id) override {
    auto& s = db_.prepare("SELECT COUNT(*) FROM manifest WHERE batch_id = ?1");
    s.bind(1, batch_id);
    const std::size_t n = s.step() ? static_cast<std::size_t>(s.int64(0)) : 0;
    s.reset();
    return n;
  }

  std::optional<std::string> meta(std::string_view key) override {
    auto& s = db_.prepare("SELECT value FROM meta WHERE key = ?1");
    s.bind(1, key);
    std::optional<std::string> out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
  }

  void set_meta(std::string_view key, std::string_view value) override {
    db_.prepare(
           "INSERT INTO meta (key, value) VALUES (?1, ?2) "
           "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value)
        .run();
  }

 private:
  std::optional<unit_record> one_unit(detail::statement& s) {
    std::optional<unit_record> out;
    if (s.step()) out = read_unit(s);
    s.reset();
    return out;
  }

  void migrate() {
    auto& s = db_.prepare("PRAGMA user_version");
    const int current = s.step() ? static_cast<int>(s.int64(0)) : 0;
    s.reset();
    if (current > static_cast<int>(migrations.size())) {
      throw store_error(fmt::format(
          "the store has schema version {}, newer than this program's {}: upgrade provstation",
          current, migrations.size()));
    }
    for (int v = current; v < static_cast<int>(migrations.size()); ++v) {
      db_.exec("BEGIN IMMEDIATE");
      try {
        db_.exec(migrations[static_cast<std::size_t>(v)]);
        db_.exec(fmt::format("PRAGMA user_version = {}", v + 1));
        db_.exec("COMMIT");
      } catch (const store_error&) {
        db_.exec("ROLLBACK");
        throw;
      }
    }
  }

  detail::connection db_;
};

}  // namespace

int store_schema_version() {
  return static_cast<int>(migrations.size());
}

result<std::unique_ptr<store>> open_sqlite_store(const std::string& path, create_mode mode) {
  try {
    if (mode == create_mode::must_exist && !std::filesystem::exists(path)) {
      return make_error(fmt::format("store {} does not exist", path));
    }
    auto s = std::make_unique<sqlite_store>();
    s->open(path, mode);
    return std::unique_ptr<store>(std::move(s));
  } catch (const store_error& e) {
    return make_error(e.what());
  }
}

}  // namespace provstation
