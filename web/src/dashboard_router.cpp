// SPDX-License-Identifier: Apache-2.0
#include <provstation/web/dashboard_router.hpp>

#include <provstation/csv.hpp>
#include <provstation/operations.hpp>
#include <provstation/scanner/scan_session.hpp>
#include <provstation/text.hpp>
#include <provstation/version.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace provstation::web {

namespace assets {
struct embedded_file {
  const char* name;
  const unsigned char* data;
  std::size_t size;
};
const embedded_file* embedded_files();
}  // namespace assets

namespace {

using json = nlohmann::json;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

response json_response(int status, const json& j) {
  return response::json(status, dump(j));
}

response error_response(int status, std::string message) {
  return json_response(status, {{"error", std::move(message)}});
}

std::string content_type_for(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

struct dashboard_router::impl : std::enable_shared_from_this<dashboard_router::impl> {
  impl(boost::asio::any_io_executor e, tracker& tr, std::unique_ptr<store> r,
       std::function<void(std::string&)> m, image_reader i)
      : ex(std::move(e)),
        t(tr),
        reads(std::move(r)),
        metrics(std::move(m)),
        images(std::move(i)),
        progress_timer(ex) {}

  boost::asio::any_io_executor ex;
  tracker& t;
  std::mutex reads_mu;
  std::unique_ptr<store> reads;
  std::function<void(std::string&)> metrics;
  image_reader images;
  std::atomic<int> decoding{0};
  std::mutex scan_mu;
  scanner::scan_sessions sessions;
  std::map<std::string, mac_address, std::less<>> last_scanned;
  std::mutex channels_mu;
  std::vector<std::weak_ptr<event_channel>> channels;
  boost::asio::steady_timer progress_timer;
  std::map<mac_address, std::uint64_t> progress_sent;
  bool stopped = false;

  json unit_with_progress(const unit_record& u) const {
    json j = unit_json(u);
    if (auto p = t.read_model().progress(u.mac)) {
      j["progress"] = {{"bytes", p->bytes}, {"total", p->total}};
    } else {
      j["progress"] = nullptr;
    }
    return j;
  }

  void broadcast(const std::string& text) {
    std::lock_guard lock(channels_mu);
    channels.erase(std::remove_if(channels.begin(), channels.end(),
                                  [&](const std::weak_ptr<event_channel>& w) {
                                    auto c = w.lock();
                                    if (!c || c->closed()) return true;
                                    c->push(text);
                                    return false;
                                  }),
                   channels.end());
  }

  void on_units_changed(const std::vector<unit_record>& units) {
    for (const auto& u : units) {
      broadcast(dump({{"type", "unit"}, {"unit", unit_with_progress(u)}}));
    }
  }

  void schedule_progress() {
    progress_timer.expires_after(std::chrono::milliseconds(500));
    progress_timer.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
      auto self = w.lock();
      if (ec || !self || self->stopped) return;
      self->push_progress();
      self->schedule_progress();
    });
  }

  void push_progress() {
    // Collected first: progress() takes the board's lock, which for_each_unit holds.
    std::vector<mac_address> staging;
    t.read_model().for_each_unit([&](const unit_record& u) {
      if (u.current == stage::firmware_staging) staging.push_back(u.mac);
    });
    for (const auto& mac : staging) {
      auto p = t.read_model().progress(mac);
      if (!p) continue;
      auto& sent = progress_sent[mac];
      if (sent == p->bytes) continue;
      sent = p->bytes;
      broadcast(dump(
          {{"type", "progress"}, {"mac", mac.str()}, {"bytes", p->bytes}, {"total", p->total}}));
    }
  }

