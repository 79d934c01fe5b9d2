// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/scanner/isolated_decoder.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace provstation::app {

/// @brief Where the CLI finds the store: an explicit path, or the config file's store.path.
struct store_location {
  std::string config_path = "/etc/provstation/provstation.toml";
  std::string store_path;  ///< Overrides the config when set.
};

int cmd_units_list(const store_location& where, const std::string& stage, bool as_json);
int cmd_units_show(const store_location& where, const std::string& mac);
int cmd_units_bind(const store_location& where, const std::string& mac, const std::string& account);
int cmd_batch_create(const store_location& where, const std::string& name,
                     const std::vector<std::string>& targets, const std::string& default_model,
                     const std::string& provider_rule, const std::string& provider_syslog,
                     std::int64_t timeout_s);
int cmd_batch_list(const store_location& where);
int cmd_batch_manifest(const store_location& where, const std::string& batch,
                       const std::string& file);
int cmd_batch_status(const store_location& where, const std::string& batch);
int cmd_firmware_add(const store_location& where, const std::string& file, const std::string& model,
                     const std::string& version, bool copy);
int cmd_firmware_list(const store_location& where);
int cmd_export(const store_location& where, const std::string& batch, const std::string& out,
               bool ship, bool all);
/// @brief How this executable decodes images: its own hidden `scan-worker` subcommand.
scanner::isolation_options scan_isolation();

/// @brief `provstation scan FILE…`: one JSON object per file (file, mac, serial, model, barcodes).
int cmd_scan(const std::vector<std::string>& files, const std::string& default_model);
/// @brief The hidden `scan-worker` subcommand: the isolated image decoder's process.
int cmd_scan_worker(int argc, char** argv);
int cmd_serve(const std::string& config_path, const std::string& ready_file);

}  // namespace provstation::app
