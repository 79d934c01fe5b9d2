// SPDX-License-Identifier: Apache-2.0
#include <provstation/profiles.hpp>

#include <provstation/template.hpp>
#include <provstation/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace provstation {

namespace {

// The bench settings shared by the seed and the per-device profile.
constexpr std::string_view bench_block = R"xml(
  <Provision_Enable>Yes</Provision_Enable>
  <Resync_On_Reset>Yes</Resync_On_Reset>
  <Resync_Random_Delay>0</Resync_Random_Delay>
  <Resync_Periodic>{{timers.resync_periodic}}</Resync_Periodic>
  <Resync_Error_Retry_Delay>{{timers.resync_error_retry_delay}}</Resync_Error_Retry_Delay>
  <Resync_After_Upgrade_Attempt>Yes</Resync_After_Upgrade_Attempt>
  <Resync_Fails_On_FNF>Yes</Resync_Fails_On_FNF>
  <Upgrade_Enable>Yes</Upgrade_Enable>
  <Upgrade_Error_Retry_Delay>{{timers.upgrade_error_retry_delay}}</Upgrade_Error_Retry_Delay>
  <Upgrade_Rule>{{station.upgrade_rule}}</Upgrade_Rule>
  <Syslog_Server>{{station.syslog}}</Syslog_Server>
  <Log_Resync_Request_Msg>$PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH [ps ma=$MA sn=$SN fw=$SWVER]</Log_Resync_Request_Msg>
  <Log_Resync_Success_Msg>$PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH [ps ma=$MA sn=$SN fw=$SWVER]</Log_Resync_Success_Msg>
  <Log_Resync_Failure_Msg>$PN $MAC -- Resync failed: $ERR [ps ma=$MA sn=$SN fw=$SWVER]</Log_Resync_Failure_Msg>
  <Log_Upgrade_Request_Msg>$PN $MAC -- Requesting upgrade $SCHEME://$SERVIP:$PORT$PATH [ps ma=$MA sn=$SN fw=$SWVER]</Log_Upgrade_Request_Msg>
  <Log_Upgrade_Success_Msg>$PN $MAC -- Successful upgrade $SCHEME://$SERVIP:$PORT$PATH -- $ERR [ps ma=$MA sn=$SN fw=$SWVER]</Log_Upgrade_Success_Msg>
  <Log_Upgrade_Failure_Msg>$PN $MAC -- Upgrade failed: $ERR [ps ma=$MA sn=$SN fw=$SWVER]</Log_Upgrade_Failure_Msg>)xml";

constexpr std::string_view seed_template = R"xml(<?xml version="1.0" encoding="UTF-8"?>
<flat-profile>
  <!-- provstation seed for {{model}}: points the phone at its per-device profile -->
  <Profile_Rule>{{station.device_rule}}</Profile_Rule>{{bench}}
</flat-profile>
)xml";

constexpr std::string_view device_template = R"xml(<?xml version="1.0" encoding="UTF-8"?>
<flat-profile>
  <!-- provstation per-device profile for {{unit.mac}} ({{unit.model}} {{unit.serial}}) -->
  <Profile_Rule>{{station.device_rule}}</Profile_Rule>
  <Station_Name>{{unit.model}}-{{unit.serial}}</Station_Name>{{bench}}
</flat-profile>
)xml";

constexpr std::string_view handoff_template = R"xml(<?xml version="1.0" encoding="UTF-8"?>
<flat-profile>
  <!-- provstation hand-off for {{unit.mac}}: from here on the provider provisions it -->
  <Profile_Rule>{{batch.provider_rule}}</Profile_Rule>
  <Syslog_Server>{{batch.provider_syslog}}</Syslog_Server>
  <Resync_Periodic>3600</Resync_Periodic>
  <Resync_Error_Retry_Delay>3600</Resync_Error_Retry_Delay>
  <Upgrade_Error_Retry_Delay>3600</Upgrade_Error_Retry_Delay>
  <Resync_Random_Delay>2</Resync_Random_Delay>
  <Upgrade_Rule></Upgrade_Rule>
  <Station_Name>{{unit.account}}</Station_Name>
</flat-profile>
)xml";

std::string host_port(const std::string& address, std::uint16_t port, std::uint16_t default_port) {
  const std::string host =
      address.find(':') != std::string::npos ? fmt::format("[{}]", address) : address;
  return port == default_port ? host : fmt::format("{}:{}", host, port);
}

