// SPDX-License-Identifier: Apache-2.0
#include "hook_config.hpp"

#include <algorithm>
#include <cstring>  // std::memcpy
#include <optional>

#include <arpa/inet.h>
#include <sys/un.h>

namespace provstation::kea {

using isc::data::ConstElementPtr;
using isc::data::Element;

namespace {

constexpr std::size_t max_option_bytes = 255;
// Option 150 carries four bytes per address in at most 255 bytes.
constexpr std::size_t max_tftp_servers = max_option_bytes / 4;
constexpr std::size_t max_socket_path_bytes = sizeof(sockaddr_un{}.sun_path) - 1;
constexpr std::size_t min_queue_capacity = 16;
constexpr std::size_t max_queue_capacity = 1024 * 1024;
constexpr std::int64_t min_check_interval_ms = 50;
constexpr std::int64_t max_check_interval_ms = 60000;

// Shows a configured value in an error message: printable, short, in double quotes.
std::string shown(std::string_view value) {
  constexpr std::size_t max_shown_bytes = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size() && i < max_shown_bytes; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (value.size() > max_shown_bytes) out += "...";
  out += "\"";
  return out;
}

std::string name_of(std::string_view parameter) {
  return "'" + std::string(parameter) + "'";
}

std::string item_of(std::string_view parameter, std::size_t index) {
  return name_of(parameter) + "[" + std::to_string(index) + "]";
}

bool parse_ipv4(const std::string& text, std::array<std::uint8_t, 4>& out) {
  in_addr addr{};
  if (::inet_pton(AF_INET, text.c_str(), &addr) != 1) return false;
  std::memcpy(out.data(), &addr, 4);
  return true;
}

// A host name as RFC 1123 allows it; a name made only of digits and dots is not one (it is a
// mistyped address).
bool is_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  bool all_numeric = true;
  std::size_t label = 0;
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-') {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
      if (!(c >= '0' && c <= '9')) all_numeric = false;
    } else {
      return false;
    }
    prev = c;
  }
  return label != 0 && prev != '-' && !all_numeric;
}

bool is_printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
}

class reader {
 public:
  reader(const ConstElementPtr& map, std::vector<std::string>& errors)
      : map_(map), errors_(errors) {}

  // Returns the parameter if present and of the wanted type; records an error otherwise.
  ConstElementPtr get(const std::string& name, Element::types type) {
    if (!map_) return {};
    ConstElementPtr e = map_->get(name);
    if (!e) return {};
    if (e->getType() != type) {
      errors_.push_back(name_of(name) + " must be " + type_phrase(type));
      return {};
    }
    return e;
  }

  // Returns the strings of a list parameter, recording an error for each non-string item.
  // Items of the wrong type are kept as nullopt so the other items keep their index.
  bool strings(const std::string& name, std::vector<std::optional<std::string>>& out) {
    const ConstElementPtr list = get(name, Element::list);
    if (!list) return false;
    const auto& items = list->listValue();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i] || items[i]->getType() != Element::string) {
        errors_.push_back(item_of(name, i) + " must be a string");
        out.emplace_back(std::nullopt);
        continue;
      }
      out.push_back(items[i]->stringValue());
    }
    return true;
  }

  void error(std::string message) { errors_.push_back(std::move(message)); }

 private:
  static std::string type_phrase(Element::types type) {
    switch (type) {
      case Element::integer:
        return "an integer";
      case Element::boolean:
        return "a boolean";
      case Element::string:
        return "a string";
      case Element::list:
        return "a list";
      case Element::map:
        return "a map";
      default:
        return "of type " + Element::typeToName(type);
    }
  }

  const ConstElementPtr& map_;
  std::vector<std::string>& errors_;
};

void read_url(reader& r, const std::string& name, std::string& out) {
  if (const auto e = r.get(name, Element::string)) {
    const std::string& v = e->stringValue();
    if (v.empty() || v.size() > max_option_bytes || !is_printable_ascii(v)) {
      r.error(name_of(name) + " must be 1 to 255 printable ASCII characters");
    } else {
      out = v;
    }
  }
}

void read_path(reader& r, const std::string& name, std::size_t max_bytes, std::string& out) {
  if (const auto e = r.get(name, Element::string)) {
    const std::string& v = e->stringValue();
    if (v.empty() || v.front() != '/') {
      r.error(name_of(name) + " must be an absolute path, not " + shown(v));
    } else if (v.size() > max_bytes) {
      r.error(name_of(name) + " must be at most " + std::to_string(max_bytes) + " bytes long");
    } else if (v.find('\0') != std::string::npos) {
      r.error(name_of(name) + " must not contain NUL bytes");
    } else {
      out = v;
    }
  }
}

}  // namespace

const std::vector<std::string>& known_parameters() {
  static const std::vector<std::string> names = {
      "station-address",      "tftp-server-addresses", "provisioning-url",
      "provisioning-url-159", "vendor-class-patterns", "mac-ouis",
      "event-socket",         "policy-file",           "policy-missing",
      "honour-prl",           "event-queue-capacity",  "policy-check-interval-ms"};
  return names;
}

