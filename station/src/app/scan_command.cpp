// SPDX-License-Identifier: Apache-2.0
#include "app/commands.hpp"

#include <provstation/scanner/isolated_decoder.hpp>
#include <provstation/scanner/scan_text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>

namespace provstation::app {

scanner::isolation_options scan_isolation() {
  scanner::isolation_options o;
  // The worker is this executable's hidden `scan-worker` subcommand: one binary to install.
  std::error_code ec;
  o.worker_path = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  o.worker_prefix_args = {"scan-worker"};
  return o;
}

nlohmann::json describe_label(const std::vector<scanner::barcode>& codes,
                              const std::optional<std::string>& default_model) {
  nlohmann::json barcodes = nlohmann::json::array();
  std::vector<std::string> values;
  for (const auto& b : codes) {
    barcodes.push_back({{"format", b.format}, {"text", b.text}, {"symbology", b.symbology}});
    values.push_back(b.aim_text());
  }
  nlohmann::json out{{"mac", nullptr},
                     {"serial", nullptr},
                     {"model", nullptr},
                     {"barcodes", barcodes},
                     {"warnings", nlohmann::json::array()}};
  scanner::label_context ctx;
  ctx.model = default_model;
  auto fields = scanner::parse_scan_values(values, ctx);
  if (!fields) {
    out["error"] = fields.message();
    return out;
  }
  if (fields->mac) out["mac"] = fields->mac->str();
  if (fields->serial) out["serial"] = *fields->serial;
  if (fields->model) out["model"] = *fields->model;
  out["warnings"] = fields->warnings;
  return out;
}

int cmd_scan(const std::vector<std::string>& files, const std::string& default_model) {
  const auto iso = scan_isolation();
  std::optional<std::string> model;
  if (!default_model.empty()) model = default_model;
  int rc = 0;
  for (const auto& f : files) {
    auto codes = scanner::decode_image_file_isolated(f, iso);
    nlohmann::json line;
    if (!codes) {
      line = {{"mac", nullptr},
              {"serial", nullptr},
              {"model", nullptr},
              {"barcodes", nlohmann::json::array()},
              {"error", codes.message()}};
      rc = 1;
    } else {
      line = describe_label(*codes, model);
    }
    line["file"] = f;
    // stdout carries only the JSON, one object per file; logs go to stderr.
    std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return rc;
}

int cmd_scan_worker(int argc, char** argv) {
  return scanner::run_scan_worker(argc, argv);
}

}  // namespace provstation::app
