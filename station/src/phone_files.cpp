// SPDX-License-Identifier: Apache-2.0
#include <provstation/phone_files.hpp>

#include <provstation/log.hpp>
#include <provstation/operations.hpp>
#include <provstation/user_agent.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace provstation {

namespace {

std::shared_ptr<const payload> text_payload(std::string text) {
  auto p = std::make_shared<payload>();
  p->text = std::move(text);
  return p;
}

phone_answer refuse(phone_answer a, phone_answer::status st, std::string reason) {
  a.st = st;
  a.reason = std::move(reason);
  a.body.reset();
  return a;
}

}  // namespace

phone_files::phone_files(tracker& t, const profile_builder& profiles, bool quarantine_unscanned)
    : tracker_(t), profiles_(profiles), quarantine_unscanned_(quarantine_unscanned) {}

phone_answer phone_files::resolve(std::string_view path, const std::string& ip,
                                  std::string_view /*user_agent*/, bool final_attempt) {
  phone_answer a;
  a.path = classify_path(path);
  a.st = phone_answer::status::ok;
  const board& b = tracker_.read_model();
  const std::optional<mac_address> holder = b.mac_at_ip(ip);
  a.mac = holder;
  // A phone is waiting for its own lease event: let the tracker commit what it holds now
  // instead of gathering more (lease events otherwise wait to share a commit).
  if (!holder) tracker_.expedite();
  switch (a.path.what) {
    case profile_path::kind::unknown:
      return refuse(a, phone_answer::status::not_found, "no such file");

    case profile_path::kind::seed: {
      if (!holder && !final_attempt)
        return refuse(a, phone_answer::status::unknown_client, "no lease yet");
      std::optional<unit_record> u;
      if (holder) u = b.unit(*holder);
      a.content_type = "text/xml";
      if (u && u->unscanned && quarantine_unscanned_) {
        a.body = text_payload(profiles_.quarantine());
        return a;
      }
      const std::int64_t batch = u ? u->batch_id : b.current_batch_id();
      auto seed = profiles_.seed(a.path.model, b.target_firmware(batch, a.path.model));
      if (!seed) return refuse(a, phone_answer::status::not_found, seed.message());
      a.body = text_payload(std::move(*seed));
      return a;
    }

    case profile_path::kind::device: {
      auto named = mac_address::parse(a.path.mac);
      if (!named) return refuse(a, phone_answer::status::not_found, "bad MAC in path");
      a.mac = *named;
      if (!holder && !final_attempt)
        return refuse(a, phone_answer::status::unknown_client, "no lease yet");
      if (!holder || *holder != *named) {
        return refuse(a, phone_answer::status::forbidden,
                      fmt::format("{} is not leased to {}", ip, named->upper()));
      }
      auto u = b.unit(*named);
      if (!u) return refuse(a, phone_answer::status::not_found, "unknown unit");
      a.content_type = "text/xml";
      if (u->unscanned && quarantine_unscanned_) {
        a.body = text_payload(profiles_.quarantine());
        return a;
      }
      // Once an account is bound to a verified unit, its next resync hands it to the provider.
      const bool handoff =
          !u->account.empty() && (u->current == stage::verified || u->current == stage::ready ||
                                  u->current == stage::shipped);
      if (handoff) {
        if (auto batch = b.batch(u->batch_id)) {
          auto text = profiles_.handoff(*u, *batch);
          if (!text) return refuse(a, phone_answer::status::not_found, text.message());
          a.body = text_payload(profiles_.encode(std::move(*text)));
          return a;
        }
      }
      const std::string& model = u->model.empty() ? u->reported_model : u->model;
      auto text = profiles_.device(
          *u, b.target_firmware(u->batch_id, model.empty() ? a.path.reported_model : model));
      if (!text) return refuse(a, phone_answer::status::not_found, text.message());
      a.body = text_payload(profiles_.encode(std::move(*text)));
      if (profiles_.settings().encrypt || profiles_.settings().gzip)
        a.content_type = "application/octet-stream";
      return a;
    }

    case profile_path::kind::firmware: {
      if (!holder && !final_attempt)
        return refuse(a, phone_answer::status::unknown_client, "no lease yet");
      if (!holder)
        return refuse(a, phone_answer::status::forbidden, fmt::format("{} has no lease", ip));
      auto fw = b.firmware_by_file(a.path.file_name);
      if (!fw) return refuse(a, phone_answer::status::not_found, "no such firmware");
      auto file = firmware_files_.get(fw->path);
      if (!file) {
        logger("profiles")->error("firmware {} {}: {}", fw->model, fw->version, file.message());
        return refuse(a, phone_answer::status::not_found, "firmware unavailable");
      }
      auto p = std::make_shared<payload>();
      p->file = *file;
      a.body = p;
      a.content_type = "application/octet-stream";
      a.path.version = fw->version;
      return a;
    }
  }
  return refuse(a, phone_answer::status::not_found, "no such file");
}

