// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>
#include <provstation/test/temp_dir.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace provstation::test {

/// @brief `provstation serve` as a real child process on loopback, every port 0, its files in a
/// test's temp dir, tied to the test process (killed with it). For the daemon and browser tests.
class station_process {
 public:
  /// @brief Writes <dir>/provstation.toml (plus `extra` TOML lines), starts the daemon and waits
  /// for its ready file. The same dir may be started again (a restart on the same store).
  static result<std::unique_ptr<station_process>> start(const std::string& exe, const temp_dir& dir,
                                                        const std::vector<std::string>& extra = {});
  ~station_process();
  station_process(const station_process&) = delete;
  station_process& operator=(const station_process&) = delete;

  std::uint16_t dashboard() const { return dashboard_; }
  std::uint16_t http() const { return http_; }
  std::uint16_t tftp() const { return tftp_; }
  std::uint16_t syslog() const { return syslog_; }
  bool running();
  /// @brief Sends `sig` and reaps the process (SIGKILL for the crash test).
  void kill(int sig);
  /// @brief The daemon's log so far.
  std::string log() const;

  /// @brief One datagram to the station's lease-event socket, as the Kea hook sends it.
  void send_event(const std::string& datagram) const;
  /// @brief A committed lease of `ip` to `mac` (wire format v1).
  void lease(const std::string& mac, const std::string& ip,
             const std::string& vendor_class = "Cisco SPA525G2");
  /// @brief One syslog datagram from `from_ip` (an address of lo) to the station.
  void send_syslog(const std::string& from_ip, const std::string& line) const;
  /// @brief GET on the dashboard, parsed as JSON (discarded value when the reply is not JSON).
  nlohmann::json get(const std::string& target) const;

  struct impl;

 private:
  explicit station_process(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
  std::string dir_;
  std::uint16_t dashboard_ = 0, http_ = 0, tftp_ = 0, syslog_ = 0;
  std::uint64_t seq_ = 0;
};

}  // namespace provstation::test
