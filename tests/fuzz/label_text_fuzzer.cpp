// SPDX-License-Identifier: Apache-2.0
// Fuzzes the label parsers: any bytes, read as keyboard-wedge text, as one barcode value and as
// lines of a pairing session, give fields or an error; what they give is self-consistent and
// the same on a second read.
#include <provstation/scanner/field.hpp>
#include <provstation/scanner/oui_registry.hpp>
#include <provstation/scanner/scan_session.hpp>
#include <provstation/scanner/scan_text.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using provstation::scanner::scan_fields;

void check(const scan_fields& f) {
  if (f.mac) {
    auto again = provstation::mac_address::parse(f.mac->str());
    if (!again.ok() || *again != *f.mac || (f.mac->bytes()[0] & 0x01) != 0) std::abort();
  }
  if (f.serial && (f.serial->empty() || f.serial->size() > 40)) std::abort();
  if (f.model && f.model->empty()) std::abort();
  if (f.complete() != (f.mac && f.serial && f.model)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sc = provstation::scanner;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The first byte picks a batch model, so context-dependent readings are fuzzed too.
  static const char* const models[] = {nullptr, "SPA525G2", "SPA942", "2200-48500-025", "IP480"};
  const char* model = size > 0 ? models[data[0] % 5] : nullptr;
  sc::label_context ctx;
  if (model != nullptr) ctx.model = model;
  ctx.ouis = &sc::oui_registry::none();

  auto first = sc::parse_scan_text(text, ctx);
  auto second = sc::parse_scan_text(text, ctx);
  if (first.ok() != second.ok()) std::abort();
  if (first.ok()) {
    check(*first);
    if (first->mac != second->mac || first->serial != second->serial ||
        first->model != second->model) {
      std::abort();
    }
  } else if (first.message().empty() || first.message() != second.message()) {
    std::abort();
  }

  auto f = sc::classify(text, ctx);
  if (f.ok() && f->kind == sc::field_kind::combined && f->parts.empty()) std::abort();

  sc::scan_session session;
  auto now = sc::scan_session::clock::time_point{};
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\n') continue;
    auto up = session.feed(text.substr(start, i - start), now, ctx);
    check(up.fields);
    if (up.status == sc::scan_status::complete && !up.fields.complete()) std::abort();
    now += std::chrono::seconds(7);
    start = i + 1;
  }
  session.undo(now, ctx);
  return 0;
}
