// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/phonesim/flat_profile.hpp>
#include <provstation/phonesim/identity.hpp>
#include <provstation/phonesim/macro.hpp>
#include <provstation/phonesim/rule.hpp>
#include <provstation/phonesim/url.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace provstation::phonesim {

/// @brief What DHCP gave the phone (values as udhcpc reports them).
struct dhcp_lease {
  std::string ip;
  std::string subnet;
  std::string router;
  std::string opt66;   ///< tftp-server-name (a host, host:port or a URL).
  std::string opt150;  ///< TFTP server address(es), dotted.
  std::string opt159;  ///< Provisioning server (text).
  std::string opt160;  ///< Provisioning URL (text).
  std::chrono::seconds lease_time{0};

  /// @brief The default provisioning server: the first non-empty option in `order`
  /// (DHCP_Option_To_Use, e.g. `66,160,159,150`); option 150 contributes its first address.
  std::string provisioning_server(std::string_view order) const;
};

/// @brief One fetch of a profile or firmware image.
struct fetch_request {
  resolved_url url;
  std::vector<std::string> addresses;  ///< The server's addresses, tried in order.
  std::string user_agent;
  std::optional<std::string> post_body;  ///< `--post`: POST this instead of GET.
  std::optional<std::string> uid;        ///< `--uid`/`--pwd`: HTTP Basic credentials.
  std::optional<std::string> pwd;
};

/// @brief The outcome of a fetch.
struct fetch_result {
  bool ok = false;
  std::string body;
  std::string err;         ///< $ERR on failure (`tftp_get failed`, `http_get failed`, …).
  std::string detail;      ///< A human explanation (TFTP error text, HTTP status).
  bool not_found = false;  ///< TFTP error 1 or HTTP 404 (for Resync_Fails_On_FNF).
};

/// @brief A notable event, printed as one JSON line by the executable.
struct phone_event {
  std::string kind;
  std::vector<std::pair<std::string, std::string>> fields;
};

/// @brief Renders an event as one JSON object (no newline):
/// `{"t":1.25,"mac":"…","event":"<kind>", "<field>":"<value>", …}`.
std::string event_json(const phone_event& ev, double seconds, std::string_view mac);

/// @brief Everything the phone does to the outside world; the state machine itself is pure.
class phone_io {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~phone_io() = default;
  /// @brief The current time.
  virtual time_point now() = 0;
  /// @brief Sleeps until `when`; false when the phone must stop (SIGTERM).
  virtual bool wait_until(time_point when) = 0;
  /// @brief Runs DHCP (asking for `requested_ip` when renewing); nothing when it failed.
  virtual std::optional<dhcp_lease> acquire_lease(
      const std::optional<std::string>& requested_ip) = 0;
  /// @brief A host's IPv4 addresses (A records), or the address itself.
  virtual std::vector<std::string> resolve(const std::string& host) = 0;
  /// @brief Fetches a file over TFTP/HTTP(S).
  virtual fetch_result fetch(const fetch_request& request) = 0;
  /// @brief Sends one syslog datagram.
  virtual void send_syslog(const std::string& host, std::uint16_t port,
                           const std::string& message) = 0;
  /// @brief Reports a notable event.
  virtual void emit(const phone_event& ev) = 0;
};

/// @brief How one phone is set up.
struct phone_options {
  phone_identity identity;
  std::string swver = "7.4.9c";               ///< The firmware version at power-on.
  double time_scale = 1.0;                    ///< Every provisioning delay is multiplied by this.
  std::chrono::seconds boot_delay{20};        ///< Reboot time after an upgrade.
  std::chrono::seconds dhcp_retry_delay{10};  ///< Wait before DHCP is tried again.
  std::uint64_t seed = 1;                     ///< Seeds the random parts of delays.
};

/// @brief A simulated Cisco SPA phone: factory defaults, resync, upgrade, reboot, periodic
/// resync, as spa-provisioning.md §1.3, §3, §6 and §9 describe.
///
/// How it works: `run()` loops over boots. Each boot acquires a lease, then (power-up:
/// Resync_On_Reset after Resync_Random_Delay; after an upgrade: Resync_After_Upgrade_Attempt)
/// resyncs. A resync evaluates Profile_Rule, _B, _C, _D in order, applying each fetched
/// profile to the "flash" (kept across reboots), and stops at the first failure; the next
/// resync is due after Resync_Periodic (success) or Resync_Error_Retry_Delay (failure, the
/// schedule advancing with each consecutive failure). After a successful resync the
/// Upgrade_Rule is evaluated; a failed upgrade is retried after Upgrade_Error_Retry_Delay, a
/// successful one reboots into the new version. All waiting goes through `phone_io`, so the
/// state machine runs unchanged against sockets or against a fake in a unit test.
class phone {
 public:
  phone(phone_options options, phone_io& io);

  /// @brief Runs until `phone_io::wait_until` reports a stop.
  void run();

  /// @brief The parameters as stored in the phone's flash.
  const parameter_map& flash() const { return flash_; }
  /// @brief The running firmware version.
  const std::string& swver() const { return swver_; }

  /// @brief The factory-default parameters of an SPA phone of `model`.
  static parameter_map factory_defaults();

 private:
  enum class boot_reason { power_up, upgrade };
  using time_point = phone_io::time_point;

  bool boot(boot_reason reason);
  bool run_until_reboot();
  void resync(int prvst);
  bool run_profile_rule(const std::string& name);
  bool try_upgrade(int upgst);
  void apply_parameters(const parameter_map& params);
  void refresh_macros();
  void set_url_macros(const resolved_url& url, const std::string& server_ip);
  void log_syslog(std::string_view template_param);
  void emit(std::string kind, std::vector<std::pair<std::string, std::string>> fields = {});
  std::string param(std::string_view name) const;
  bool param_yes(std::string_view name) const;
  std::optional<std::chrono::milliseconds> schedule_param(std::string_view name, std::size_t index);
  std::chrono::milliseconds scaled(std::chrono::milliseconds d) const;
  fetch_result fetch(const resolved_url& url, const std::vector<std::string>& addresses,
                     const url_options& opts);
  void renew_lease();
  std::string provisioning_server() const;

  phone_options options_;
  phone_io& io_;
  parameter_map flash_;
  std::string swver_;
  macro_env env_;
  std::optional<dhcp_lease> lease_;
  std::mt19937_64 rng_;
  std::string err_;
  std::string upgerr_;
  bool reboot_requested_ = false;
  std::optional<time_point> next_resync_;
  int next_prvst_ = 1;
  std::size_t resync_failures_ = 0;
  std::optional<time_point> next_upgrade_retry_;
  std::size_t upgrade_failures_ = 0;
  std::optional<time_point> lease_renewal_;
};

}  // namespace provstation::phonesim
