// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "event_sender.hpp"
#include "hook_config.hpp"
#include "phone_matcher.hpp"
#include "policy_watcher.hpp"

#include <provstation/kea/lease_event.hpp>

#include <dhcp/pkt4.h>
#include <dhcpsrv/lease.h>

#include <boost/container/static_vector.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace provstation::kea {

/// @brief The hook's implementation, free of Kea globals (the callouts own the one instance).
///
/// How this works: it is built from validated parameters (hook_config) and started by load().
/// pkt4_send calls process(): the client is recognised as a phone by option 60 or OUI, the
/// station's policy (kept fresh by a policy_watcher thread, read as one immutable object) is
/// asked about its MAC, and the configured options 66/150/159/160 are put into the OFFER or
/// ACK, replacing any the server added and, if asked to, only those in the client's parameter
/// request list. pkt4_send also calls on_response(), and lease4_release, lease4_decline and
/// lease4_expire call the on_lease_*() functions; they turn leases into wire-format events and
/// hand them to an event_sender thread. Nothing here blocks on I/O in a Kea thread, and everything
/// after start() is safe to call from several packet threads at once.
class provstation_hook {
 public:
  /// @brief What the hook needs from the outside world (injected so tests are deterministic).
  struct environment {
    std::string boot_id;                ///< Put into every event.
    std::function<std::int64_t()> now;  ///< Unix time in seconds.
  };

  /// @brief A random boot_id (128 bits, hex) and the system clock.
  static environment system_environment();

  /// @brief What process() decided for one response.
  struct decision {
    match_kind matched = match_kind::none;  ///< How the client was recognised, if at all.
    bool allowed = false;                   ///< The policy allowed it (false if not matched).
    /// Option codes put into the response (at most the four the hook has; no allocation).
    boost::container::static_vector<std::uint8_t, 4> added;
  };

  provstation_hook(hook_config config, environment env);
  ~provstation_hook();
  provstation_hook(const provstation_hook&) = delete;
  provstation_hook& operator=(const provstation_hook&) = delete;

  /// @brief Reads the policy file once and starts the policy and event threads.
  /// @throw std::system_error when a thread or the socket cannot be created.
  void start();

  /// @brief Flushes events (bounded by a timeout) and joins the threads. Idempotent.
  void stop();

  /// @brief Adds the provisioning options to an OFFER or ACK for a matching, allowed phone.
  decision process(isc::dhcp::Pkt4& query, isc::dhcp::Pkt4& response);

  /// @brief Emits the commit event (renew, when lease4_renew ran for this packet) for an ACK
  /// to a REQUEST: the lease is the ACK's yiaddr and its lifetime the ACK's option 51. Any
  /// other response emits nothing.
  void on_response(isc::dhcp::Pkt4& query, isc::dhcp::Pkt4& response, bool renewed);

  /// @brief Emits a release event for a lease the server is about to release.
  void on_lease_released(isc::dhcp::Pkt4& query, const isc::dhcp::Lease4& lease);

  /// @brief Emits a decline event for a lease the server is about to mark declined.
  void on_lease_declined(isc::dhcp::Pkt4& query, const isc::dhcp::Lease4& lease);

  /// @brief Emits an expire event for a lease the server reclaims.
  void on_lease_expired(const isc::dhcp::Lease4& lease);

  /// @brief True when events are sent (an event socket is configured).
  bool sends_events() const { return sender_ != nullptr; }

  /// @brief Builds the event for a lease (seq and boot_id are filled in when it is sent).
  /// @param query The client's packet, if any: gives option 12 and 60 and, for a declined
  /// lease, the hardware address the lease no longer has.
  lease_event make_event(lease_event_type type, const isc::dhcp::Lease4& lease,
                         isc::dhcp::Pkt4* query) const;

  /// @brief Builds the event for an ACK to a REQUEST from the two packets.
  lease_event make_ack_event(lease_event_type type, isc::dhcp::Pkt4& query,
                             isc::dhcp::Pkt4& response) const;

  /// @brief The validated parameters.
  const hook_config& config() const { return config_; }
  /// @brief This load's boot_id.
  const std::string& boot_id() const { return env_.boot_id; }
  /// @brief The policy in force.
  std::shared_ptr<const policy> current_policy() const;
  /// @brief Event counters (all zero without an event socket).
  event_sender::counters event_counters() const;

 private:
  void submit(lease_event event, const isc::dhcp::Pkt4* query);

  hook_config config_;
  environment env_;
  phone_matcher matcher_;
  // Built once at load(): every matching response shares them (they are only read when Kea
  // packs a packet, as Kea's own configured options are).
  std::vector<isc::dhcp::OptionPtr> options_;
  std::shared_ptr<const policy> static_policy_;
  std::unique_ptr<policy_watcher> watcher_;
  std::unique_ptr<event_sender> sender_;
};

}  // namespace provstation::kea