  void handle(request req, responder respond);
  void list_units(const request& req, responder& respond);
  void get_unit(std::string_view mac_text, responder& respond);
  void post_scan(request req, responder respond);
  void continue_scan(std::string text, std::string session, responder respond);
  void undo_scan(request req, responder respond);
  void retry(std::string_view mac_text, responder respond);
  void bind_account(std::string_view mac_text, const request& req, responder respond);
  void events(responder& respond);
  void batches(responder& respond);
  void post_batch(const request& req, responder respond);
  void export_csv(const request& req, responder respond);
  void post_manifest(const batch_row& b, const request& req, responder respond);
  void batch_status(const batch_row& b, responder& respond);
  void metrics_text(responder& respond);
  void static_file(std::string_view name, responder& respond);
};

dashboard_router::dashboard_router(boost::asio::any_io_executor ex, tracker& t,
                                   std::unique_ptr<store> reads,
                                   std::function<void(std::string&)> metrics, image_reader images)
    : impl_(std::make_shared<impl>(std::move(ex), t, std::move(reads), std::move(metrics),
                                   std::move(images))) {
  std::weak_ptr<impl> w = impl_;
  t.subscribe([w](const std::vector<unit_record>& units) {
    if (auto self = w.lock()) self->on_units_changed(units);
  });
  impl_->schedule_progress();
}

dashboard_router::~dashboard_router() {
  stop();
}

void dashboard_router::stop() {
  impl_->stopped = true;
  impl_->progress_timer.cancel();
  std::lock_guard lock(impl_->channels_mu);
  for (auto& w : impl_->channels) {
    if (auto c = w.lock()) c->close();
  }
  impl_->channels.clear();
}

void dashboard_router::handle(request req, responder respond) {
  impl_->handle(std::move(req), std::move(respond));
}

void dashboard_router::impl::handle(request req, responder respond) {
  const std::string& p = req.path;
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  if (get && (p == "/" || p == "/index.html")) return static_file("index.html", respond);
  if (get && (p == "/app.js" || p == "/style.css")) return static_file(p.substr(1), respond);
  if (get && p == "/api/units") return list_units(req, respond);
  if (get && p.starts_with("/api/units/")) return get_unit(std::string_view(p).substr(11), respond);
  if (post && p.starts_with("/api/units/") && p.ends_with("/retry")) {
    return retry(std::string_view(p).substr(11, p.size() - 11 - 6), std::move(respond));
  }
  if (post && p.starts_with("/api/units/") && p.ends_with("/account")) {
    return bind_account(std::string_view(p).substr(11, p.size() - 11 - 8), req, std::move(respond));
  }
  if (post && p == "/api/scans") return post_scan(std::move(req), std::move(respond));
  if (post && p == "/api/scans/undo") return undo_scan(std::move(req), std::move(respond));
  if (get && p == "/api/events") return events(respond);
  if (get && p == "/api/batches") return batches(respond);
  if (post && p == "/api/batches") return post_batch(req, std::move(respond));
  if (p.starts_with("/api/batches/")) {
    std::string_view rest = std::string_view(p).substr(13);
    const bool manifest = rest.ends_with("/manifest");
    if (manifest) rest.remove_suffix(9);
    std::optional<batch_row> b;
    for (const auto& x : t.read_model().batches()) {
      if (x.name == rest || std::to_string(x.id) == rest) b = x;
    }
    if (!b) return respond(error_response(404, fmt::format("no batch \"{}\"", rest)));
    if (post && manifest) return post_manifest(*b, req, std::move(respond));
    if (get && !manifest) return batch_status(*b, respond);
  }
  if (get && p == "/api/export.csv") return export_csv(req, std::move(respond));
  if (get && p == "/metrics") return metrics_text(respond);
  if (get && p == "/api/version") {
    return respond(json_response(200, {{"version", std::string(version())}}));
  }
  respond(error_response(404, "no such route"));
}

void dashboard_router::impl::static_file(std::string_view name, responder& respond) {
  for (const auto* f = assets::embedded_files(); f->name != nullptr; ++f) {
    if (name == f->name) {
      response r;
      r.content_type = content_type_for(name);
      r.view = std::as_bytes(std::span(f->data, f->size));
      r.headers.emplace_back("Cache-Control", "no-cache");
      return respond(std::move(r));
    }
  }
  respond(error_response(404, "no such file"));
}

