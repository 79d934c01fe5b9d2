// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/phone.hpp>

#include <provstation/phonesim/firmware_image.hpp>
#include <provstation/phonesim/firmware_version.hpp>
#include <provstation/phonesim/profile_decoder.hpp>
#include <provstation/phonesim/schedule.hpp>

#include "log.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace provstation::phonesim {

namespace {

// Later Linksys/Cisco guides count Resync_Random_Delay in units of 20 s (Sipura: seconds).
constexpr std::chrono::seconds random_delay_unit{20};
constexpr std::array<const char*, 4> profile_rule_names = {"Profile_Rule", "Profile_Rule_B",
                                                           "Profile_Rule_C", "Profile_Rule_D"};
constexpr std::string_view resync_failed_on_fnf = "file not found";

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

// Splits "host[:port]" as written in Syslog_Server / Debug_Server.
std::optional<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view s,
                                                                     std::uint16_t default_port) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  const std::size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::pair{std::string(s), default_port};
  unsigned port = 0;
  for (const char c : s.substr(colon + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
    if (port > 65535) return std::nullopt;
  }
  if (port == 0 || colon == 0) return std::nullopt;
  return std::pair{std::string(s.substr(0, colon)), static_cast<std::uint16_t>(port)};
}

}  // namespace

phone::phone(phone_options options, phone_io& io)
    : options_(std::move(options)),
      io_(io),
      flash_(factory_defaults()),
      swver_(options_.swver),
      rng_(options_.seed) {
  refresh_macros();
}

std::string phone::param(std::string_view name) const {
  const auto it = flash_.find(name);
  return it == flash_.end() ? std::string() : it->second;
}

bool phone::param_yes(std::string_view name) const {
  std::string v = param(name);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  while (!v.empty() && v.front() == ' ') v.erase(0, 1);
  for (const char* yes : {"Yes", "yes", "Enable", "enable", "1", "YES", "true", "True"}) {
    if (v == yes) return true;
  }
  return false;
}

std::chrono::milliseconds phone::scaled(std::chrono::milliseconds d) const {
  const double ms = static_cast<double>(d.count()) * options_.time_scale;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, ms)));
}

std::optional<std::chrono::milliseconds> phone::schedule_param(std::string_view name,
                                                               std::size_t index) {
  auto steps = parse_schedule(param(name));
  if (!steps) {
    logger()->warn("{} = '{}' is not a valid delay: {}", name, param(name), steps.message());
    return std::nullopt;
  }
  return schedule_delay(*steps, index, rng_);
}

std::string phone::provisioning_server() const {
  return lease_ ? lease_->provisioning_server(param("DHCP_Option_To_Use")) : std::string();
}

void phone::refresh_macros() {
  const phone_identity& id = options_.identity;
  env_.set("MA", id.mac.str());
  env_.set("MAU", id.mac.upper());
  env_.set("MAC", id.mac.colon());
  env_.set("PN", id.model);
  env_.set("PSN", product_series(id.model));
  env_.set("SN", id.serial);
  env_.set("SWVER", swver_);
  env_.set("HWVER", id.hwver);
  env_.set("CCERT", "Installed");
  env_.set("ISCUST", "0");
  env_.set("UPGCOND", "true");
  env_.set("IP", lease_ ? lease_->ip : std::string());
  env_.set("ERR", err_);
  env_.set("UPGERR", upgerr_);
  env_.set("UID1", param("User_ID_1_"));
  env_.set("UID2", param("User_ID_2_"));
  for (char c = 'A'; c <= 'P'; ++c) env_.set(std::string(1, c), param(std::string("GPP_") + c));
  for (const char* s : {"SA", "SB", "SC", "SD"})
    env_.set_key_only(s, param(std::string("GPP_") + s));
}

void phone::set_url_macros(const resolved_url& url, const std::string& server_ip) {
  env_.set("SCHEME", std::string(scheme_name(url.scheme)));
  env_.set("METH", std::string(scheme_name(url.scheme)));
  env_.set("SERV", url.host);
  env_.set("SERVIP", server_ip);
  env_.set("PORT", std::to_string(url.port));
  env_.set("PATH", url.path);
}

void phone::emit(std::string kind, std::vector<std::pair<std::string, std::string>> fields) {
  io_.emit(phone_event{std::move(kind), std::move(fields)});
}

void phone::log_syslog(std::string_view template_param) {
  const std::string message = expand_macros(param(template_param), env_);
  if (message.empty()) return;
  // Syslog goes to Syslog_Server and, when both are set, to Debug_Server too (§6).
  std::vector<std::string> servers;
  const std::string syslog_server = param("Syslog_Server");
  const std::string debug_server = param("Debug_Server");
  if (!syslog_server.empty()) servers.push_back(syslog_server);
  if (!syslog_server.empty() && !debug_server.empty()) servers.push_back(debug_server);
  for (const std::string& server : servers) {
    const auto target = split_host_port(server, 514);
    if (!target) {
      logger()->warn("syslog server '{}' is not host[:port]; message dropped", server);
      continue;
    }
    io_.send_syslog(target->first, target->second, message);
    emit("syslog", {{"server", server}, {"msg", message}});
  }
}

