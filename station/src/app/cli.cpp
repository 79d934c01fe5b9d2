// SPDX-License-Identifier: Apache-2.0
// The command line: every subcommand and its options, handed over to the app's commands.
#include "app/cli.hpp"

#include "app/commands.hpp"
#include "app/demo.hpp"

#include <provstation/log.hpp>
#include <provstation/tftpd/standalone_cli.hpp>
#include <provstation/version.hpp>

#include <CLI/CLI.hpp>

#include <iostream>
#include <string_view>

namespace provstation::app {

int run_cli(int argc, char** argv) {
  // The image decoder's worker process: this binary again, before any other parsing.
  if (argc >= 2 && std::string_view(argv[1]) == "scan-worker")
    return cmd_scan_worker(argc - 1, argv + 1);
  CLI::App cli{"provstation: mass in-house preprovisioning of SIP phones"};
  cli.require_subcommand(1);
  store_location where;
  auto add_store = [&](CLI::App* c) {
    c->add_option("--config", where.config_path, "Config file (for store.path)");
    c->add_option("--store", where.store_path, "Store file, instead of the config's store.path");
  };
  int rc = 0;
  std::string config = "/etc/provstation/provstation.toml", ready, stage, mac, name, model, ver,
              file, rule, syslog, batch, out, dmodel;
  std::vector<std::string> targets;
  bool json = false, ship = false, all = false, copy = true;
  std::int64_t timeout = 600;
  demo_options demo;

  auto* serve = cli.add_subcommand("serve", "Run the station daemon");
  serve->add_option("--config", config, "Config file")->capture_default_str();
  serve->add_option("--ready-file", ready, "Write the bound endpoints here once listening");
  serve->callback([&] { rc = cmd_serve(config, ready); });

  auto* d =
      cli.add_subcommand("demo", "Start a demo bench: real Kea, the station, simulated phones");
  d->add_option("--phones", demo.phones, "Simulated phones")->capture_default_str();
  d->add_option("--dashboard", demo.dashboard, "Dashboard ADDRESS:PORT")->capture_default_str();
  d->add_option("--time-scale", demo.time_scale, "Phone timers × this")->capture_default_str();
  d->add_option("--dir", demo.dir, "Working directory (default: a new temporary one)");
  d->add_option("--exit-after", demo.exit_after_s, "Stop after this many seconds (0: on Ctrl-C)");
  d->add_flag("--until-settled", demo.until_settled, "Stop once every phone is settled");
  d->callback([&] { rc = run_demo(demo); });

  auto* units = cli.add_subcommand("units", "List or show units");
  units->require_subcommand(1);
  auto* ul = units->add_subcommand("list", "List units");
  add_store(ul);
  ul->add_option("--stage", stage, "Only this stage");
  ul->add_flag("--json", json, "JSON output");
  ul->callback([&] { rc = cmd_units_list(where, stage, json); });
  auto* us = units->add_subcommand("show", "Show one unit with its facts");
  add_store(us);
  us->add_option("mac", mac, "MAC address")->required();
  us->callback([&] { rc = cmd_units_show(where, mac); });

  std::string account;
  auto* ub =
      units->add_subcommand("bind", "Bind a provider account to a VERIFIED unit (then READY)");
  add_store(ub);
  ub->add_option("mac", mac, "MAC address")->required();
  ub->add_option("account", account, "Account (e.g. the SIP user)")->required();
  ub->callback([&] { rc = cmd_units_bind(where, mac, account); });

  auto* b = cli.add_subcommand("batch", "Provider orders");
  b->require_subcommand(1);
  auto* bc = b->add_subcommand("create", "Create a batch (becomes the current one)");
  add_store(bc);
  bc->add_option("name", name, "Batch name")->required();
  bc->add_option("--target", targets, "MODEL=VERSION (repeatable)");
  bc->add_option("--default-model", dmodel, "Model assumed when a scan has none");
  bc->add_option("--provider-rule", rule, "Hand-off Profile_Rule");
  bc->add_option("--provider-syslog", syslog, "Hand-off Syslog_Server");
  bc->add_option("--stage-timeout", timeout, "Seconds without progress before FAILED")
      ->capture_default_str();
  bc->callback([&] { rc = cmd_batch_create(where, name, targets, dmodel, rule, syslog, timeout); });
  auto* bm =
      b->add_subcommand("manifest", "Import the provider's expected boxes (CSV: mac,serial,model)");
  add_store(bm);
  bm->add_option("batch", batch, "Batch name or id")->required();
  bm->add_option("file", file, "CSV file")->required();
  bm->callback([&] { rc = cmd_batch_manifest(where, batch, file); });
  auto* bs = b->add_subcommand("status", "Expected vs scanned vs missing for a batch's manifest");
  add_store(bs);
  bs->add_option("batch", batch, "Batch name or id")->required();
  bs->callback([&] { rc = cmd_batch_status(where, batch); });
  auto* bl = b->add_subcommand("list", "List batches");
  add_store(bl);
  bl->callback([&] { rc = cmd_batch_list(where); });

  auto* fw = cli.add_subcommand("firmware", "The firmware catalogue");
  fw->require_subcommand(1);
  auto* fa = fw->add_subcommand("add", "Add an image (size and sha256 computed)");
  add_store(fa);
  fa->add_option("file", file, "Image file")->required();
  fa->add_option("--model", model, "Model, e.g. SPA525G2")->required();
  fa->add_option("--version", ver, "Version as the phone reports it, e.g. 7.5.5")->required();
  fa->add_flag("!--no-copy", copy, "Serve the file where it is instead of copying it");
  fa->callback([&] { rc = cmd_firmware_add(where, file, model, ver, copy); });
  auto* fl = fw->add_subcommand("list", "List images");
  add_store(fl);
  fl->callback([&] { rc = cmd_firmware_list(where); });

  auto* ex = cli.add_subcommand("export", "Write the provider's CSV");
  add_store(ex);
  ex->add_option("--batch", batch, "Batch name or id (default: all)");
  ex->add_option("--out", out, "Output file (default: stdout)");
  ex->add_flag("--ship", ship, "Mark the exported units SHIPPED");
  ex->add_flag("--all", all, "Include units that are not verified yet");
  ex->callback([&] { rc = cmd_export(where, batch, out, ship, all); });

  provstation::tftpd::standalone_cli tftp;
  auto* t = cli.add_subcommand("tftpd", "Serve a plain directory over TFTP (no phones logic)");
  provstation::tftpd::add_standalone_options(*t, tftp);
  t->callback([&] {
    rc = provstation::tftpd::finish_standalone_options(tftp);
    if (rc == 0) rc = provstation::tftpd::run_standalone(tftp.options);
  });

  std::vector<std::string> images;
  auto* sc = cli.add_subcommand("scan", "Read box labels from images: one JSON object per file");
  sc->add_option("files", images, "PNG or JPEG images")->required();
  sc->add_option("--model", dmodel, "Model assumed when the label has none");
  sc->callback([&] { rc = cmd_scan(images, dmodel); });

  auto* v = cli.add_subcommand("version", "Print the version");
  v->callback([] { std::cout << "provstation " << provstation::version() << "\n"; });

  provstation::init_logging("info");
  CLI11_PARSE(cli, argc, argv);
  return rc;
}

}  // namespace provstation::app