void dashboard_router::impl::list_units(const request& req, responder& respond) {
  std::optional<stage> want_stage;
  if (auto it = req.query.find("stage"); it != req.query.end() && !it->second.empty()) {
    want_stage = parse_stage(it->second);
    if (!want_stage)
      return respond(error_response(400, fmt::format("unknown stage \"{}\"", it->second)));
  }
  std::string q;
  if (auto it = req.query.find("q"); it != req.query.end()) q = it->second;
  std::int64_t batch = 0;
  std::size_t limit = 1000;
  std::int64_t after = 0;
  try {
    if (auto it = req.query.find("batch"); it != req.query.end() && !it->second.empty())
      batch = std::stoll(it->second);
    if (auto it = req.query.find("limit"); it != req.query.end() && !it->second.empty())
      limit = std::min<std::size_t>(std::stoul(it->second), 10000);
    if (auto it = req.query.find("after"); it != req.query.end() && !it->second.empty())
      after = std::stoll(it->second);
  } catch (const std::exception&) {
    return respond(error_response(400, "batch, limit and after must be numbers"));
  }
  auto units = t.read_model().units();
  std::sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  json out = json::array();
  json counts = json::object();
  for (stage s : all_stages) counts[std::string(to_string(s))] = 0;
  std::size_t total = 0;
  std::size_t unscanned = 0;
  for (const auto& u : units) {
    if (batch != 0 && u.batch_id != batch) continue;
    counts[std::string(to_string(u.current))] =
        counts[std::string(to_string(u.current))].get<int>() + 1;
    if (u.unscanned) ++unscanned;
    if (want_stage && u.current != *want_stage) continue;
    if (!q.empty() && !icontains(u.mac.str(), q) && !icontains(u.mac.colon(), q) &&
        !icontains(u.serial, q) && !icontains(u.model, q) && !icontains(u.ip, q)) {
      continue;
    }
    ++total;
    if (u.id <= after || out.size() >= limit) continue;
    json j = unit_with_progress(u);
    j["id"] = u.id;
    out.push_back(std::move(j));
  }
  respond(json_response(200, {{"units", out},
                              {"total", total},
                              {"counts", counts},
                              {"unscanned", unscanned},
                              {"version", t.read_model().version()}}));
}

void dashboard_router::impl::get_unit(std::string_view mac_text, responder& respond) {
  auto mac = mac_address::parse(mac_text);
  if (!mac) return respond(error_response(400, mac.message()));
  auto u = t.read_model().unit(*mac);
  if (!u) return respond(error_response(404, fmt::format("no unit with MAC {}", mac->upper())));
  json j = unit_with_progress(*u);
  json facts = json::array();
  {
    std::lock_guard lock(reads_mu);
    try {
      for (const auto& f : reads->facts_for_unit(u->id, 500)) {
        json detail = json::parse(f.detail, nullptr, false);
        facts.push_back({{"id", f.id},
                         {"kind", f.kind},
                         {"at", f.at},
                         {"ip", f.ip},
                         {"detail", detail.is_discarded() ? json(f.detail) : detail}});
      }
    } catch (const std::exception& e) {
      return respond(error_response(500, e.what()));
    }
  }
  j["facts"] = std::move(facts);
  respond(json_response(200, j));
}

