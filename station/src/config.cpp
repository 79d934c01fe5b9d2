// SPDX-License-Identifier: Apache-2.0
#include <provstation/config.hpp>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace provstation {

namespace {

// A whole decimal port number 0..65535, nothing else.
std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string endpoint_config::str() const {
  if (address.find(':') != std::string::npos) return fmt::format("[{}]:{}", address, port);
  return fmt::format("{}:{}", address, port);
}

result<endpoint_config> parse_endpoint(std::string_view text) {
  endpoint_config out;
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error(fmt::format("expected \"[ADDRESS]:PORT\", got \"{}\"", text));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return make_error(fmt::format("expected \"ADDRESS:PORT\", got \"{}\"", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto value = parse_port(port);
  if (host.empty() || !value) {
    return make_error(fmt::format("expected \"ADDRESS:PORT\", got \"{}\"", text));
  }
  out.address = std::string(host);
  out.port = *value;
  return out;
}

namespace {

// Reads the table, checking that every key in it is known, so that typos are reported.
class reader {
 public:
  explicit reader(const toml::table& root) : root_(root) {}

  const toml::table* section(std::string_view name, std::initializer_list<std::string_view> keys) {
    const toml::node* node = root_.get(name);
    if (node == nullptr) return nullptr;
    const toml::table* t = node->as_table();
    if (t == nullptr) {
      fail(fmt::format("{}: expected a table", name));
      return nullptr;
    }
    std::set<std::string_view> known(keys);
    for (const auto& [k, v] : *t) {
      if (!known.contains(k.str())) fail(fmt::format("{}.{}: unknown key", name, k.str()));
    }
    return t;
  }

  void string(const toml::table* t, std::string_view section, std::string_view key,
              std::string& out) {
    if (t == nullptr) return;
    if (const toml::node* n = t->get(key)) {
      if (auto v = n->value<std::string>()) {
        out = *v;
      } else {
        fail(fmt::format("{}.{}: expected a string", section, key));
      }
    }
  }

  template <class Int>
  void integer(const toml::table* t, std::string_view section, std::string_view key, Int& out,
               std::int64_t min, std::int64_t max) {
    if (t == nullptr) return;
    if (const toml::node* n = t->get(key)) {
      auto v = n->value<std::int64_t>();
      if (!v || !n->is_integer()) {
        fail(fmt::format("{}.{}: expected an integer", section, key));
      } else if (*v < min || *v > max) {
        fail(fmt::format("{}.{}: {} is outside {}..{}", section, key, *v, min, max));
      } else {
        out = static_cast<Int>(*v);
      }
    }
  }

  void boolean(const toml::table* t, std::string_view section, std::string_view key, bool& out) {
    if (t == nullptr) return;
    if (const toml::node* n = t->get(key)) {
      if (auto v = n->value<bool>(); v && n->is_boolean()) {
        out = *v;
      } else {
        fail(fmt::format("{}.{}: expected true or false", section, key));
      }
    }
  }

  void endpoint(const toml::table* t, std::string_view section, std::string_view key,
                endpoint_config& out) {
    std::string text;
    string(t, section, key, text);
    if (text.empty()) return;
    auto e = parse_endpoint(text);
    if (!e) {
      fail(fmt::format("{}.{}: {}", section, key, e.message()));
    } else {
      out = *e;
    }
  }

  void one_of(std::string_view section, std::string_view key, const std::string& value,
              std::initializer_list<std::string_view> allowed) {
    for (auto a : allowed) {
      if (value == a) return;
    }
    std::string list;
    for (auto a : allowed) list += fmt::format("{}\"{}\"", list.empty() ? "" : ", ", a);
    fail(fmt::format("{}.{}: \"{}\" is not one of {}", section, key, value, list));
  }

  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  const std::string& error() const { return error_; }

 private:
  const toml::table& root_;
  std::string error_;
};

}  // namespace

result<config> parse_config(std::string_view text) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return make_error(fmt::format("line {}: {}", e.source().begin.line, e.description()));
  }
  config c;
  reader r(root);
  std::set<std::string_view> sections{"bench",    "tftp",  "http",      "syslog",
                                      "kea",      "store", "dashboard", "profiles",
                                      "firmware", "log",   "station"};
  for (const auto& [k, v] : root) {
    if (!sections.contains(k.str())) r.fail(fmt::format("{}: unknown section", k.str()));
  }
  const auto* bench = r.section("bench", {"address", "netns"});
  r.string(bench, "bench", "address", c.bench.address);
  r.string(bench, "bench", "netns", c.bench.netns);
  const auto* tftp = r.section("tftp", {"listen", "max_blksize", "max_windowsize", "max_transfers",
                                       "max_per_client", "port_range", "enabled"});
  r.endpoint(tftp, "tftp", "listen", c.tftp.listen);
  r.integer(tftp, "tftp", "max_blksize", c.tftp.max_blksize, 512, 65464);
  r.integer(tftp, "tftp", "max_windowsize", c.tftp.max_windowsize, 1, 64);
  r.integer(tftp, "tftp", "max_transfers", c.tftp.max_transfers, 1, 100000);
  r.integer(tftp, "tftp", "max_per_client", c.tftp.max_per_client, 1, 100000);
  {
    std::string range;
    r.string(tftp, "tftp", "port_range", range);
    if (!range.empty()) {
      const auto colon = range.find(':');
      const auto first = colon == std::string::npos ? std::nullopt
                                                    : parse_port(range.substr(0, colon));
      const auto last = colon == std::string::npos ? std::nullopt
                                                   : parse_port(range.substr(colon + 1));
      if (!first || !last || *first == 0 || *last < *first) {
        r.fail(fmt::format("tftp.port_range: expected \"FIRST:LAST\" (1-65535), got \"{}\"",
                           range));
      } else {
        c.tftp.port_first = *first;
        c.tftp.port_last = *last;
      }
    }
  }
  r.boolean(tftp, "tftp", "enabled", c.tftp.enabled);
  const auto* http = r.section("http", {"listen", "enabled"});
  r.endpoint(http, "http", "listen", c.http.listen);
  r.boolean(http, "http", "enabled", c.http.enabled);
  const auto* syslog = r.section("syslog", {"listen"});
  r.endpoint(syslog, "syslog", "listen", c.syslog.listen);
  const auto* kea = r.section(
      "kea", {"event_socket", "policy_file", "lease_file", "policy_mode", "allowed_user"});
  r.string(kea, "kea", "event_socket", c.kea.event_socket);
  r.string(kea, "kea", "policy_file", c.kea.policy_file);
  r.string(kea, "kea", "lease_file", c.kea.lease_file);
  r.string(kea, "kea", "policy_mode", c.kea.policy_mode);
  r.string(kea, "kea", "allowed_user", c.kea.allowed_user);
  r.one_of("kea", "policy_mode", c.kea.policy_mode, {"all", "scanned", "not-shipped"});
  const auto* store = r.section("store", {"path"});
  r.string(store, "store", "path", c.store.path);
  const auto* dashboard = r.section("dashboard", {"listen"});
  r.endpoint(dashboard, "dashboard", "listen", c.dashboard.listen);
  const auto* profiles =
      r.section("profiles", {"per_device_scheme", "resync_periodic", "resync_error_retry_delay",
                             "upgrade_error_retry_delay", "unscanned", "gzip", "encrypt",
                             "key_file", "digest"});
  r.string(profiles, "profiles", "per_device_scheme", c.profiles.per_device_scheme);
  r.one_of("profiles", "per_device_scheme", c.profiles.per_device_scheme, {"http", "tftp"});
  r.integer(profiles, "profiles", "resync_periodic", c.profiles.resync_periodic_s, 5, 86400);
  r.integer(profiles, "profiles", "resync_error_retry_delay", c.profiles.resync_error_retry_delay_s,
            5, 86400);
  r.integer(profiles, "profiles", "upgrade_error_retry_delay",
            c.profiles.upgrade_error_retry_delay_s, 5, 86400);
  r.string(profiles, "profiles", "unscanned", c.profiles.unscanned);
  r.one_of("profiles", "unscanned", c.profiles.unscanned, {"seed", "quarantine"});
  r.boolean(profiles, "profiles", "gzip", c.profiles.gzip);
  r.boolean(profiles, "profiles", "encrypt", c.profiles.encrypt);
  r.string(profiles, "profiles", "key_file", c.profiles.key_file);
  r.string(profiles, "profiles", "digest", c.profiles.digest);
  r.one_of("profiles", "digest", c.profiles.digest, {"md5", "sha256"});
  if (c.profiles.encrypt && c.profiles.key_file.empty()) {
    r.fail("profiles.key_file: required when profiles.encrypt = true");
  }
  const auto* firmware = r.section("firmware", {"dir"});
  r.string(firmware, "firmware", "dir", c.firmware.dir);
  const auto* log = r.section("log", {"level"});
  r.string(log, "log", "level", c.log.level);
  r.one_of("log", "level", c.log.level,
           {"trace", "debug", "info", "warn", "warning", "error", "critical", "off"});
  const auto* station = r.section("station", {"user"});
  r.string(station, "station", "user", c.user);

  if (!r.error().empty()) return make_error(r.error());
  if (c.bench.address.empty()) {
    return make_error(
        "bench.address: required (the address phones reach the station at, e.g. \"10.66.0.1\")");
  }
  if (c.tftp.listen.address.empty()) c.tftp.listen = {c.bench.address, 69};
  if (c.http.listen.address.empty()) c.http.listen = {c.bench.address, 80};
  if (c.syslog.listen.address.empty()) c.syslog.listen = {c.bench.address, 514};
  return c;
}

result<config> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(fmt::format("cannot read {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = parse_config(ss.str());
  if (!c) return make_error(fmt::format("{}: {}", path, c.message()));
  return c;
}

}  // namespace provstation
