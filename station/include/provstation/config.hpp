// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <cstdint>
#include <string>

namespace provstation {

/// @brief An address and port as configured ("10.66.0.1:69").
struct endpoint_config {
  std::string address;
  std::uint16_t port = 0;
  std::string str() const;
};

/// @brief The station's configuration (/etc/provstation/provstation.toml). Every key has a
/// default except bench.address.
struct config {
  struct bench_section {
    std::string address;  ///< What options 66/150 and profiles point phones at.
    std::string netns;    ///< Open bench-side sockets inside this network namespace (optional).
  } bench;
  struct tftp_section {
    endpoint_config listen;  ///< Default bench.address:69.
    std::uint16_t max_blksize = 1468;
    std::uint16_t max_windowsize = 64;       ///< RFC 7440; phones ask for none (lock-step).
    std::uint32_t max_transfers = 2000;      ///< Concurrent transfers, all clients.
    std::uint32_t max_per_client = 8;        ///< Concurrent transfers per client address.
    std::uint16_t port_first = 0;            ///< Transfer ports (0 and 0: the kernel picks).
    std::uint16_t port_last = 0;
    bool enabled = true;
  } tftp;
  struct http_section {
    endpoint_config listen;  ///< Default bench.address:80.
    bool enabled = true;
  } http;
  struct syslog_section {
    endpoint_config listen;  ///< Default bench.address:514.
  } syslog;
  struct kea_section {
    std::string event_socket = "/run/provstation/kea-events.sock";
    std::string policy_file = "/var/lib/provstation/kea-policy";
    std::string lease_file = "/var/lib/kea/kea-leases4.csv";
    std::string policy_mode = "all";    ///< all | scanned | not-shipped
    std::string allowed_user = "_kea";  ///< Who may send lease events (besides root and us).
  } kea;
  struct store_section {
    std::string path = "/var/lib/provstation/station.db";
  } store;
  struct dashboard_section {
    endpoint_config listen{"127.0.0.1", 8080};
  } dashboard;
  struct profiles_section {
    std::string per_device_scheme = "http";  ///< http | tftp
    int resync_periodic_s = 30;
    int resync_error_retry_delay_s = 30;
    int upgrade_error_retry_delay_s = 30;
    std::string unscanned = "seed";  ///< seed | quarantine
    bool gzip = false;
    bool encrypt = false;
    std::string key_file;        ///< Profile key (mode 0600), for encrypt = true.
    std::string digest = "md5";  ///< Key derivation digest: md5 (SPA) | sha256.
  } profiles;
  struct firmware_section {
    std::string dir = "/var/lib/provstation/firmware";
  } firmware;
  struct log_section {
    std::string level = "info";
  } log;
  std::string user;  ///< Drop root to this user after binding (empty: stay).
};

/// @brief Reads a TOML file. Errors name the offending key: "tftp.listen: …".
result<config> load_config(const std::string& path);

/// @brief Parses TOML text (for tests and the demo's embedded default).
result<config> parse_config(std::string_view toml_text);

/// @brief Parses "ADDRESS:PORT" (IPv4 or [IPv6]:port).
result<endpoint_config> parse_endpoint(std::string_view text);

}  // namespace provstation