// Inserts the bench block, then renders; the block itself holds placeholders.
result<std::string> render_with_bench(std::string_view tmpl, template_values values) {
  std::string text(tmpl);
  const auto pos = text.find("{{bench}}");
  if (pos != std::string::npos) text.replace(pos, 9, bench_block);
  return render_template(text, values);
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

profile_builder::profile_builder(profile_settings settings) : settings_(std::move(settings)) {}

std::string profile_builder::device_rule() const {
  const bool http = settings_.device_scheme == "http";
  const std::string server = http ? host_port(settings_.bench_address, settings_.http_port, 80)
                                  : host_port(settings_.bench_address, settings_.tftp_port, 69);
  std::string rule =
      fmt::format("{}://{}/prov/$MA.xml?sn=$SN&pn=$PN&fw=$SWVER", http ? "http" : "tftp", server);
  if (settings_.encrypt) rule = fmt::format("[--key \"{}\"] {}", settings_.key, rule);
  return rule;
}

std::string profile_builder::firmware_url(const firmware_row& f) const {
  return fmt::format("tftp://{}/fw/{}", host_port(settings_.bench_address, settings_.tftp_port, 69),
                     f.file_name);
}

std::string profile_builder::upgrade_rule(const std::optional<firmware_row>& f) const {
  if (!f) return {};
  return fmt::format("( $SWVER ne {} )? {}", f->version, firmware_url(*f));
}

template_values profile_builder::common_values() const {
  return {
      {"station.device_rule", device_rule()},
      {"station.syslog", host_port(settings_.bench_address, settings_.syslog_port, 514)},
      {"timers.resync_periodic", std::to_string(settings_.resync_periodic_s)},
      {"timers.resync_error_retry_delay", std::to_string(settings_.resync_error_retry_delay_s)},
      {"timers.upgrade_error_retry_delay", std::to_string(settings_.upgrade_error_retry_delay_s)},
  };
}

result<std::string> profile_builder::seed(std::string_view model,
                                          const std::optional<firmware_row>& target) const {
  auto values = common_values();
  values["model"] = to_upper(std::string(model));
  values["station.upgrade_rule"] = upgrade_rule(target);
  return render_with_bench(seed_template, std::move(values));
}

result<std::string> profile_builder::device(const unit_record& u,
                                            const std::optional<firmware_row>& target) const {
  auto values = common_values();
  values["unit.mac"] = u.mac.str();
  values["unit.serial"] = u.serial.empty() ? u.reported_serial : u.serial;
  values["unit.model"] = u.model.empty() ? u.reported_model : u.model;
  values["station.upgrade_rule"] = upgrade_rule(target);
  return render_with_bench(device_template, std::move(values));
}

result<std::string> profile_builder::handoff(const unit_record& u, const batch_row& batch) const {
  template_values values{
      {"unit.mac", u.mac.str()},
      {"unit.account", u.account},
      {"batch.provider_rule", batch.provider_profile_rule},
      {"batch.provider_syslog", batch.provider_syslog},
  };
  return render_template(handoff_template, values);
}

std::string profile_builder::quarantine() const {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<flat-profile>\n"
         "  <!-- provstation: this phone's box has not been scanned -->\n"
         "  <Resync_Periodic>3600</Resync_Periodic>\n</flat-profile>\n";
}

std::string profile_builder::encode(std::string xml) const {
  if (settings_.gzip) xml = gzip_compress(xml);
  if (settings_.encrypt) xml = encrypt_profile(xml, settings_.key, settings_.digest);
  return xml;
}

profile_path classify_path(std::string_view path) {
  profile_path out;
  constexpr std::size_t max_path_bytes = 1024;
  if (path.size() > max_path_bytes) return out;
  std::string_view query;
  if (const auto q = path.find('?'); q != std::string_view::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const std::string p = to_lower(std::string(path));
  // /spa$PSN.cfg: the factory-default request, e.g. spa525G2.cfg or spa504g.cfg.
  if (p.size() > 7 && p.starts_with("spa") && p.ends_with(".cfg") &&
      p.find('/') == std::string::npos) {
    const std::string psn = p.substr(3, p.size() - 7);
    if (std::all_of(psn.begin(), psn.end(),
                    [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) {
      out.what = profile_path::kind::seed;
      out.model = "SPA" + to_upper(psn);
    }
    return out;
  }
  if (p.starts_with("prov/") && p.ends_with(".xml")) {
    auto mac = mac_address::parse(std::string_view(p).substr(5, p.size() - 9));
    if (!mac) return out;
    out.what = profile_path::kind::device;
    out.mac = mac->str();
    while (!query.empty()) {
      const auto amp = query.find('&');
      const auto pair = query.substr(0, amp);
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos) {
        const auto key = pair.substr(0, eq);
        std::string value = url_decode(pair.substr(eq + 1));
        if (value.size() > 64) value.resize(64);
        // A macro the phone did not expand ("$SN") reports nothing.
        if (!value.empty() && value.front() == '$') value.clear();
        if (key == "sn") out.serial = value;
        if (key == "fw") out.version = value;
        if (key == "pn") out.reported_model = to_upper(value);
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
    return out;
  }
  if (p.starts_with("fw/") && p.size() > 3 && p.find('/', 3) == std::string::npos &&
      p.find("..") == std::string::npos) {
    out.what = profile_path::kind::firmware;
    out.file_name = std::string(path.substr(3));
    return out;
  }
  return out;
}

}  // namespace provstation