parsed_config parse_hook_config(const ConstElementPtr& parameters) {
  parsed_config out;
  hook_config& c = out.config;
  std::vector<std::string>& errors = out.errors;
  if (parameters && parameters->getType() != Element::map) {
    errors.push_back("the hook's parameters must be a map");
    return out;
  }
  if (parameters) {
    for (const auto& [name, value] : parameters->mapValue()) {
      const auto& known = known_parameters();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        errors.push_back("unknown parameter " + shown(name));
      }
    }
  }
  reader r(parameters, errors);

  bool station_is_ipv4 = false;
  std::array<std::uint8_t, 4> station_ipv4{};
  if (const auto e = r.get("station-address", Element::string)) {
    const std::string& v = e->stringValue();
    station_is_ipv4 = parse_ipv4(v, station_ipv4);
    if (!station_is_ipv4 && !is_host_name(v)) {
      r.error("'station-address' must be an IPv4 address or a host name, not " + shown(v));
    } else {
      c.station_address = v;
    }
  } else if (!parameters || !parameters->get("station-address")) {
    r.error("'station-address' is required");
  }

  std::vector<std::optional<std::string>> servers;
  if (r.strings("tftp-server-addresses", servers)) {
    if (servers.size() > max_tftp_servers) {
      r.error("'tftp-server-addresses' holds more than " + std::to_string(max_tftp_servers) +
              " addresses");
    }
    for (std::size_t i = 0; i < servers.size() && i < max_tftp_servers; ++i) {
      if (!servers[i]) continue;
      std::array<std::uint8_t, 4> a{};
      if (parse_ipv4(*servers[i], a)) {
        c.tftp_server_addresses.push_back(a);
      } else {
        r.error(item_of("tftp-server-addresses", i) + " must be an IPv4 address, not " +
                shown(*servers[i]));
      }
    }
  } else if (!parameters || !parameters->get("tftp-server-addresses")) {
    // Without the parameter, option 150 points at the station when its address is an IPv4
    // address; a station known only by name gets no option 150.
    if (station_is_ipv4) c.tftp_server_addresses.push_back(station_ipv4);
  }

  read_url(r, "provisioning-url", c.provisioning_url);
  read_url(r, "provisioning-url-159", c.provisioning_url_159);

  std::vector<std::optional<std::string>> patterns;
  const bool has_patterns = r.strings("vendor-class-patterns", patterns);
  if (!has_patterns && (!parameters || !parameters->get("vendor-class-patterns"))) {
    for (std::string_view d : phone_matcher::default_patterns()) patterns.emplace_back(d);
  }
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    if (!patterns[i]) continue;
    auto p = phone_matcher::parse_pattern(*patterns[i]);
    if (p) {
      c.vendor_class_patterns.push_back(std::move(p).value());
    } else {
      r.error(item_of("vendor-class-patterns", i) + " " + p.message());
    }
  }

  std::vector<std::optional<std::string>> ouis;
  const bool has_ouis = r.strings("mac-ouis", ouis);
  const bool ouis_absent = !parameters || !parameters->get("mac-ouis");
  for (std::size_t i = 0; i < ouis.size(); ++i) {
    if (!ouis[i]) continue;
    auto o = phone_matcher::parse_oui(*ouis[i]);
    if (o) {
      c.mac_ouis.push_back(*o);
    } else {
      r.error(item_of("mac-ouis", i) + " " + o.message() + ", not " + shown(*ouis[i]));
    }
  }
  // Only when both parameters were well-formed lists (or absent): a type error was reported.
  const bool lists_ok =
      (has_patterns || !parameters || !parameters->get("vendor-class-patterns")) &&
      (has_ouis || ouis_absent);
  if (lists_ok && patterns.empty() && ouis.empty()) {
    r.error("'vendor-class-patterns' and 'mac-ouis' are both empty: no phone would ever match");
  }

  read_path(r, "event-socket", max_socket_path_bytes, c.event_socket);
  read_path(r, "policy-file", 4096, c.policy_file);

  if (const auto e = r.get("policy-missing", Element::string)) {
    const std::string& v = e->stringValue();
    if (v == "allow-all") {
      c.policy_missing = policy_missing_action::allow_all;
    } else if (v == "deny-all") {
      c.policy_missing = policy_missing_action::deny_all;
    } else {
      r.error("'policy-missing' must be \"allow-all\" or \"deny-all\", not " + shown(v));
    }
  }

  if (const auto e = r.get("honour-prl", Element::boolean)) c.honour_prl = e->boolValue();

  if (const auto e = r.get("event-queue-capacity", Element::integer)) {
    const std::int64_t v = e->intValue();
    if (v < static_cast<std::int64_t>(min_queue_capacity) ||
        v > static_cast<std::int64_t>(max_queue_capacity)) {
      r.error("'event-queue-capacity' must be between " + std::to_string(min_queue_capacity) +
              " and " + std::to_string(max_queue_capacity) + ", not " + std::to_string(v));
    } else {
      c.event_queue_capacity = static_cast<std::size_t>(v);
    }
  }

  if (const auto e = r.get("policy-check-interval-ms", Element::integer)) {
    const std::int64_t v = e->intValue();
    if (v < min_check_interval_ms || v > max_check_interval_ms) {
      r.error("'policy-check-interval-ms' must be between " +
              std::to_string(min_check_interval_ms) + " and " +
              std::to_string(max_check_interval_ms) + ", not " + std::to_string(v));
    } else {
      c.policy_check_interval = std::chrono::milliseconds(v);
    }
  }
  return out;
}

}  // namespace provstation::kea
