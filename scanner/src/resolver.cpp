// SPDX-License-Identifier: Apache-2.0
#include "resolver.hpp"

#include "candidate.hpp"
#include "text.hpp"
#include "value_splitter.hpp"

#include <provstation/scanner/catalog.hpp>
#include <provstation/scanner/oui_registry.hpp>

#include <optional>

namespace provstation::scanner::detail {

namespace {

constexpr unsigned single_bits[] = {as_mac, as_serial, as_model, as_version, as_upc};

bool single(unsigned kinds) {
  for (unsigned b : single_bits) {
    if (kinds == b) return true;
  }
  return false;
}

std::string readings(unsigned kinds) {
  std::vector<std::string> names;
  if (kinds & as_mac) names.emplace_back("the MAC");
  if (kinds & as_serial) names.emplace_back("the serial");
  if (kinds & as_model) names.emplace_back("the model");
  if (kinds & as_version) names.emplace_back("the version");
  if (kinds & as_upc) names.emplace_back("a UPC code");
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// The state of one resolution while it runs.
//
// How it works: every value is taken apart (AIM id, GS1, ISO 15434, prefixes, combined
// payloads). The label's model is decided first, because it decides which serial forms apply
// (Cisco, Linksys, serial = MAC). Every part then gets all the readings it could have; parts
// with one reading fill their field (a different value already there is a conflict); parts with
// several readings are decided by elimination against the filled fields; what is left is
// ambiguous and reported, never guessed. Finally the MAC is checked against the vendor's OUIs.
class resolver {
 public:
  resolver(std::span<const std::string> values, const label_context& context)
      : values_(values),
        context_(context),
        ouis_(context.ouis != nullptr ? *context.ouis : oui_registry::system()) {}

  resolution run() {
    split_all();
    decide_model();
    read_parts();
    assign_definite();
    eliminate();
    settle_upc();
    report_ambiguous();
    check_mac_is_serial();
    check_mac();
    finish();
    return std::move(out_);
  }

 private:
  struct pending {
    candidate c;
    bool done = false;
    field_kind kind = field_kind::unknown;
    std::string note;
  };

  void split_all() {
    out_.fields.values.resize(values_.size());
    splits_.reserve(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) {
      splits_.push_back(split_scanned_value(values_[i]));
      auto& sv = out_.fields.values[i];
      sv.text = values_[i];
      sv.symbology = splits_.back().symbology;
      if (!splits_.back().problem.empty()) {
        sv.kind = field_kind::unknown;
        sv.note = splits_.back().problem;
        out_.fields.warnings.push_back("ignored value '" + printable(values_[i]) +
                                       "': " + splits_.back().problem);
      }
    }
  }

  void decide_model() {
    const model_context none;
    std::optional<std::string> label_model;
    for (std::size_t i = 0; i < splits_.size(); ++i) {
      for (const auto& part : splits_[i].parts) {
        for (const auto& c : make_candidates(part, i, splits_[i].symbology, none)) {
          if (!c.error.empty() || c.kinds != as_model) continue;
          if (label_model && *label_model != c.model) {
            if (!model_conflict_) {
              out_.conflicts.push_back("two different models in one scan: " + *label_model +
                                       " and " + c.model);
            }
            model_conflict_ = true;
            continue;
          }
          label_model = c.model;
        }
      }
    }
    std::optional<std::string> context_model;
    if (context_.model && !normalize_model(*context_.model).empty()) {
      context_model = normalize_model(*context_.model);
    }
    if (label_model) {
      model_.name = *label_model;
      if (context_model && *context_model != *label_model) {
        out_.fields.warnings.push_back("the label says model " + *label_model +
                                       ", the batch expects " + *context_model);
      }
    } else if (context_model) {
      model_.name = *context_model;
      out_.fields.model_from_context = true;
    }
    if (!model_.name.empty()) model_.entry = find_model(model_.name);
  }

  void read_parts() {
    for (std::size_t i = 0; i < splits_.size(); ++i) {
      for (const auto& part : splits_[i].parts) {
        for (auto& c : make_candidates(part, i, splits_[i].symbology, model_)) {
          pending p;
          p.c = std::move(c);
          if (!p.c.error.empty()) {
            out_.malformed.push_back(p.c.error);
            p.done = true;
            p.kind = field_kind::unknown;
            p.note = p.c.error;
          } else if (p.c.ignored) {
            p.done = true;
            p.kind = field_kind::ignored;
            p.note = p.c.note;
          } else if (p.c.kinds == 0) {
            p.done = true;
            p.kind = field_kind::unknown;
            p.note = p.c.note;
            out_.fields.warnings.push_back("ignored value '" + printable(p.c.text) +
                                           "': " + p.c.note);
          }
          parts_.push_back(std::move(p));
        }
      }
    }
  }

  // Puts a reading into its field; a different value already there is a conflict.
  void assign(pending& p, unsigned bit) {
    const candidate& c = p.c;
    p.done = true;
    p.note = c.note;
    switch (bit) {
      case as_mac:
        if (mac_ && *mac_ != *c.mac) {
          conflict("two different MACs in one scan: " + mac_->str() + " and " + c.mac->str());
        } else {
          mac_ = c.mac;
        }
        // For a model whose serial is its MAC, check_mac_is_serial() fills in the serial.
        p.kind = c.mac_is_serial ? field_kind::mac_serial : field_kind::mac;
        break;
      case as_serial:
        if (c.mac_is_serial) {
          // The serial is the MAC: compare it as a MAC, so a mismatch is reported once.
          p.kind = field_kind::mac_serial;
          if (mac_ && *mac_ != *c.mac) {
            conflict("two different MACs in one scan: " + mac_->str() + " and " + c.mac->str());
            break;
          }
          mac_ = c.mac;
        } else {
          p.kind = field_kind::serial;
        }
        set_serial(c.serial);
        break;
      case as_model:
        // Models were compared in decide_model(); a second one is already a conflict.
        p.kind = field_kind::model;
        break;
      case as_version:
        p.kind = field_kind::version;
        if (version_ && *version_ != c.version) {
          out_.fields.warnings.push_back("two different versions in one scan: " + *version_ +
                                         " and " + c.version + "; keeping " + *version_);
        } else {
          version_ = c.version;
        }
        break;
      case as_upc:
        p.kind = field_kind::ignored;
        p.note = "UPC code";
        break;
      default:
        break;
    }
  }

  void set_serial(const std::string& serial) {
    if (serial_ && *serial_ != serial) {
      conflict("two different serials in one scan: " + *serial_ + " and " + serial);
    } else {
      serial_ = serial;
    }
  }

  void conflict(std::string message) {
    for (const auto& m : out_.conflicts) {
      if (m == message) return;
    }
    out_.conflicts.push_back(std::move(message));
  }

  void assign_definite() {
    for (auto& p : parts_) {
      if (!p.done && single(p.c.kinds)) assign(p, p.c.kinds);
    }
  }

  // A value that is already one of the fields is that field scanned again.
  bool duplicate(pending& p) {
    const candidate& c = p.c;
    if ((c.kinds & as_mac) && mac_ && *mac_ == *c.mac) {
      assign(p, as_mac);
      return true;
    }
    if ((c.kinds & as_serial) && serial_ && *serial_ == c.serial) {
      assign(p, as_serial);
      return true;
    }
    return false;
  }

  unsigned still_possible(const candidate& c) const {
    unsigned k = c.kinds;
    if ((k & as_mac) && mac_ && *mac_ != *c.mac) k &= ~static_cast<unsigned>(as_mac);
    if ((k & as_serial) && serial_ && *serial_ != c.serial) k &= ~static_cast<unsigned>(as_serial);
    return k;
  }

  void eliminate() {
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto& p : parts_) {
        if (p.done) continue;
        if (duplicate(p)) {
          changed = true;
          continue;
        }
        const unsigned k = still_possible(p.c);
        if (k == 0) {
          p.done = true;
          conflict("'" + printable(p.c.text) + "' could only be " + readings(p.c.kinds) +
                   ", but the MAC is " + (mac_ ? mac_->str() : std::string("unset")) +
                   " and the serial is " + serial_.value_or("unset"));
          changed = true;
        } else if (single(k)) {
          assign(p, k);
          changed = true;
        }
      }
    }
  }