void dashboard_router::impl::post_scan(request req, responder respond) {
  std::string text = req.body;
  std::string session = req.peer_ip;
  if (auto it = req.query.find("session"); it != req.query.end() && !it->second.empty())
    session = it->second;
  if (req.content_type.starts_with("application/json")) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("text") ||
        !body["text"].is_string()) {
      return respond(error_response(400, "expected {\"text\": \"…\", \"session\": \"…\"}"));
    }
    text = body["text"].get<std::string>();
    if (body.contains("session") && body["session"].is_string())
      session = body["session"].get<std::string>();
  }
  if (req.content_type.starts_with("image/") ||
      req.content_type.starts_with("application/octet-stream")) {
    // A label photo: decoded in an isolated worker, off the I/O threads, two at a time at most.
    if (!images) return respond(error_response(415, "image scans are not enabled"));
    if (decoding.fetch_add(1) >= 2) {
      --decoding;
      return respond(error_response(503, "busy decoding other images; try again"));
    }
    std::thread([self = shared_from_this(), body = std::move(req.body), session,
                 respond]() mutable {
      auto values = self->images(body);
      --self->decoding;
      if (!values) {
        return respond(json_response(
            422, {{"status", "rejected"}, {"error", values.message()}, {"session", session}}));
      }
      if (values->empty()) {
        return respond(json_response(422, {{"status", "rejected"},
                                           {"error", "no barcode found in the image"},
                                           {"session", session}}));
      }
      std::string joined;
      for (const auto& v : *values) joined += v + "\n";
      self->continue_scan(std::move(joined), std::move(session), std::move(respond));
    }).detach();
    return;
  }
  continue_scan(std::move(text), std::move(session), std::move(respond));
}

void dashboard_router::impl::continue_scan(std::string text, std::string session,
                                           responder respond) {
  if (text.size() > scanner::max_scan_text_bytes)
    return respond(error_response(413, "scan text too long"));
  scanner::label_context ctx;
  const std::int64_t batch_id = t.read_model().current_batch_id();
  if (auto b = t.read_model().batch(batch_id); b && !b->default_model.empty())
    ctx.model = b->default_model;

  scanner::scan_update update;
  std::optional<scanner::scan_fields> complete;
  {
    std::lock_guard lock(scan_mu);
    update = sessions.feed(session, text, std::chrono::steady_clock::now(), ctx);
    if (update.status == scanner::scan_status::complete) complete = update.fields;
  }
  auto fields_json = [](const scanner::scan_fields& f) {
    json values = json::array();
    for (const auto& v : f.values) values.push_back(v.text);
    return json{{"mac", f.mac ? json(f.mac->str()) : json(nullptr)},
                {"serial", f.serial ? json(*f.serial) : json(nullptr)},
                {"model", f.model ? json(*f.model) : json(nullptr)},
                {"values", values},
                {"warnings", f.warnings}};
  };
  if (!complete) {
    int status = 202;
    if (update.status == scanner::scan_status::rejected ||
        update.status == scanner::scan_status::conflict)
      status = 422;
    if (update.status == scanner::scan_status::repeated) status = 200;
    json out{{"status", std::string(scanner::to_string(update.status))},
             {"fields", fields_json(update.fields)},
             {"pending", update.pending},
             {"session", session}};
    if (!update.error.empty()) out["error"] = update.error;
    // Every raw scan is kept in the event log, accepted or not.
    t.submit(
        [text, session, s = std::string(scanner::to_string(update.status)),
         e = update.error](tracker_txn& txn) -> nlohmann::json {
          txn.fact(nullptr, "scan_line",
                   {{"raw", text}, {"session", session}, {"status", s}, {"error", e}}, txn.now());
          return nullptr;
        },
        nullptr);
    return respond(json_response(status, out));
  }
  scan_request sr;
  sr.mac = *complete->mac;
  sr.serial = *complete->serial;
  sr.model = complete->model.value_or("");
  sr.batch_id = batch_id;
  for (const auto& v : complete->values) sr.raw += (sr.raw.empty() ? "" : "\n") + v.text;
  sr.session = session;
  json fields = fields_json(*complete);
  auto self = shared_from_this();
  const bool queued =
      t.submit(op_scan(sr), [self, respond, fields, session, mac = sr.mac](result<json> r) {
        if (!r) return respond(error_response(503, r.message()));
        json out = *r;
        out["fields"] = fields;
        out["session"] = session;
        if ((*r)["ok"].get<bool>()) {
          out["status"] = "complete";
          {
            std::lock_guard lock(self->scan_mu);
            self->last_scanned[session] = mac;
          }
          return respond(json_response(201, out));
        }
        out["status"] = "refused";
        respond(json_response(409, out));
      });
  if (!queued) respond(error_response(503, "the station is busy; scan again"));
}