void phone::apply_parameters(const parameter_map& params) {
  for (const auto& [name, value] : params) flash_.insert_or_assign(name, value);
  refresh_macros();
}

fetch_result phone::fetch(const resolved_url& url, const std::vector<std::string>& addresses,
                          const url_options& opts) {
  fetch_request req;
  req.url = url;
  req.addresses = addresses;
  req.user_agent = user_agent(options_.identity, swver_);
  if (opts.post && !opts.post->empty()) {
    // The POST body is the macro-expanded content of GPP_<letter>.
    req.post_body = expand_macros(param(assignment_target(*opts.post)), env_);
  }
  req.uid = opts.uid;
  req.pwd = opts.pwd;
  if (addresses.empty()) {
    fetch_result r;
    r.err = std::string(scheme_name(url.scheme)) + "_get failed";
    r.detail = "cannot resolve " + url.host;
    return r;
  }
  return io_.fetch(req);
}

bool phone::run_profile_rule(const std::string& name) {
  const std::string text = param(name);
  auto parsed = parse_rule(text);
  if (!parsed) {
    logger()->warn("{} '{}' is not a valid rule ({}); skipped", name, text, parsed.message());
    emit("rule_error", {{"rule", name}, {"error", parsed.message()}});
    return true;
  }
  std::vector<std::string> warnings;
  auto outcome = evaluate_rule(*parsed, env_, &warnings, [this](const assignment& a) {
    flash_.insert_or_assign(a.name, a.value);
    refresh_macros();
  });
  for (const std::string& w : warnings) logger()->warn("{}: condition not evaluated: {}", name, w);
  if (!outcome || outcome->url.empty()) return true;

  auto url = resolve_url(outcome->url, provisioning_server());
  if (!url) {
    err_ = "invalid url";
    refresh_macros();
    logger()->warn("{}: {}", name, url.message());
    log_syslog("Log_Resync_Failure_Msg");
    emit("resync_failed",
         {{"rule", name}, {"url", outcome->url}, {"err", err_}, {"detail", url.message()}});
    return false;
  }
  const std::vector<std::string> addresses = io_.resolve(url->host);
  set_url_macros(*url, addresses.empty() ? url->host : addresses.front());
  log_syslog("Log_Resync_Request_Msg");
  emit("resync_request", {{"rule", name}, {"url", url->str()}});

  fetch_result fetched = fetch(*url, addresses, outcome->options);
  if (!fetched.ok && fetched.not_found && !param_yes("Resync_Fails_On_FNF")) {
    // With Resync_Fails_On_FNF = No a missing file counts as a successful resync.
    err_ = std::string(resync_failed_on_fnf);
    refresh_macros();
    log_syslog("Log_Resync_Success_Msg");
    emit("resync_ok",
         {{"rule", name}, {"url", url->str()}, {"params", "0"}, {"not_found", "true"}});
    return true;
  }
  std::string detail;
  parameter_map params;
  bool ok = fetched.ok;
  if (!ok) {
    err_ = fetched.err;
    detail = fetched.detail;
  } else {
    auto decoded = decode_profile(fetched.body, outcome->options.key);
    std::vector<alias_entry> aliases;
    if (decoded && outcome->options.alias) {
      auto map = parse_alias_map(param(assignment_target(*outcome->options.alias)));
      if (map) {
        aliases = std::move(*map);
      } else {
        logger()->warn("{}: alias map ignored: {}", name, map.message());
      }
    }
    auto parsed_profile =
        decoded ? parse_flat_profile(decoded->xml, aliases) : result<parameter_map>(decoded.err());
    if (!parsed_profile) {
      ok = false;
      err_ = "corrupt file";
      detail = parsed_profile.message();
    } else {
      params = std::move(*parsed_profile);
      if (decoded->was_encrypted) detail = "decrypted (" + decoded->key_digest + ")";
      if (decoded->was_compressed) detail += detail.empty() ? "gunzipped" : ", gunzipped";
    }
  }
  if (!ok) {
    refresh_macros();
    logger()->warn("resync {} failed: {} ({})", url->str(), err_, detail);
    log_syslog("Log_Resync_Failure_Msg");
    emit("resync_failed", {{"rule", name}, {"url", url->str()}, {"err", err_}, {"detail", detail}});
    return false;
  }
  err_.clear();
  apply_parameters(params);
  logger()->info("resync {} applied {} parameters", url->str(), params.size());
  log_syslog("Log_Resync_Success_Msg");
  emit("resync_ok", {{"rule", name},
                     {"url", url->str()},
                     {"params", std::to_string(params.size())},
                     {"detail", detail}});
  return true;
}

