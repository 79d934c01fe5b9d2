// SPDX-License-Identifier: Apache-2.0
#include "provstation_hook.hpp"

#include "provstation_hook_log.hpp"

#include <dhcp/dhcp4.h>
#include <dhcp/option.h>

#include <algorithm>
#include <ctime>
#include <random>
#include <span>

namespace provstation::kea {

using isc::dhcp::Lease4;
using isc::dhcp::Lease4Collection;
using isc::dhcp::Option;
using isc::dhcp::OptionPtr;
using isc::dhcp::Pkt4;

namespace {

constexpr std::uint8_t option_tftp_server_name = 66;      // DHO_TFTP_SERVER_NAME
constexpr std::uint8_t option_tftp_server_address = 150;  // Cisco: TFTP server address list
constexpr std::uint8_t option_provisioning_url_159 = 159;
constexpr std::uint8_t option_provisioning_url = 160;

std::string hex(std::span<const std::uint8_t> bytes, char separator) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (separator != 0 && i != 0) out.push_back(separator);
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0x0f]);
  }
  return out;
}

// The option in the packet, read in place. Pkt4::getOption() would clone it: around callouts Kea
// turns on copying of the query's retrieved options (so that a library that changes one does not
// change Kea's configuration), an allocation and a copy per call, and this hook only reads.
const Option* peek_option(const Pkt4& packet, std::uint16_t code) {
  const auto it = packet.options_.find(code);
  return it == packet.options_.end() ? nullptr : it->second.get();
}

// The payload of option `code` in the packet, empty when absent: the option's data in place, or,
// for option classes that keep their values elsewhere (getData() is empty then, as for the array
// class Kea parses option 55 into), serialised into `scratch`.
std::span<const std::uint8_t> option_payload(const Pkt4& packet, std::uint16_t code,
                                             std::vector<std::uint8_t>& scratch) {
  const Option* opt = peek_option(packet, code);
  if (opt == nullptr) return {};
  if (!opt->getData().empty()) return opt->getData();
  scratch = opt->toBinary(false);
  return scratch;
}

// The payload of option `code` as text (empty when absent).
std::string option_text(const Pkt4& packet, std::uint16_t code) {
  std::vector<std::uint8_t> scratch;
  const std::span<const std::uint8_t> payload = option_payload(packet, code, scratch);
  return std::string(payload.begin(), payload.end());
}

std::string codes_text(std::span<const std::uint8_t> codes) {
  std::string out;
  for (std::uint8_t c : codes) {
    if (!out.empty()) out += ",";
    out += std::to_string(c);
  }
  return out.empty() ? "none" : out;
}

std::string_view match_text(match_kind m) {
  switch (m) {
    case match_kind::vendor_class:
      return "vendor class";
    case match_kind::oui:
      return "OUI";
    case match_kind::none:
      return "nothing";
  }
  return "nothing";
}

std::string ipv4_list(const std::vector<std::array<std::uint8_t, 4>>& addrs) {
  if (addrs.empty()) return "off";
  std::string out;
  for (const auto& a : addrs) {
    if (!out.empty()) out += ",";
    out += std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
           std::to_string(a[3]);
  }
  return out;
}

std::string_view missing_text(policy_missing_action a) {
  return a == policy_missing_action::allow_all ? "allow-all" : "deny-all";
}

void log_policy_notice(const std::string& path, policy_missing_action missing,
                       const policy_watcher::notice& n) {
  switch (n.what) {
    case policy_watcher::state::loaded:
      LOG_INFO(hook_logger, PROVSTATION_HOOK_POLICY_LOADED)
          .arg(path)
          .arg(std::string(to_string(n.current->mode())))
          .arg(n.current->scanned_count())
          .arg(n.current->shipped_count());
      break;
    case policy_watcher::state::missing:
      LOG_WARN(hook_logger, PROVSTATION_HOOK_POLICY_MISSING)
          .arg(path)
          .arg(std::string(missing_text(missing)));
      break;
    case policy_watcher::state::unreadable:
      LOG_ERROR(hook_logger, PROVSTATION_HOOK_POLICY_UNREADABLE)
          .arg(path)
          .arg(n.detail)
          .arg(std::string(missing_text(missing)));
      break;
    case policy_watcher::state::invalid:
      LOG_ERROR(hook_logger, PROVSTATION_HOOK_POLICY_INVALID)
          .arg(path)
          .arg(n.detail)
          .arg(std::string(missing_text(missing)));
      break;
  }
}

void log_sender_notice(const event_sender::notice& n) {
  if (n.what == event_sender::notice::kind::reachable) {
    LOG_INFO(hook_logger, PROVSTATION_HOOK_EVENTS_FLOWING);
    return;
  }
  LOG_WARN(hook_logger, PROVSTATION_HOOK_EVENTS_DROPPED)
      .arg(n.queue_full + n.unreachable)
      .arg(n.period.count())
      .arg(n.queue_full)
      .arg(n.unreachable)
      .arg(n.last_error.empty() ? std::string("no error") : n.last_error)
      .arg(n.total_dropped);
}

}  // namespace