void phone_files::submit(evidence e) {
  if (!tracker_.submit(op_observe(std::move(e)), nullptr)) {
    logger("station")->warn("tracker queue full: an observation was dropped");
  }
}

void phone_files::delivered(const phone_answer& a, const std::string& ip,
                            std::string_view user_agent, bool confirmed, std::uint64_t bytes) {
  evidence e;
  e.at = system_now();
  e.ip = ip;
  e.mac = a.mac;
  e.confirmed = confirmed;
  e.bytes = bytes;
  e.path = a.path.what == profile_path::kind::firmware ? a.path.file_name : std::string{};
  if (auto ua = parse_user_agent(user_agent)) {
    e.serial = ua->serial;
    e.model = ua->model;
    e.version = ua->version;
  }
  switch (a.path.what) {
    case profile_path::kind::seed:
      e.kind = evidence_kind::seed_delivered;
      e.path = "spa" + a.path.model.substr(3) + ".cfg";
      if (e.model.empty()) e.model = a.path.model;
      break;
    case profile_path::kind::device: {
      const auto u = a.mac ? tracker_.read_model().unit(*a.mac) : std::nullopt;
      e.kind = u && !u->account.empty() &&
                       (u->current == stage::verified || u->current == stage::ready ||
                        u->current == stage::shipped)
                   ? evidence_kind::handoff_delivered
                   : evidence_kind::profile_delivered;
      e.path = "prov/" + a.path.mac + ".xml";
      if (!a.path.serial.empty()) e.serial = a.path.serial;
      if (!a.path.version.empty()) e.version = a.path.version;
      if (!a.path.reported_model.empty()) e.model = a.path.reported_model;
      break;
    }
    case profile_path::kind::firmware:
      e.kind = evidence_kind::firmware_completed;
      if (a.mac) tracker_.read_model().clear_progress(*a.mac);
      break;
    case profile_path::kind::unknown:
      return;
  }
  submit(std::move(e));
}

void phone_files::started(const phone_answer& a, const std::string& ip, std::uint64_t total) {
  if (a.path.what != profile_path::kind::firmware) return;
  if (a.mac) tracker_.read_model().set_progress(*a.mac, {0, total, system_now()});
  evidence e;
  e.kind = evidence_kind::firmware_started;
  e.at = system_now();
  e.ip = ip;
  e.mac = a.mac;
  e.path = a.path.file_name;
  e.bytes = total;
  submit(std::move(e));
}

void phone_files::progress(const phone_answer& a, std::uint64_t bytes, std::uint64_t total) {
  if (a.path.what == profile_path::kind::firmware && a.mac) {
    tracker_.read_model().set_progress(*a.mac, {bytes, total, system_now()});
  }
}

void phone_files::failed(const phone_answer& a, const std::string& ip, const std::string& reason) {
  if (a.path.what != profile_path::kind::firmware) {
    logger("station")->info("transfer of {} to {} failed: {}",
                            a.path.what == profile_path::kind::seed ? "seed" : "profile", ip,
                            reason);
    return;
  }
  if (a.mac) tracker_.read_model().clear_progress(*a.mac);
  evidence e;
  e.kind = evidence_kind::firmware_failed;
  e.at = system_now();
  e.ip = ip;
  e.mac = a.mac;
  e.path = a.path.file_name;
  e.detail = reason;
  submit(std::move(e));
}

void phone_files::refused(const phone_answer& a, const std::string& ip,
                          std::string_view requested) {
  ++refusals_;
  logger("station")->warn("refused {} to {}: {}", requested.substr(0, 200), ip, a.reason);
  if (a.st != phone_answer::status::forbidden || !a.mac) return;
  // A per-device file asked for by the wrong address is an alert on the unit it names.
  evidence e;
  e.kind = evidence_kind::refused;
  e.at = system_now();
  e.ip = ip;
  e.mac = a.mac;
  e.path = std::string(requested.substr(0, 200));
  e.detail = a.reason;
  submit(std::move(e));
}

}  // namespace provstation