  // A 12-digit value with a valid UPC check digit and no MAC prefix is read as the UPC code on
  // the box unless its first digits are a phone vendor's OUI; then nobody can tell.
  void settle_upc() {
    for (auto& p : parts_) {
      if (p.done || still_possible(p.c) != (as_mac | as_upc)) continue;
      if (!phone_vendor_oui(*p.c.mac, ouis_)) {
        assign(p, as_upc);
        out_.fields.warnings.push_back("read '" + printable(p.c.text) +
                                       "' as a UPC code, not a MAC (valid check digit, OUI " +
                                       p.c.mac->oui() + " is no phone vendor's)");
      }
    }
  }

  void report_ambiguous() {
    for (auto& p : parts_) {
      if (p.done) continue;
      const unsigned k = still_possible(p.c);
      std::string why;
      if ((k & as_mac) && (k & as_serial)) {
        why = model_.name.empty() ? " (the model is not known, and some serials look like MACs)"
                                  : " (" + model_.name + " serials can look like MACs)";
      } else if ((k & as_mac) && (k & as_upc)) {
        why = " (OUI " + p.c.mac->oui() + " belongs to a phone vendor)";
      }
      out_.ambiguous.push_back("ambiguous value '" + printable(p.c.text) + "': it could be " +
                               readings(k) + why +
                               "; scan the other fields of the box too, or enter it with its "
                               "prefix (MAC: or SN:)");
      p.done = true;
      p.kind = field_kind::unknown;
      p.note = "ambiguous: " + readings(k);
    }
  }