provstation_hook::environment provstation_hook::system_environment() {
  std::random_device rd;
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 4; ++i) {
    const std::uint32_t v = rd();
    for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
  }
  return environment{hex(bytes, 0), [] { return static_cast<std::int64_t>(std::time(nullptr)); }};
}

provstation_hook::provstation_hook(hook_config config, environment env)
    : config_(std::move(config)),
      env_(std::move(env)),
      matcher_(config_.vendor_class_patterns, config_.mac_ouis) {
  // The options never change after load: build them once.
  const auto add = [this](std::uint8_t code, std::vector<std::uint8_t> payload) {
    options_.push_back(OptionPtr(new Option(Option::V4, code, std::move(payload))));
  };
  const auto bytes = [](const std::string& s) {
    return std::vector<std::uint8_t>(s.begin(), s.end());
  };
  add(option_tftp_server_name, bytes(config_.station_address));
  if (!config_.tftp_server_addresses.empty()) {
    std::vector<std::uint8_t> payload;
    for (const auto& a : config_.tftp_server_addresses)
      payload.insert(payload.end(), a.begin(), a.end());
    add(option_tftp_server_address, std::move(payload));
  }
  if (!config_.provisioning_url_159.empty()) {
    add(option_provisioning_url_159, bytes(config_.provisioning_url_159));
  }
  if (!config_.provisioning_url.empty())
    add(option_provisioning_url, bytes(config_.provisioning_url));
  static_policy_ = std::make_shared<const policy>(policy::allow_all());
  if (!config_.policy_file.empty()) {
    const std::string path = config_.policy_file;
    const policy_missing_action missing = config_.policy_missing;
    watcher_ = std::make_unique<policy_watcher>(
        path,
        missing == policy_missing_action::allow_all ? policy::allow_all() : policy::deny_all(),
        config_.policy_check_interval,
        [path, missing](const policy_watcher::notice& n) { log_policy_notice(path, missing, n); });
  }
  if (!config_.event_socket.empty()) {
    event_sender::settings s;
    s.socket_path = config_.event_socket;
    s.boot_id = env_.boot_id;
    s.queue_capacity = config_.event_queue_capacity;
    sender_ = std::make_unique<event_sender>(std::move(s), log_sender_notice);
  }
}

provstation_hook::~provstation_hook() {
  stop();
}

void provstation_hook::start() {
  if (watcher_) watcher_->start();
  if (sender_) {
    sender_->start();
  } else {
    LOG_WARN(hook_logger, PROVSTATION_HOOK_NO_EVENT_SOCKET);
  }
  LOG_INFO(hook_logger, PROVSTATION_HOOK_LOADED)
      .arg(env_.boot_id)
      .arg(config_.station_address)
      .arg(ipv4_list(config_.tftp_server_addresses))
      .arg(config_.vendor_class_patterns.size())
      .arg(config_.mac_ouis.size())
      .arg(config_.event_socket.empty() ? std::string("none") : config_.event_socket)
      .arg(config_.policy_file.empty() ? std::string("none") : config_.policy_file);
}

void provstation_hook::stop() {
  if (watcher_) watcher_->stop();
  if (sender_) sender_->stop();
}

std::shared_ptr<const policy> provstation_hook::current_policy() const {
  return watcher_ ? watcher_->current() : static_policy_;
}

event_sender::counters provstation_hook::event_counters() const {
  return sender_ ? sender_->stats() : event_sender::counters{};
}

provstation_hook::decision provstation_hook::process(Pkt4& query, Pkt4& response) {
  decision d;
  const std::uint8_t type = response.getType();
  if (type != isc::dhcp::DHCPOFFER && type != isc::dhcp::DHCPACK) return d;

  // Option 60 is a string option whose bytes are its data: read in place, no copy.
  std::vector<std::uint8_t> vc_scratch;
  const std::span<const std::uint8_t> vc =
      option_payload(query, isc::dhcp::DHO_VENDOR_CLASS_IDENTIFIER, vc_scratch);
  const isc::dhcp::HWAddrPtr hw = query.getHWAddr();
  static const std::vector<std::uint8_t> no_hwaddr;
  const std::vector<std::uint8_t>& mac = hw ? hw->hwaddr_ : no_hwaddr;

  d.matched = matcher_.match(vc, mac);
  if (d.matched == match_kind::none) {
    LOG_DEBUG(hook_logger, dbg_packet, PROVSTATION_HOOK_NOT_A_PHONE).arg(query.getLabel());
    return d;
  }
  const std::shared_ptr<const policy> p = current_policy();
  // A hardware address that is not a 6-byte MAC is never listed by the station.
  const mac48 key =
      mac.size() == 6 ? to_mac48({mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]}) : ~mac48{0};
  d.allowed = mac.size() == 6 ? p->allows(key) : p->mode() == policy_mode::all;
  if (!d.allowed) {
    LOG_DEBUG(hook_logger, dbg_packet, PROVSTATION_HOOK_POLICY_REFUSED)
        .arg(query.getLabel())
        .arg(std::string(to_string(p->mode())))
        .arg(hex(mac, ':'));
    return d;
  }

  std::vector<std::uint8_t> prl_scratch;
  const std::span<const std::uint8_t> requested =
      config_.honour_prl
          ? option_payload(query, isc::dhcp::DHO_DHCP_PARAMETER_REQUEST_LIST, prl_scratch)
          : std::span<const std::uint8_t>{};
  for (const OptionPtr& option : options_) {
    const auto code = static_cast<std::uint8_t>(option->getType());
    if (config_.honour_prl &&
        std::find(requested.begin(), requested.end(), code) == requested.end()) {
      continue;
    }
    // Pkt4::addOption() throws when the code is present already: ours replaces the server's.
    while (response.delOption(code)) {
    }
    response.addOption(option);
    d.added.push_back(code);
  }
  LOG_DEBUG(hook_logger, dbg_packet, PROVSTATION_HOOK_OPTIONS_ADDED)
      .arg(query.getLabel())
      .arg(codes_text({d.added.data(), d.added.size()}))
      .arg(std::string(match_text(d.matched)));
  return d;
}