void dashboard_router::impl::undo_scan(request req, responder respond) {
  std::string session = req.peer_ip;
  if (auto it = req.query.find("session"); it != req.query.end() && !it->second.empty())
    session = it->second;
  std::optional<mac_address> mac;
  {
    std::lock_guard lock(scan_mu);
    // A box still being scanned loses its last line; otherwise the last completed box goes.
    auto update = sessions.undo(session, std::chrono::steady_clock::now());
    if (update.status != scanner::scan_status::rejected) {
      return respond(json_response(200, {{"status", "line_undone"}, {"session", session}}));
    }
    if (auto it = last_scanned.find(session); it != last_scanned.end()) {
      mac = it->second;
      last_scanned.erase(it);
    }
  }
  if (!mac) return respond(error_response(404, "nothing to undo in this session"));
  t.submit(op_undo_scan(*mac), [respond](result<json> r) {
    if (!r) return respond(error_response(409, r.message()));
    respond(json_response(200, {{"status", "scan_undone"}, {"unit", *r}}));
  });
}

void dashboard_router::impl::retry(std::string_view mac_text, responder respond) {
  auto mac = mac_address::parse(mac_text);
  if (!mac) return respond(error_response(400, mac.message()));
  t.submit(op_retry(*mac), [respond](result<json> r) {
    if (!r) return respond(error_response(404, r.message()));
    respond(json_response(200, *r));
  });
}

void dashboard_router::impl::bind_account(std::string_view mac_text, const request& req,
                                          responder respond) {
  auto mac = mac_address::parse(mac_text);
  if (!mac) return respond(error_response(400, mac.message()));
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("account") ||
      !body["account"].is_string()) {
    return respond(error_response(400, "expected {\"account\": \"…\"}"));
  }
  t.submit(op_bind_account(*mac, body["account"].get<std::string>()), [respond](result<json> r) {
    if (!r) return respond(error_response(409, r.message()));
    respond(json_response(200, *r));
  });
}

void dashboard_router::impl::events(responder& respond) {
  auto channel = std::make_shared<event_channel>();
  channel->push(dump({{"type", "hello"}, {"version", t.read_model().version()}}));
  {
    std::lock_guard lock(channels_mu);
    channels.push_back(channel);
  }
  response r;
  r.stream = channel;
  respond(std::move(r));
}

void dashboard_router::impl::batches(responder& respond) {
  json out = json::array();
  const auto fws = t.read_model().firmware();
  for (const auto& b : t.read_model().batches()) {
    json targets = json::array();
    for (const auto& [model, fw_id] : b.targets) {
      for (const auto& f : fws) {
        if (f.id == fw_id)
          targets.push_back({{"model", model}, {"version", f.version}, {"file", f.file_name}});
      }
    }
    out.push_back({{"id", b.id},
                   {"name", b.name},
                   {"default_model", b.default_model},
                   {"stage_timeout_s", b.stage_timeout_s},
                   {"active", b.active},
                   {"targets", targets}});
  }
  json firmware = json::array();
  for (const auto& f : fws) {
    firmware.push_back({{"id", f.id},
                        {"model", f.model},
                        {"version", f.version},
                        {"file", f.file_name},
                        {"size", f.size},
                        {"sha256", f.sha256}});
  }
  respond(json_response(
      200,
      {{"batches", out}, {"firmware", firmware}, {"current", t.read_model().current_batch_id()}}));
}

