// SPDX-License-Identifier: Apache-2.0
#include <provstation/scanner/catalog.hpp>

#include "text.hpp"

#include <array>
#include <regex>
#include <vector>

namespace provstation::scanner {

namespace {

// Built-in MA-L prefixes, checked against Debian ieee-data 20220827 (oui.csv). The registry, when
// installed, is consulted as well; this table is what works without it.
constexpr std::string_view cisco_ouis[] = {
    // Cisco Systems, Inc (SPA5xx and CP-series phones seen on the bench).
    "0023AB", "001EBE", "E4C722", "6C416A", "E05FB9", "8843E1", "0002FD", "649EF3", "001DE5",
    // Cisco-Linksys, LLC (formerly Sipura Technology: SPA9xx, SPA2102, PAP2T …).
    "000E08", "000C41", "000F66", "001217", "001310", "0014BF", "0016B6", "001839", "0018F8",
    "001A70", "001C10", "001D7E", "001EE5", "002129", "00226B", "002369", "00259C", "C0C1C0",
    "C8D719", "20AA4B", "48F8B3", "586D8F", "687F74", "98FC11", "C8B373",
    // The Linksys Group, Inc.
    "00045A", "000625"};
constexpr std::string_view cisco_words[] = {"cisco", "linksys", "sipura"};
constexpr std::string_view polycom_ouis[] = {"0004F2", "64167F"};
constexpr std::string_view polycom_words[] = {"polycom"};
constexpr std::string_view yealink_ouis[] = {"001565", "249AD8", "805E0C", "805EC0"};
constexpr std::string_view yealink_words[] = {"yealink"};
constexpr std::string_view mitel_ouis[] = {"001049", "08000F", "00085D", "1400E9", "0010BC"};
constexpr std::string_view mitel_words[] = {"mitel", "shoretel", "aastra"};
constexpr std::string_view grandstream_ouis[] = {"000B82", "C074AD", "EC74D7"};
constexpr std::string_view grandstream_words[] = {"grandstream"};
constexpr std::string_view snom_ouis[] = {"000413"};
constexpr std::string_view snom_words[] = {"snom"};

constexpr vendor_info vendor_table[] = {
    {"Cisco", cisco_ouis, cisco_words},
    {"Polycom", polycom_ouis, polycom_words},
    {"Yealink", yealink_ouis, yealink_words},
    {"Mitel", mitel_ouis, mitel_words},
    {"Grandstream", grandstream_ouis, grandstream_words},
    {"Snom", snom_ouis, snom_words},
};

constexpr serial_form cisco_only = serial_form::cisco_udi;
constexpr serial_form linksys_era = serial_form::linksys12 | serial_form::cisco_udi;

// Model families. Patterns run on the normalised (upper-case) model text.
constexpr model_info model_table[] = {
    // Cisco-era SPA phones and ATAs print Cisco UDI serials.
    {"SPA5[0-9]{2}G2?", "Cisco", cisco_only, {}},
    {"SPA30[13]G?", "Cisco", cisco_only, {}},
    {"SPA1[12]2|SPA232D|SPA8800", "Cisco", cisco_only, {}},
    // Linksys/Sipura-era devices: 12-character serials, later production with Cisco serials.
    {"SPA9[0-9]{2}|SPA[123][0-9]{3}|SPA8000|SPA400|PAP2T?|WRP400", "Cisco", linksys_era, {}},
    {"CP-[0-9]{4}[A-Z]?(-[A-Z0-9]+)*", "Cisco", cisco_only, {}},
    // Polycom part numbers and model names; the serial is the MAC.
    {"22[0-9]{2}-[0-9]{5}-[0-9]{3}", "Polycom", serial_form::same_as_mac, {}},
    {"(VVX|CCX) ?[0-9]{3}|SOUNDPOINT IP ?[0-9]{3}", "Polycom", serial_form::same_as_mac, {}},
    {"SIP-T[0-9]{2}[A-Z]{0,2}( E2)?|SIP-VP[0-9]{2}[A-Z]?|CP9[0-9]{2}",
     "Yealink",
     serial_form::prefixed_only,
     {}},
    // ShoreTel/Mitel 400 series boxes print only the last 6 hex digits of the MAC.
    {"IP ?4[0-9]{2}G?|IP ?230G?", "Mitel", serial_form::prefixed_only, "001049"},
    {"GXP[0-9]{4}[A-Z]{0,2}|GRP[0-9]{4}[A-Z]?", "Grandstream", serial_form::prefixed_only, {}},
    {"SNOM ?D?[0-9]{3}", "Snom", serial_form::prefixed_only, {}},
};

const std::vector<std::regex>& model_regexes() {
  static const std::vector<std::regex> compiled = [] {
    std::vector<std::regex> out;
    out.reserve(std::size(model_table));
    for (const auto& m : model_table) {
      out.emplace_back(std::string(m.pattern), std::regex::ECMAScript | std::regex::optimize);
    }
    return out;
  }();
  return compiled;
}

}  // namespace

std::span<const vendor_info> vendors() {
  return vendor_table;
}

const vendor_info* find_vendor(std::string_view name) {
  for (const auto& v : vendor_table) {
    if (detail::iequals(v.name, name)) return &v;
  }
  return nullptr;
}

const vendor_info* find_vendor_by_oui(std::string_view oui) {
  for (const auto& v : vendor_table) {
    for (std::string_view o : v.ouis) {
      if (detail::iequals(o, oui)) return &v;
    }
  }
  return nullptr;
}

bool org_names_vendor(std::string_view org, const vendor_info& vendor) {
  // Split the organisation name into lower-case alphanumeric words, so "ARMITEL Co." does not
  // count as Mitel while "YEALINK(XIAMEN) NETWORK" counts as Yealink.
  std::string word;
  auto matches = [&] {
    for (std::string_view w : vendor.org_words) {
      if (word == w) return true;
    }
    return false;
  };
  for (char c : org) {
    if (detail::is_alnum(c)) {
      word.push_back(detail::to_lower(c));
    } else if (!word.empty()) {
      if (matches()) return true;
      word.clear();
    }
  }
  return !word.empty() && matches();
}

std::string normalize_model(std::string_view model) {
  std::string out;
  out.reserve(model.size());
  for (char c : detail::trim(model)) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(detail::to_upper(c));
    }
  }
  while (!out.empty() && (out.back() == '=' || out.back() == ' ')) out.pop_back();
  return out;
}

const model_info* find_model(std::string_view model) {
  constexpr std::size_t max_model_bytes = 40;
  if (model.size() > max_model_bytes) return nullptr;
  const std::string norm = normalize_model(model);
  if (norm.empty()) return nullptr;
  const auto& regexes = model_regexes();
  for (std::size_t i = 0; i < regexes.size(); ++i) {
    if (std::regex_match(norm, regexes[i])) return &model_table[i];
  }
  return nullptr;
}

}  // namespace provstation::scanner
