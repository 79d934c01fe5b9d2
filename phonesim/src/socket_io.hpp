// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/phonesim/phone.hpp>

#include <chrono>
#include <string>

namespace provstation::phonesim {

/// @brief Settings of the real I/O of one phone process.
struct socket_io_options {
  bool use_dhcp = true;
  std::string iface = "eth0";
  std::string model;
  std::string static_ip;      ///< --no-dhcp: $IP.
  std::string static_opt66;   ///< --no-dhcp: the provisioning server.
  std::string udhcpc_script;  ///< The wrapper udhcpc runs on events.
  std::string lease_file;     ///< Where the wrapper writes the lease.
  std::string ca_file;        ///< https: verify servers against this CA (none: no verification).
  std::string mac;            ///< For the JSON lines.
};

/// @brief The phone's I/O over real sockets: udhcpc for DHCP, our TFTP and HTTP clients,
/// UDP syslog framed as `<134>` + message (local0.info, no RFC 3164 header), JSON events on
/// stdout (one write per line), and waiting with sigtimedwait so SIGTERM/SIGINT (blocked by
/// the caller) stop the phone promptly.
class socket_phone_io final : public phone_io {
 public:
  explicit socket_phone_io(socket_io_options options);

  time_point now() override;
  bool wait_until(time_point when) override;
  std::optional<dhcp_lease> acquire_lease(const std::optional<std::string>& requested_ip) override;
  std::vector<std::string> resolve(const std::string& host) override;
  fetch_result fetch(const fetch_request& request) override;
  void send_syslog(const std::string& host, std::uint16_t port,
                   const std::string& message) override;
  void emit(const phone_event& ev) override;

  /// @brief Consumes a pending SIGTERM/SIGINT; true once one arrived.
  bool stop_requested();

 private:
  void wait_for_link();

  socket_io_options options_;
  time_point start_;
  std::string local_ip_;
  bool stop_ = false;
};

}  // namespace provstation::phonesim