void phone::resync(int prvst) {
  if (!param_yes("Provision_Enable")) return;
  env_.set("PRVST", std::to_string(prvst));
  bool ok = true;
  for (const char* name : profile_rule_names) {
    if (!run_profile_rule(name)) {
      ok = false;
      break;
    }
  }
  std::optional<std::chrono::milliseconds> next;
  if (ok) {
    resync_failures_ = 0;
    next = schedule_param("Resync_Periodic", 0);
    next_prvst_ = 1;
  } else {
    ++resync_failures_;
    next = schedule_param("Resync_Error_Retry_Delay", resync_failures_ - 1);
    next_prvst_ = 2;
  }
  // A delay of 0 disables the periodic resync; for the error retry, 0 means "never retry"
  // (Sipura and the MPP guides; the SPA100 guide says "immediately").
  if (next && next->count() > 0) {
    next_resync_ = io_.now() + scaled(*next);
  } else {
    next_resync_.reset();
  }
  // next_s is in real (time-scaled) seconds, as a watcher of the JSON lines experiences it.
  emit("resync_done",
       {{"result", ok ? "ok" : "failed"},
        {"next_s", next_resync_ ? seconds_text(scaled(*next)) : std::string("never")}});
  if (ok && !next_upgrade_retry_) try_upgrade(1);
}

bool phone::try_upgrade(int upgst) {
  if (!param_yes("Upgrade_Enable")) return false;
  const std::string text = param("Upgrade_Rule");
  auto parsed = parse_rule(text);
  if (!parsed) {
    logger()->warn("Upgrade_Rule '{}' is not a valid rule ({}); skipped", text, parsed.message());
    emit("rule_error", {{"rule", "Upgrade_Rule"}, {"error", parsed.message()}});
    return false;
  }
  env_.set("UPGST", std::to_string(upgst));
  std::vector<std::string> warnings;
  auto outcome = evaluate_rule(*parsed, env_, &warnings, [this](const assignment& a) {
    flash_.insert_or_assign(a.name, a.value);
    refresh_macros();
  });
  for (const std::string& w : warnings)
    logger()->warn("Upgrade_Rule: condition not evaluated: {}", w);
  if (!outcome || outcome->url.empty()) return false;

  std::string url_text = outcome->url;
  std::string detail;
  std::optional<firmware_header> header;
  auto url = resolve_url(outcome->url, provisioning_server());
  if (!url) {
    err_ = "invalid url";
    detail = url.message();
  } else {
    url_text = url->str();
    const std::vector<std::string> addresses = io_.resolve(url->host);
    set_url_macros(*url, addresses.empty() ? url->host : addresses.front());
    log_syslog("Log_Upgrade_Request_Msg");
    emit("upgrade_request", {{"url", url_text}});
    fetch_result fetched = fetch(*url, addresses, outcome->options);
    if (!fetched.ok) {
      err_ = fetched.err;
      detail = fetched.detail;
    } else if (auto checked = check_firmware(fetched.body, options_.identity.model); !checked) {
      err_ = "corrupt file";
      detail = checked.message();
    } else {
      const std::string limit = param("Downgrade_Rev_Limit");
      const auto limit_version = firmware_version::parse(limit);
      const auto new_version = firmware_version::parse(checked->version);
      if (!limit.empty() && limit_version && new_version && *new_version < *limit_version) {
        err_ = "downgrade rev limit";
        detail = checked->version + " is below Downgrade_Rev_Limit " + limit;
      } else {
        header = std::move(*checked);
      }
    }
  }
  if (!header) {
    upgerr_ = err_;
    refresh_macros();
    logger()->warn("upgrade {} failed: {} ({})", url_text, err_, detail);
    log_syslog("Log_Upgrade_Failure_Msg");
    emit("upgrade_failed", {{"url", url_text}, {"err", err_}, {"detail", detail}});
    ++upgrade_failures_;
    const auto delay = schedule_param("Upgrade_Error_Retry_Delay", upgrade_failures_ - 1);
    next_upgrade_retry_ =
        delay && delay->count() > 0 ? io_.now() + scaled(*delay) : time_point::max();
    if (param_yes("Resync_After_Upgrade_Attempt") && param_yes("Provision_Enable")) {
      next_resync_ = io_.now();
      next_prvst_ = 1;
    }
    return false;
  }
  // After a successful upgrade $ERR holds the new version (Sipura guide).
  err_ = header->version;
  upgerr_ = err_;
  refresh_macros();
  logger()->info("upgrade {} succeeded: {} -> {}", url_text, swver_, header->version);
  log_syslog("Log_Upgrade_Success_Msg");
  emit("upgrade_ok", {{"url", url_text}, {"version", header->version}, {"from", swver_}});
  upgrade_failures_ = 0;
  next_upgrade_retry_.reset();
  swver_ = header->version;
  reboot_requested_ = true;
  return true;
}

