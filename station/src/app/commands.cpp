// SPDX-License-Identifier: Apache-2.0
#include "app/commands.hpp"

#include "app/app.hpp"

#include <provstation/config.hpp>
#include <provstation/csv.hpp>
#include <provstation/log.hpp>
#include <provstation/operations.hpp>
#include <provstation/tracker.hpp>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace provstation::app {

namespace {

result<std::string> store_path(const store_location& where) {
  if (!where.store_path.empty()) return where.store_path;
  auto c = load_config(where.config_path);
  if (!c) return c.err();
  return c->store.path;
}

// The CLI runs operations through the same tracker code as the daemon; SQLite's locking
// serializes it with a running daemon, which notices the change and reloads.
result<std::unique_ptr<tracker>> open_tracker(const store_location& where, create_mode mode) {
  auto path = store_path(where);
  if (!path) return path.err();
  if (mode == create_mode::if_missing) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(*path).parent_path(), ec);
  }
  auto db = open_sqlite_store(*path, mode);
  if (!db) return db.err();
  tracker::options opts;
  opts.check_timeouts = false;
  auto t = std::make_unique<tracker>(std::move(*db), system_now, opts);
  t->start();
  return t;
}

int fail(const std::string& message) {
  std::cerr << "provstation: " << message << "\n";
  return 1;
}

result<std::string> sha256_file(const std::string& path, std::uint64_t& size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(fmt::format("cannot read {}", path));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  size = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    EVP_DigestUpdate(ctx, buf.data(), n);
    size += n;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

}  // namespace

int cmd_units_list(const store_location& where, const std::string& stage_name, bool as_json) {
  auto t = open_tracker(where, create_mode::must_exist);
  if (!t) return fail(t.message());
  std::optional<stage> want;
  if (!stage_name.empty()) {
    want = parse_stage(stage_name);
    if (!want) return fail(fmt::format("unknown stage \"{}\"", stage_name));
  }
  auto units = (*t)->read_model().units();
  std::sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  nlohmann::json out = nlohmann::json::array();
  if (!as_json) {
    fmt::print("{:<14} {:<14} {:<10} {:<17} {:<16} {:<9} {}\n", "MAC", "SERIAL", "MODEL", "STAGE",
               "IP", "FIRMWARE", "NOTE");
  }
  for (const auto& u : units) {
    if (want && u.current != *want) continue;
    if (as_json) {
      out.push_back(unit_json(u));
      continue;
    }
    std::string note = u.unscanned ? "unscanned" : "";
    if (!u.failure_reason.empty()) note = u.failure_reason;
    fmt::print("{:<14} {:<14} {:<10} {:<17} {:<16} {:<9} {}\n", u.mac.upper(), u.serial, u.model,
               to_string(u.current), u.ip, u.reported_version, note);
  }
  if (as_json) std::cout << out.dump(2) << "\n";
  (*t)->stop();
  return 0;
}

int cmd_units_show(const store_location& where, const std::string& mac_text) {
  auto mac = mac_address::parse(mac_text);
  if (!mac) return fail(mac.message());
  auto path = store_path(where);
  if (!path) return fail(path.message());
  auto db = open_sqlite_store(*path, create_mode::must_exist);
  if (!db) return fail(db.message());
  auto u = (*db)->unit_by_mac(*mac);
  if (!u) return fail(fmt::format("no unit with MAC {}", mac->upper()));
  nlohmann::json j = unit_json(*u);
  nlohmann::json facts = nlohmann::json::array();
  for (const auto& f : (*db)->facts_for_unit(u->id, 1000)) {
    auto detail = nlohmann::json::parse(f.detail, nullptr, false);
    facts.push_back({{"at", iso_time(f.at)},
                     {"kind", f.kind},
                     {"ip", f.ip},
                     {"detail", detail.is_discarded() ? nlohmann::json(f.detail) : detail}});
  }
  j["facts"] = facts;
  std::cout << j.dump(2) << "\n";
  return 0;
}

int cmd_units_bind(const store_location& where, const std::string& mac_text,
                   const std::string& account) {
  auto mac = mac_address::parse(mac_text);
  if (!mac) return fail(mac.message());
  auto t = open_tracker(where, create_mode::must_exist);
  if (!t) return fail(t.message());
  auto r = (*t)->run(op_bind_account(*mac, account));
  (*t)->stop();
  if (!r) return fail(r.message());
  std::cout << r->dump(2) << "\n";
  return 0;
}

int cmd_batch_create(const store_location& where, const std::string& name,
                     const std::vector<std::string>& targets, const std::string& default_model,
                     const std::string& provider_rule, const std::string& provider_syslog,
                     std::int64_t timeout_s) {
  batch_request br;
  br.batch.name = name;
  br.batch.default_model = default_model;
  br.batch.provider_profile_rule = provider_rule;
  br.batch.provider_syslog = provider_syslog;
  br.batch.stage_timeout_s = timeout_s;
  for (const auto& t : targets) {
    const auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == t.size()) {
      return fail(fmt::format("--target: expected MODEL=VERSION, got \"{}\"", t));
    }
    br.targets.emplace_back(t.substr(0, eq), t.substr(eq + 1));
  }
  auto t = open_tracker(where, create_mode::if_missing);
  if (!t) return fail(t.message());
  auto r = (*t)->run(op_create_batch(br));
  (*t)->stop();
  if (!r) return fail(r.message());
  std::cout << r->dump(2) << "\n";
  return 0;
}

