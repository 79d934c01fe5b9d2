// SPDX-License-Identifier: Apache-2.0
#include "candidate.hpp"

#include "text.hpp"

#include <provstation/scanner/catalog.hpp>
#include <provstation/scanner/oui_registry.hpp>

namespace provstation::scanner::detail {

namespace {

constexpr std::size_t min_serial_bytes = 4;
constexpr std::size_t max_serial_bytes = 40;
constexpr std::size_t max_version_bytes = 16;

// Cisco UDI serial: LLLYYWWSSSS with week 01-53.
bool cisco_serial_shape(std::string_view u) {
  if (u.size() != 11) return false;
  for (std::size_t i = 0; i < 3; ++i) {
    if (!is_upper(u[i])) return false;
  }
  for (std::size_t i = 3; i < 7; ++i) {
    if (!is_digit(u[i])) return false;
  }
  const int week = (u[5] - '0') * 10 + (u[6] - '0');
  if (week < 1 || week > 53) return false;
  for (std::size_t i = 7; i < 11; ++i) {
    if (!is_upper(u[i]) && !is_digit(u[i])) return false;
  }
  return true;
}

// Linksys/Sipura-era serial: 12 (Sipura also 14) upper-case alphanumerics.
bool linksys_serial_shape(std::string_view u) {
  if (u.size() != 12 && u.size() != 14) return false;
  for (char c : u) {
    if (!is_upper(c) && !is_digit(c)) return false;
  }
  return true;
}

// Cisco VID ("V02") or a short hardware version behind a prefix.
bool version_shape(std::string_view u) {
  return u.size() >= 3 && u.size() <= 4 && u[0] == 'V' && all_digits(u.substr(1));
}

bool serial_chars_ok(std::string_view u) {
  if (u.size() < min_serial_bytes || u.size() > max_serial_bytes) return false;
  for (char c : u) {
    if (!is_upper(c) && !is_digit(c) && c != '-' && c != '/' && c != '.') return false;
  }
  return true;
}

bool has_mac_separator(std::string_view s) {
  for (char c : s) {
    if (c == ':' || c == '-' || c == '.' || c == ' ') return true;
  }
  return false;
}

// A 12-digit value read from a symbology that is not EAN/UPC is not a UPC; with no AIM
// identifier we cannot tell.
bool may_be_upc(std::string_view symbology) {
  return symbology.empty() || is_ean_upc_symbology(symbology);
}

// Why a parsed MAC can not belong to a device, or empty.
std::string unusable_mac(const mac_address& mac) {
  if (mac.bytes()[0] & 0x01) return "is a multicast address";
  bool zero = true;
  for (auto b : mac.bytes()) zero = zero && b == 0;
  if (zero) return "is all zeros";
  return {};
}

std::string serial_forms_text(const model_context& model) {
  if (model.entry == nullptr) return "a known form";
  std::string out;
  auto add = [&](const char* t) {
    if (!out.empty()) out += " or ";
    out += t;
  };
  if (has(model.entry->serials, serial_form::cisco_udi)) add("a Cisco serial (LLLYYWWSSSS)");
  if (has(model.entry->serials, serial_form::linksys12)) add("a 12-character Linksys serial");
  if (has(model.entry->serials, serial_form::same_as_mac)) add("its MAC");
  if (out.empty()) out = "a known form";
  return out;
}

candidate keyed_candidate(const value_part& part, candidate c, const model_context& model) {
  const std::string u = upper(part.text);
  switch (part.key) {
    case key_kind::mac: {
      if (model.entry != nullptr && !model.entry->mac_suffix_oui.empty() && u.size() == 6 &&
          all_hex(u)) {
        auto mac = mac_address::parse(std::string(model.entry->mac_suffix_oui) + u);
        if (mac.ok()) {
          c.kinds = as_mac;
          c.mac = *mac;
          c.note = "completed from its last 6 digits with OUI " +
                   std::string(model.entry->mac_suffix_oui);
          return c;
        }
      }
      auto mac = mac_address::parse(part.text);
      if (!mac) {
        c.error = part.label + " '" + printable(part.text) + "' is not a MAC address (" +
                  mac.message() + ")";
        return c;
      }
      if (auto why = unusable_mac(*mac); !why.empty()) {
        c.error = part.label + " " + mac->str() + " " + why + "; no phone has it";
        return c;
      }
      c.kinds = as_mac;
      c.mac = *mac;
      if (model.entry != nullptr && has(model.entry->serials, serial_form::same_as_mac)) {
        c.mac_is_serial = true;
        c.serial = mac->upper();
      }
      return c;
    }
    case key_kind::serial: {
      if (!serial_chars_ok(u)) {
        c.error = part.label + " '" + printable(part.text) +
                  "' is not a serial number (4 to 40 letters, digits, '-', '/', '.')";
        return c;
      }
      c.kinds = as_serial;
      c.serial = u;
      if (model.entry != nullptr && has(model.entry->serials, serial_form::same_as_mac)) {
        auto mac = mac_address::parse(u);
        if (mac.ok() && u.size() == 12 && unusable_mac(*mac).empty()) {
          c.mac_is_serial = true;
          c.mac = *mac;
          c.serial = mac->upper();
        }
      }
      return c;
    }
    case key_kind::model: {
      const std::string norm = normalize_model(part.text);
      if (norm.empty() || norm.size() > 40) {
        c.error = part.label + " '" + printable(part.text) + "' is not a model";
        return c;
      }
      c.kinds = as_model;
      c.model = norm;
      c.model_entry = find_model(norm);
      if (c.model_entry == nullptr) c.note = "model not in the catalogue";
      return c;
    }
    case key_kind::version: {
      if (u.empty() || u.size() > max_version_bytes) {
        c.error = part.label + " '" + printable(part.text) + "' is not a version";
        return c;
      }
      c.kinds = as_version;
      c.version = u;
      return c;
    }
    case key_kind::ignored:
      c.ignored = true;
      c.note = part.label;
      return c;
    case key_kind::none:
      break;
  }
  return c;
}

candidate bare_candidate(std::string_view text, candidate c, const model_context& model) {
  const std::string u = upper(text);
  const model_info* m = model.entry;
  const bool model_known = !model.name.empty();
  // Which serial forms apply: the model's, or every bare form when the model is unknown.
  const bool cisco_form = !model_known || (m != nullptr && has(m->serials, serial_form::cisco_udi));
  const bool linksys_form =
      !model_known || (m != nullptr && has(m->serials, serial_form::linksys12));
  const bool mac_form = m != nullptr && has(m->serials, serial_form::same_as_mac);

  auto mac = mac_address::parse(text);
  std::string why;
  if (mac.ok() && text.size() <= 17) {
    why = unusable_mac(*mac);
    if (has_mac_separator(text)) {
      // Serials and models never contain MAC separators: this is a MAC or nothing.
      if (!why.empty()) {
        c.note = "MAC " + mac->str() + " " + why;
        return c;
      }
      c.kinds = as_mac;
      c.mac = *mac;
      if (mac_form) {
        c.mac_is_serial = true;
        c.serial = mac->upper();
      }
      return c;
    }
    if (why.empty()) {
      c.kinds |= as_mac;
      c.mac = *mac;
      if (mac_form) {
        c.mac_is_serial = true;
        c.serial = mac->upper();
      }
    }
    if (all_digits(u) && upc_check_ok(u) && may_be_upc(c.symbology)) c.kinds |= as_upc;
  }
  if (!c.mac_is_serial) {
    if (cisco_form && cisco_serial_shape(u)) {
      c.kinds |= as_serial;
      c.serial = u;
    }
    if (linksys_form && linksys_serial_shape(u)) {
      c.kinds |= as_serial;
      c.serial = u;
    }
  }
  if (const model_info* found = find_model(u)) {
    c.kinds |= as_model;
    c.model = normalize_model(u);
    c.model_entry = found;
  }
  if (version_shape(u)) {
    c.kinds |= as_version;
    c.version = u;
  }
  if (m != nullptr && !m->mac_suffix_oui.empty() && u.size() == 6 && all_hex(u)) {
    auto completed = mac_address::parse(std::string(m->mac_suffix_oui) + u);
    if (completed.ok()) {
      c.kinds |= as_mac;
      c.mac = *completed;
      c.note = "completed from its last 6 digits with OUI " + std::string(m->mac_suffix_oui);
    }
  }
  if (c.kinds == 0 && c.note.empty() && !why.empty()) {
    c.note = "MAC " + mac->str() + " " + why;
  } else if (c.kinds == 0 && c.note.empty()) {
    if (model_known && (serial_chars_ok(u) && (u.size() == 11 || u.size() == 12))) {
      c.note = "not a MAC, model or version, and not " + serial_forms_text(model);
    } else {
      c.note = "not a MAC, serial, model or version";
    }
  }
  return c;
}

}  // namespace

bool upc_check_ok(std::string_view digits) {
  if (digits.size() != 12 || !all_digits(digits)) return false;
  int sum = 0;
  for (std::size_t i = 0; i < 11; ++i) sum += (digits[i] - '0') * (i % 2 == 0 ? 3 : 1);
  return (sum + (digits[11] - '0')) % 10 == 0;
}

bool phone_vendor_oui(const mac_address& mac, const oui_registry& ouis) {
  if (find_vendor_by_oui(mac.oui()) != nullptr) return true;
  if (auto org = ouis.organization(mac)) {
    for (const auto& v : vendors()) {
      if (org_names_vendor(*org, v)) return true;
    }
  }
  return false;
}

std::vector<candidate> make_candidates(const value_part& part, std::size_t value_index,
                                       std::string_view symbology, const model_context& model) {
  candidate base;
  base.value_index = value_index;
  base.text = part.text;
  base.symbology = std::string(symbology);
  base.key = part.key;
  if (part.key != key_kind::none) return {keyed_candidate(part, std::move(base), model)};
  candidate whole = bare_candidate(part.text, base, model);
  if (whole.kinds != 0) return {std::move(whole)};
  // "SPA525G2 CCQ17410ABC 0023AB1C2D3E" typed on one line: use it word by word only when every
  // word is something; otherwise the line stays one unknown value.
  std::vector<candidate> words;
  std::string_view rest = part.text;
  while (!rest.empty()) {
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    std::size_t n = 0;
    while (n < rest.size() && !is_space(rest[n])) ++n;
    if (n == 0) break;
    const std::string word(rest.substr(0, n));
    candidate w = base;
    w.text = word;
    w = bare_candidate(word, std::move(w), model);
    if (w.kinds == 0) return {std::move(whole)};
    words.push_back(std::move(w));
    rest.remove_prefix(n);
  }
  if (words.size() < 2) return {std::move(whole)};
  return words;
}

}  // namespace provstation::scanner::detail