void phone::renew_lease() {
  auto renewed = io_.acquire_lease(lease_ ? std::optional<std::string>(lease_->ip) : std::nullopt);
  if (!renewed) {
    emit("dhcp_failed", {{"during", "renewal"}});
    const auto retry = lease_ ? lease_->lease_time / 4 : std::chrono::seconds(60);
    lease_renewal_ =
        io_.now() + std::max<std::chrono::milliseconds>(retry, std::chrono::seconds(5));
    return;
  }
  const bool changed = !lease_ || lease_->ip != renewed->ip;
  lease_ = std::move(*renewed);
  refresh_macros();
  if (changed) emit("dhcp", {{"ip", lease_->ip}, {"server", provisioning_server()}});
  lease_renewal_.reset();
  if (lease_->lease_time.count() > 0) lease_renewal_ = io_.now() + lease_->lease_time / 2;
}

bool phone::boot(boot_reason reason) {
  reboot_requested_ = false;
  lease_renewal_.reset();
  next_resync_.reset();
  refresh_macros();
  emit("booted", {{"reason", reason == boot_reason::power_up ? "power-up" : "upgrade"},
                  {"swver", swver_},
                  {"model", options_.identity.model},
                  {"serial", options_.identity.serial},
                  {"hwver", options_.identity.hwver}});
  emit("version", {{"swver", swver_}});
  const std::optional<std::string> previous_ip = lease_ ? std::optional(lease_->ip) : std::nullopt;
  lease_.reset();
  while (true) {
    auto lease = io_.acquire_lease(previous_ip);
    if (lease) {
      lease_ = std::move(*lease);
      break;
    }
    emit("dhcp_failed", {});
    if (!io_.wait_until(io_.now() + scaled(options_.dhcp_retry_delay))) return false;
  }
  refresh_macros();
  std::vector<std::pair<std::string, std::string>> fields = {{"ip", lease_->ip},
                                                             {"server", provisioning_server()}};
  for (const auto& [k, v] :
       {std::pair{"opt66", &lease_->opt66}, std::pair{"opt150", &lease_->opt150},
        std::pair{"opt159", &lease_->opt159}, std::pair{"opt160", &lease_->opt160}}) {
    if (!v->empty()) fields.emplace_back(k, *v);
  }
  emit("dhcp", std::move(fields));
  if (lease_->lease_time.count() > 0) lease_renewal_ = io_.now() + lease_->lease_time / 2;
  return true;
}

bool phone::run_until_reboot() {
  while (true) {
    std::optional<time_point> due;
    for (const auto& t : {next_resync_, next_upgrade_retry_, lease_renewal_}) {
      if (t && (!due || *t < *due)) due = t;
    }
    if (!io_.wait_until(due.value_or(time_point::max()))) return false;
    const time_point now = io_.now();
    if (lease_renewal_ && now >= *lease_renewal_) {
      renew_lease();
    } else if (next_upgrade_retry_ && now >= *next_upgrade_retry_) {
      next_upgrade_retry_.reset();
      try_upgrade(2);
    } else if (next_resync_ && now >= *next_resync_) {
      const int prvst = next_prvst_;
      next_resync_.reset();
      resync(prvst);
    }
    if (reboot_requested_) return true;
  }
}

void phone::run() {
  boot_reason reason = boot_reason::power_up;
  while (true) {
    if (!boot(reason)) break;
    if (param_yes("Provision_Enable")) {
      if (reason == boot_reason::power_up && param_yes("Resync_On_Reset")) {
        // Resync_Random_Delay applies only to the first attempt after power-on.
        std::int64_t units = 0;
        try {
          units = std::max<std::int64_t>(0, std::stoll(param("Resync_Random_Delay")));
        } catch (const std::exception&) {
          units = 0;
        }
        const auto max_delay = std::chrono::milliseconds(random_delay_unit) * units;
        std::uniform_int_distribution<std::int64_t> dist(0, max_delay.count());
        next_resync_ = io_.now() + scaled(std::chrono::milliseconds(dist(rng_)));
        next_prvst_ = 0;
      } else if (reason == boot_reason::upgrade && param_yes("Resync_After_Upgrade_Attempt")) {
        next_resync_ = io_.now();
        next_prvst_ = 0;
      }
    }
    if (!run_until_reboot()) break;
    emit("rebooting", {{"swver", swver_}});
    reason = boot_reason::upgrade;
    if (!io_.wait_until(io_.now() + scaled(options_.boot_delay))) break;
  }
  emit("stopped", {});
}

}  // namespace provstation::phonesim