void dashboard_router::impl::post_batch(const request& req, responder respond) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("name") ||
      !body["name"].is_string()) {
    return respond(error_response(400, "expected a JSON object with a \"name\""));
  }
  batch_request br;
  try {
    br.batch.name = body["name"].get<std::string>();
    br.batch.default_model = body.value("default_model", "");
    br.batch.provider_profile_rule = body.value("provider_profile_rule", "");
    br.batch.provider_syslog = body.value("provider_syslog", "");
    br.batch.stage_timeout_s = body.value("stage_timeout_s", 600);
    br.batch.mac_format = body.value("mac_format", "upper");
    if (body.contains("targets")) {
      for (const auto& tgt : body["targets"]) {
        br.targets.emplace_back(tgt.at("model").get<std::string>(),
                                tgt.at("version").get<std::string>());
      }
    }
  } catch (const std::exception&) {
    return respond(
        error_response(400, "bad batch fields (targets: [{\"model\":…,\"version\":…}])"));
  }
  t.submit(op_create_batch(br), [respond](result<json> r) {
    if (!r) return respond(error_response(409, r.message()));
    respond(json_response(201, *r));
  });
}

void dashboard_router::impl::post_manifest(const batch_row& b, const request& req,
                                           responder respond) {
  auto rows = parse_manifest(req.body);
  if (!rows) return respond(error_response(422, rows.message()));
  t.submit(op_import_manifest(b.id, std::move(*rows)), [respond](result<json> r) {
    if (!r) return respond(error_response(409, r.message()));
    respond(json_response(201, *r));
  });
}

void dashboard_router::impl::batch_status(const batch_row& b, responder& respond) {
  std::lock_guard lock(reads_mu);
  try {
    respond(json_response(200, manifest_status(*reads, b)));
  } catch (const std::exception& e) {
    respond(error_response(500, e.what()));
  }
}

void dashboard_router::impl::export_csv(const request& req, responder respond) {
  export_options opts;
  if (auto it = req.query.find("batch"); it != req.query.end() && !it->second.empty()) {
    for (const auto& b : t.read_model().batches()) {
      if (b.name == it->second || std::to_string(b.id) == it->second) opts.batch_id = b.id;
    }
    if (opts.batch_id == 0)
      return respond(error_response(404, fmt::format("no batch \"{}\"", it->second)));
  }
  auto units = t.read_model().units();
  std::sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::string csv = provstation::export_csv(units, t.read_model().batches(), opts);
  response r;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"provstation-export.csv\"");
  r.body = std::move(csv);
  const bool ship = req.query.contains("ship") && req.query.at("ship") == "1";
  if (!ship) return respond(std::move(r));
  std::vector<mac_address> macs;
  for (const auto& u : units) {
    if ((opts.batch_id == 0 || u.batch_id == opts.batch_id) &&
        (u.current == stage::verified || u.current == stage::ready)) {
      macs.push_back(u.mac);
    }
  }
  // The shipment is recorded before the file is handed out.
  t.submit(op_mark_shipped(std::move(macs), "api"),
           [respond, r = std::move(r)](result<json> res) mutable {
             if (!res) return respond(error_response(503, res.message()));
             respond(std::move(r));
           });
}

void dashboard_router::impl::metrics_text(responder& respond) {
  std::string out;
  std::map<std::string, int> counts;
  for (stage s : all_stages) counts[std::string(to_string(s))] = 0;
  for (const auto& u : t.read_model().units()) ++counts[std::string(to_string(u.current))];
  out += "# HELP provstation_units Units by stage.\n# TYPE provstation_units gauge\n";
  for (const auto& [s, n] : counts)
    out += fmt::format("provstation_units{{stage=\"{}\"}} {}\n", s, n);
  out += fmt::format(
      "# TYPE provstation_tracker_operations_total counter\nprovstation_tracker_operations_total "
      "{}\n",
      t.committed());
  out += fmt::format(
      "# TYPE provstation_tracker_commits_total counter\nprovstation_tracker_commits_total {}\n",
      t.transactions());
  if (metrics) metrics(out);
  response r = response::text(200, std::move(out));
  r.content_type = "text/plain; version=0.0.4";
  respond(std::move(r));
}

}  // namespace provstation::web