  void check_mac_is_serial() {
    if (model_.entry == nullptr || !has(model_.entry->serials, serial_form::same_as_mac) ||
        !out_.conflicts.empty()) {
      return;
    }
    if (mac_ && serial_ && mac_->upper() != *serial_) {
      conflict("serial " + *serial_ + " differs from MAC " + mac_->str() + ", but a " +
               model_.name + " (" + std::string(model_.entry->vendor) + ") has its MAC as serial");
    } else if (mac_ && !serial_) {
      serial_ = mac_->upper();
    }
  }

  void check_mac() {
    if (!mac_) return;
    const mac_address& mac = *mac_;
    if (mac.bytes()[0] & 0x02) {
      out_.fields.warnings.push_back("MAC " + mac.str() +
                                     " is a locally administered address, not a factory MAC");
      return;
    }
    if (model_.entry == nullptr) return;
    const vendor_info* vendor = find_vendor(model_.entry->vendor);
    if (vendor == nullptr) return;
    const std::string oui = mac.oui();
    if (const vendor_info* builtin = find_vendor_by_oui(oui)) {
      if (builtin != vendor) {
        out_.fields.warnings.push_back("MAC " + mac.str() + " has OUI " + oui + " of " +
                                       std::string(builtin->name) + ", but " + model_.name +
                                       " is a " + std::string(vendor->name) + " phone");
      }
      return;
    }
    if (auto org = ouis_.organization(mac)) {
      const bool unassigned =
          detail::iequals(*org, "IEEE Registration Authority") || detail::iequals(*org, "Private");
      if (!unassigned && !org_names_vendor(*org, *vendor)) {
        out_.fields.warnings.push_back("MAC " + mac.str() + " has OUI " + oui + " registered to " +
                                       std::string(*org) + ", but " + model_.name + " is a " +
                                       std::string(vendor->name) + " phone");
      }
    } else if (!ouis_.empty()) {
      out_.fields.warnings.push_back("MAC " + mac.str() + " has OUI " + oui +
                                     ", which is not registered with the IEEE");
    }
  }

  void finish() {
    scan_fields& f = out_.fields;
    f.mac = mac_;
    f.serial = serial_;
    f.version = version_;
    if (!model_.name.empty()) f.model = model_.name;
    if (model_.entry != nullptr) f.vendor = std::string(model_.entry->vendor);
    std::vector<std::size_t> count(values_.size(), 0);
    for (const auto& p : parts_) ++count[p.c.value_index];
    for (const auto& p : parts_) {
      part_outcome o;
      o.value_index = p.c.value_index;
      o.kind = p.kind;
      o.note = p.note;
      switch (p.kind) {
        case field_kind::mac:
        case field_kind::mac_serial:
          o.value = p.c.mac->str();
          break;
        case field_kind::serial:
          o.value = p.c.serial;
          break;
        case field_kind::model:
          o.value = p.c.model;
          if (p.c.model_entry != nullptr) o.vendor = std::string(p.c.model_entry->vendor);
          break;
        case field_kind::version:
          o.value = p.c.version;
          break;
        default:
          o.value = p.c.text;
          break;
      }
      auto& sv = f.values[p.c.value_index];
      if (count[p.c.value_index] > 1 || splits_[p.c.value_index].combined) {
        sv.kind = field_kind::combined;
      } else {
        sv.kind = p.kind;
        sv.note = p.note;
      }
      out_.parts.push_back(std::move(o));
    }
  }

  std::span<const std::string> values_;
  const label_context& context_;
  const oui_registry& ouis_;
  resolution out_;
  std::vector<split_value> splits_;
  std::vector<pending> parts_;
  model_context model_;
  bool model_conflict_ = false;
  std::optional<mac_address> mac_;
  std::optional<std::string> serial_;
  std::optional<std::string> version_;
};

}  // namespace

std::string resolution::message() const {
  std::string out;
  for (const auto* list : {&malformed, &conflicts, &ambiguous}) {
    for (const auto& m : *list) {
      if (!out.empty()) out += "; ";
      out += m;
    }
  }
  return out;
}

resolution resolve(std::span<const std::string> values, const label_context& context) {
  return resolver(values, context).run();
}

}  // namespace provstation::scanner::detail