lease_event provstation_hook::make_event(lease_event_type type, const Lease4& lease,
                                         Pkt4* query) const {
  lease_event e;
  e.type = type;
  isc::dhcp::HWAddrPtr hw = lease.hwaddr_;
  // A declined lease has lost its hardware address; the DECLINE still carries it.
  if ((!hw || hw->hwaddr_.empty()) && query) hw = query->getHWAddr();
  if (hw) e.mac = hex(hw->hwaddr_, 0);
  e.ip = lease.addr_.toText();
  if (query) {
    e.hostname = option_text(*query, isc::dhcp::DHO_HOST_NAME);
    e.vendor_class = option_text(*query, isc::dhcp::DHO_VENDOR_CLASS_IDENTIFIER);
  }
  if (e.hostname.empty()) e.hostname = lease.hostname_;
  if (lease.client_id_) e.client_id = hex(lease.client_id_->getClientId(), ':');
  e.valid_lifetime = lease.valid_lft_;
  e.at = env_.now();
  return e;
}

lease_event provstation_hook::make_ack_event(lease_event_type type, Pkt4& query,
                                             Pkt4& response) const {
  lease_event e;
  e.type = type;
  if (const isc::dhcp::HWAddrPtr hw = query.getHWAddr()) e.mac = hex(hw->hwaddr_, 0);
  e.ip = response.getYiaddr().toText();
  e.hostname = option_text(query, isc::dhcp::DHO_HOST_NAME);
  // Kea answers with the hostname it settled on (option 12) when it handles hostnames.
  if (e.hostname.empty()) e.hostname = option_text(response, isc::dhcp::DHO_HOST_NAME);
  e.vendor_class = option_text(query, isc::dhcp::DHO_VENDOR_CLASS_IDENTIFIER);
  std::vector<std::uint8_t> cid_scratch;
  e.client_id = hex(option_payload(query, isc::dhcp::DHO_DHCP_CLIENT_IDENTIFIER, cid_scratch), ':');
  if (const Option* lt = peek_option(response, isc::dhcp::DHO_DHCP_LEASE_TIME)) {
    const std::vector<std::uint8_t> v = lt->toBinary(false);
    if (v.size() == 4) {
      e.valid_lifetime = (std::uint32_t{v[0]} << 24) | (std::uint32_t{v[1]} << 16) |
                         (std::uint32_t{v[2]} << 8) | std::uint32_t{v[3]};
    }
  }
  e.at = env_.now();
  return e;
}

void provstation_hook::submit(lease_event event, const Pkt4* query) {
  if (!sender_) return;
  if (!hook_logger.isDebugEnabled(dbg_packet)) {
    sender_->submit(std::move(event));
    return;
  }
  const std::string type(to_string(event.type));
  const std::string who = query ? query->getLabel() : event.mac;
  const std::string ip = event.ip;
  const std::uint64_t seq = sender_->submit(std::move(event));
  LOG_DEBUG(hook_logger, dbg_packet, PROVSTATION_HOOK_EVENT_QUEUED)
      .arg(type)
      .arg(seq)
      .arg(who)
      .arg(ip);
}

void provstation_hook::on_response(Pkt4& query, Pkt4& response, bool renewed) {
  if (!sender_) return;
  if (response.getType() != isc::dhcp::DHCPACK || query.getType() != isc::dhcp::DHCPREQUEST) {
    return;
  }
  if (response.getYiaddr().isV4Zero()) return;
  submit(
      make_ack_event(renewed ? lease_event_type::renew : lease_event_type::commit, query, response),
      &query);
}

void provstation_hook::on_lease_released(Pkt4& query, const Lease4& lease) {
  if (!sender_) return;
  submit(make_event(lease_event_type::release, lease, &query), &query);
}

void provstation_hook::on_lease_declined(Pkt4& query, const Lease4& lease) {
  if (!sender_) return;
  submit(make_event(lease_event_type::decline, lease, &query), &query);
}

void provstation_hook::on_lease_expired(const Lease4& lease) {
  if (!sender_) return;
  submit(make_event(lease_event_type::expire, lease, nullptr), nullptr);
}

}  // namespace provstation::kea
