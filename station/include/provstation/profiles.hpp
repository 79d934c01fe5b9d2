// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/profile_codec.hpp>
#include <provstation/result.hpp>
#include <provstation/store.hpp>
#include <provstation/template.hpp>
#include <provstation/unit.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace provstation {

/// @brief Where phones reach the station and what the bench timers are.
struct profile_settings {
  std::string bench_address;
  std::uint16_t tftp_port = 69;
  std::uint16_t http_port = 80;
  std::uint16_t syslog_port = 514;
  std::string device_scheme = "http";  ///< Scheme of the per-device Profile_Rule.
  int resync_periodic_s = 30;
  int resync_error_retry_delay_s = 30;
  int upgrade_error_retry_delay_s = 30;
  bool gzip = false;
  bool encrypt = false;
  std::string key;  ///< Profile key when encrypt is on (read from a 0600 file).
  key_digest digest = key_digest::md5;
};

/// @brief Renders the three kinds of profile (DESIGN.md "Profiles") from built-in
/// `<flat-profile>` templates with station placeholders.
///
/// The seed is model-wide: it points a factory-default phone at its per-device profile with a
/// Profile_Rule carrying `$MA`, `$SN`, `$PN` and `$SWVER` (so every later request names the
/// unit and its firmware even over TFTP), overrides the timers that would stall a bench, sends
/// syslog to the station with Log_* templates that report the same macros, and guards the
/// upgrade with a condition on `$SWVER` so a phone never loops. The per-device profile repeats
/// all that for one unit; the hand-off profile points the phone at the provider and undoes the
/// bench settings. Every substituted value is XML-escaped; `$` macros pass through.
class profile_builder {
 public:
  explicit profile_builder(profile_settings settings);

  /// @brief The seed for `model` (e.g. "SPA525G2"); `target` is the batch's firmware for it.
  result<std::string> seed(std::string_view model, const std::optional<firmware_row>& target) const;
  /// @brief The per-device profile of `u`.
  result<std::string> device(const unit_record& u, const std::optional<firmware_row>& target) const;
  /// @brief The hand-off profile of `u` (batch's provider rule and syslog).
  result<std::string> handoff(const unit_record& u, const batch_row& batch) const;
  /// @brief A profile that changes nothing but slows the phone down (unscanned phones, when
  /// configured so).
  std::string quarantine() const;

  /// @brief Applies gzip and encryption as configured to a per-device or hand-off profile.
  std::string encode(std::string xml) const;

  /// @brief The firmware URL phones are given for `f`: tftp://address[:port]/fw/<file>.
  std::string firmware_url(const firmware_row& f) const;
  /// @brief The Upgrade_Rule guarding `f`: `( $SWVER ne 7.5.5 )? tftp://…`; empty without one.
  std::string upgrade_rule(const std::optional<firmware_row>& f) const;
  /// @brief The per-device Profile_Rule (with macros), e.g.
  /// `http://10.66.0.1/prov/$MA.xml?sn=$SN&pn=$PN&fw=$SWVER`.
  std::string device_rule() const;

  const profile_settings& settings() const { return settings_; }

 private:
  template_values common_values() const;
  profile_settings settings_;
};

/// @brief What a phone-side path asks for.
struct profile_path {
  enum class kind { seed, device, firmware, unknown } what = kind::unknown;
  std::string model;           ///< seed: "SPA" + PSN, upper case.
  std::string mac;             ///< device: canonical MAC.
  std::string file_name;       ///< firmware: file name.
  std::string serial;          ///< Reported in the query (sn=).
  std::string version;         ///< Reported in the query (fw=).
  std::string reported_model;  ///< Reported in the query (pn=).
};

/// @brief Classifies a request path from TFTP or HTTP (with or without a leading '/', with a
/// query string). Pure; never throws.
profile_path classify_path(std::string_view path);

}  // namespace provstation
