// SPDX-License-Identifier: Apache-2.0
// provstation-phonesim: simulated Cisco SPA phones (phone, fleet, make-firmware, udhcpc-script).
#include <provstation/phonesim/dhcp.hpp>
#include <provstation/phonesim/fleet.hpp>

#include "src/commands.hpp"
#include "src/process.hpp"

#include <CLI/CLI.hpp>

#include <set>
#include <sstream>

namespace ps = provstation::phonesim;

namespace {

std::set<int> parse_indices(const std::string& text) {
  std::set<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.insert(std::stoi(item));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Simulated Cisco SPA phones for provstation tests and demos"};
  app.require_subcommand(1);

  ps::phone_command phone;
  auto* phone_cmd =
      app.add_subcommand("phone", "Run one phone in this network namespace until SIGTERM");
  phone_cmd->add_option("--iface", phone.iface, "Interface (its MAC is the phone's)");
  phone_cmd->add_option("--model", phone.model, "Model, e.g. SPA525G2 ($PN)");
  phone_cmd->add_option("--serial", phone.serial, "Serial on the box label")->required();
  phone_cmd->add_option("--report-serial", phone.report_serial,
                        "Serial the phone reports (wrong box)");
  phone_cmd->add_option("--swver", phone.swver, "Firmware version at power-on");
  phone_cmd->add_option("--hwver", phone.hwver, "Hardware version");
  phone_cmd->add_option("--mac", phone.mac, "MAC address (default: the interface's)");
  phone_cmd->add_option("--time-scale", phone.time_scale, "Multiply every delay by this")
      ->check(CLI::PositiveNumber);
  phone_cmd->add_option("--boot-delay", phone.boot_delay_s,
                        "Reboot time after an upgrade, seconds");
  phone_cmd->add_flag("--no-dhcp", phone.no_dhcp, "Use --ip and --opt66 instead of DHCP");
  phone_cmd->add_option("--ip", phone.ip, "Address with --no-dhcp ($IP)");
  phone_cmd->add_option("--opt66", phone.opt66,
                        "Provisioning server with --no-dhcp: host[:port] or URL");
  phone_cmd->add_option("--ca-file", phone.ca_file, "Verify https servers against this CA");
  phone_cmd->add_option("--log-level", phone.log_level, "trace, debug, info, warn, error, off");

  ps::fleet_options fleet;
  std::string wrong_box;
  std::string unscanned;
  std::string cleanup_prefix;
  auto* fleet_cmd = app.add_subcommand("fleet", "Run N phones, each in its own network namespace");
  fleet_cmd->add_option("--bench-netns", fleet.bench_netns, "Namespace with the bench bridge");
  fleet_cmd->add_option("--bridge", fleet.bridge, "Bridge in that namespace");
  fleet_cmd->add_option("--count", fleet.count, "Number of phones");
  fleet_cmd->add_option("--prefix", fleet.prefix, "Name prefix of namespaces and veths");
  fleet_cmd->add_option("--model", fleet.model, "Model of every phone");
  fleet_cmd->add_option("--swver", fleet.swver, "Firmware at power-on");
  fleet_cmd->add_option("--mac-base", fleet.mac_base, "Phone i gets mac-base + i");
  fleet_cmd->add_option("--serial-prefix", fleet.serial_prefix,
                        "Serials are prefix + 4 characters");
  fleet_cmd->add_option("--wrong-box", wrong_box, "1-based indices of phones in the wrong box");
  fleet_cmd->add_option("--unscanned", unscanned, "1-based indices left out of the manifest");
  fleet_cmd->add_option("--time-scale", fleet.time_scale, "Multiply every delay by this")
      ->check(CLI::PositiveNumber);
  fleet_cmd->add_option("--manifest", fleet.manifest, "Write the box manifest CSV here");
  fleet_cmd->add_option("--log-level", fleet.log_level, "Log level of the phones");
  fleet_cmd->add_option("--ca-file", fleet.ca_file, "CA for https, passed to the phones");
  fleet_cmd->add_option("--cleanup", cleanup_prefix, "Only remove the leftovers of this prefix");

  ps::make_firmware_command fw;
  auto* fw_cmd = app.add_subcommand("make-firmware", "Write a simulated firmware image");
  fw_cmd->add_option("--models", fw.models, "Models the image is for")->delimiter(',')->required();
  fw_cmd->add_option("--version", fw.version, "Its version")->required();
  fw_cmd->add_option("--size", fw.size, "Total size in bytes")->required();
  fw_cmd->add_option("--out", fw.out, "Output file")->required();
  fw_cmd->add_option("--seed", fw.seed, "Seed of the random bytes");

  std::string script_out;
  std::string script_event;
  auto* script_cmd = app.add_subcommand("udhcpc-script", "udhcpc event hook (used by phone)");
  script_cmd->add_option("--out", script_out, "Lease file")->required();
  script_cmd->add_option("event", script_event, "deconfig, bound, renew, leasefail, nak")
      ->required();

  CLI11_PARSE(app, argc, argv);

  try {
    if (*phone_cmd) return ps::run_phone_command(phone);
    if (*fw_cmd) return ps::run_make_firmware_command(fw);
    if (*script_cmd) return ps::run_udhcpc_script(script_event, script_out);
    if (!cleanup_prefix.empty()) return ps::cleanup_fleet(cleanup_prefix);
    fleet.wrong_box = parse_indices(wrong_box);
    fleet.unscanned = parse_indices(unscanned);
    if (fleet.bench_netns.empty() || fleet.bridge.empty() || fleet.prefix.empty() ||
        fleet.count < 1) {
      std::fprintf(stderr,
                   "fleet needs --bench-netns, --bridge, --prefix and --count (or --cleanup P)\n");
      return 2;
    }
    return ps::run_fleet(fleet, ps::detail::self_executable());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "provstation-phonesim: %s\n", e.what());
    return 1;
  }
}