int cmd_batch_list(const store_location& where) {
  auto t = open_tracker(where, create_mode::must_exist);
  if (!t) return fail(t.message());
  for (const auto& b : (*t)->read_model().batches()) {
    std::string targets;
    for (const auto& [model, fw] : b.targets) {
      if (auto f = (*t)->read_model().firmware_by_id(fw))
        targets += fmt::format(" {}={}", model, f->version);
    }
    fmt::print("{:>4} {:<24} {}{}\n", b.id, b.name, b.active ? "active" : "closed", targets);
  }
  (*t)->stop();
  return 0;
}

namespace {

std::optional<batch_row> find_batch(tracker& t, const std::string& name_or_id) {
  for (const auto& b : t.read_model().batches()) {
    if (b.name == name_or_id || std::to_string(b.id) == name_or_id) return b;
  }
  return std::nullopt;
}

}  // namespace

int cmd_batch_manifest(const store_location& where, const std::string& batch,
                       const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(fmt::format("cannot read {}", file));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto rows = parse_manifest(text);
  if (!rows) return fail(fmt::format("{}: {}", file, rows.message()));
  auto t = open_tracker(where, create_mode::must_exist);
  if (!t) return fail(t.message());
  auto b = find_batch(**t, batch);
  if (!b) return fail(fmt::format("no batch \"{}\"", batch));
  auto r = (*t)->run(op_import_manifest(b->id, std::move(*rows)));
  (*t)->stop();
  if (!r) return fail(r.message());
  std::cout << r->dump(2) << "\n";
  return 0;
}

int cmd_batch_status(const store_location& where, const std::string& batch) {
  auto path = store_path(where);
  if (!path) return fail(path.message());
  auto db = open_sqlite_store(*path, create_mode::must_exist);
  if (!db) return fail(db.message());
  for (const auto& b : (*db)->batches()) {
    if (b.name == batch || std::to_string(b.id) == batch) {
      std::cout << manifest_status(**db, b).dump(2) << "\n";
      return 0;
    }
  }
  return fail(fmt::format("no batch \"{}\"", batch));
}

int cmd_firmware_add(const store_location& where, const std::string& file, const std::string& model,
                     const std::string& version, bool copy) {
  std::error_code ec;
  const auto abs = std::filesystem::absolute(file, ec);
  if (ec || !std::filesystem::is_regular_file(abs))
    return fail(fmt::format("{} is not a file", file));
  std::string stored = abs.string();
  if (copy) {
    std::string dir = "/var/lib/provstation/firmware";
    if (where.store_path.empty()) {
      if (auto c = load_config(where.config_path)) dir = c->firmware.dir;
    } else {
      dir = (std::filesystem::path(where.store_path).parent_path() / "firmware").string();
    }
    std::filesystem::create_directories(dir, ec);
    const auto target = std::filesystem::path(dir) / abs.filename();
    if (target != abs) {
      std::filesystem::copy_file(abs, target, std::filesystem::copy_options::overwrite_existing,
                                 ec);
      if (ec)
        return fail(fmt::format("cannot copy {} to {}: {}", file, target.string(), ec.message()));
    }
    stored = target.string();
  }
  firmware_row f;
  f.model = model;
  f.version = version;
  f.path = stored;
  f.file_name = abs.filename().string();
  auto digest = sha256_file(stored, f.size);
  if (!digest) return fail(digest.message());
  f.sha256 = *digest;
  auto t = open_tracker(where, create_mode::if_missing);
  if (!t) return fail(t.message());
  auto r = (*t)->run(op_add_firmware(f));
  (*t)->stop();
  if (!r) return fail(r.message());
  std::cout << r->dump(2) << "\n";
  return 0;
}

int cmd_firmware_list(const store_location& where) {
  auto t = open_tracker(where, create_mode::must_exist);
  if (!t) return fail(t.message());
  for (const auto& f : (*t)->read_model().firmware()) {
    fmt::print("{:>4} {:<10} {:<10} {:>10} {} {}\n", f.id, f.model, f.version, f.size, f.sha256,
               f.path);
  }
  (*t)->stop();
  return 0;
}

int cmd_export(const store_location& where, const std::string& batch, const std::string& out,
               bool ship, bool all) {
  auto t = open_tracker(where, create_mode::must_exist);
  if (!t) return fail(t.message());
  export_options opts;
  opts.include_unverified = all;
  if (!batch.empty()) {
    for (const auto& b : (*t)->read_model().batches()) {
      if (b.name == batch || std::to_string(b.id) == batch) opts.batch_id = b.id;
    }
    if (opts.batch_id == 0) return fail(fmt::format("no batch \"{}\"", batch));
  }
  auto units = (*t)->read_model().units();
  std::sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  const std::string csv = export_csv(units, (*t)->read_model().batches(), opts);
  if (ship) {
    std::vector<mac_address> macs;
    for (const auto& u : units) {
      if ((opts.batch_id == 0 || u.batch_id == opts.batch_id) &&
          (u.current == stage::verified || u.current == stage::ready)) {
        macs.push_back(u.mac);
      }
    }
    auto r = (*t)->run(op_mark_shipped(macs, out.empty() ? "stdout" : out));
    if (!r) return fail(r.message());
  }
  (*t)->stop();
  if (out.empty() || out == "-") {
    std::cout << csv;
  } else {
    std::ofstream f(out, std::ios::binary);
    f << csv;
    if (!f) return fail(fmt::format("cannot write {}", out));
  }
  return 0;
}

int cmd_serve(const std::string& config_path, const std::string& ready_file) {
  auto c = load_config(config_path);
  if (!c) return fail(fmt::format("config: {}", c.message()));
  init_logging(c->log.level);
  serve_options o;
  o.ready_file = ready_file;
  return serve(*c, o);
}

}  // namespace provstation::app
