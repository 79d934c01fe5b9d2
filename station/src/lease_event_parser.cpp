// SPDX-License-Identifier: Apache-2.0
#include <provstation/lease_event_parser.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>

namespace provstation {

namespace {

result<std::string> string_field(const nlohmann::json& j, const char* name, bool required) {
  auto it = j.find(name);
  if (it == j.end()) {
    if (required) return make_error(fmt::format("lease event: missing \"{}\"", name));
    return std::string{};
  }
  if (!it->is_string()) return make_error(fmt::format("lease event: \"{}\" is not a string", name));
  auto s = it->get<std::string>();
  if (s.size() > kea::max_string_bytes) {
    return make_error(fmt::format("lease event: \"{}\" is too long", name));
  }
  return s;
}

result<std::uint64_t> uint_field(const nlohmann::json& j, const char* name, bool required) {
  auto it = j.find(name);
  if (it == j.end()) {
    if (required) return make_error(fmt::format("lease event: missing \"{}\"", name));
    return std::uint64_t{0};
  }
  if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<std::int64_t>() >= 0)) {
    return make_error(fmt::format("lease event: \"{}\" is not a non-negative integer", name));
  }
  return it->get<std::uint64_t>();
}

}  // namespace

result<parsed_lease_event> parse_lease_event(std::span<const std::byte> datagram) {
  if (datagram.size() > kea::max_event_bytes) return make_error("lease event: too long");
  const auto* begin = reinterpret_cast<const char*>(datagram.data());
  nlohmann::json j = nlohmann::json::parse(begin, begin + datagram.size(), nullptr, false);
  if (j.is_discarded()) return make_error("lease event: not valid JSON");
  if (!j.is_object()) return make_error("lease event: not a JSON object");
  auto v = uint_field(j, "v", true);
  if (!v) return v.err();
  if (*v != static_cast<std::uint64_t>(kea::wire_version)) {
    return make_error(fmt::format("lease event: unsupported version {}", *v));
  }
  parsed_lease_event out;
  auto& e = out.event;
  auto boot_id = string_field(j, "boot_id", true);
  if (!boot_id) return boot_id.err();
  e.boot_id = *boot_id;
  auto seq = uint_field(j, "seq", true);
  if (!seq) return seq.err();
  e.seq = *seq;
  auto type = string_field(j, "type", true);
  if (!type) return type.err();
  bool known = false;
  for (auto t :
       {kea::lease_event_type::commit, kea::lease_event_type::renew, kea::lease_event_type::release,
        kea::lease_event_type::decline, kea::lease_event_type::expire}) {
    if (*type == kea::to_string(t)) {
      e.type = t;
      known = true;
    }
  }
  if (!known) return make_error(fmt::format("lease event: unknown type \"{}\"", *type));
  auto mac_text = string_field(j, "mac", true);
  if (!mac_text) return mac_text.err();
  auto mac = mac_address::parse(*mac_text);
  if (!mac) return make_error(fmt::format("lease event: \"mac\": {}", mac.message()));
  out.mac = *mac;
  e.mac = mac->str();
  auto ip = string_field(j, "ip", true);
  if (!ip) return ip.err();
  in_addr addr{};
  if (inet_pton(AF_INET, ip->c_str(), &addr) != 1) {
    return make_error("lease event: \"ip\" is not an IPv4 address");
  }
  e.ip = *ip;
  for (auto [name, field] :
       {std::pair{"hostname", &e.hostname}, std::pair{"vendor_class", &e.vendor_class},
        std::pair{"client_id", &e.client_id}}) {
    auto s = string_field(j, name, false);
    if (!s) return s.err();
    *field = *s;
  }
  auto lifetime = uint_field(j, "valid_lifetime", false);
  if (!lifetime) return lifetime.err();
  e.valid_lifetime = static_cast<std::uint32_t>(std::min<std::uint64_t>(*lifetime, 0xffffffffu));
  auto at = uint_field(j, "at", true);
  if (!at) return at.err();
  e.at = static_cast<std::int64_t>(*at);
  return out;
}

}  // namespace provstation
