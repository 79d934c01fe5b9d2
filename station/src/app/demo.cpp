// SPDX-License-Identifier: Apache-2.0
#include "app/demo.hpp"

#include "app/bench_lab.hpp"
#include "app/http_client.hpp"

#include <provstation/log.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace provstation::app {

namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_signal(int) {
  interrupted = true;
}

struct box {
  std::string mac, serial, model;
};

std::vector<box> read_manifest(const std::string& path) {
  std::vector<box> out;
  std::ifstream in(path);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (header) {
      header = false;
      continue;
    }
    std::istringstream cells(line);
    box b;
    std::getline(cells, b.mac, ',');
    std::getline(cells, b.serial, ',');
    std::getline(cells, b.model, ',');
    if (!b.mac.empty()) out.push_back(b);
  }
  return out;
}

bool sleep_unless_interrupted(std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (interrupted) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !interrupted;
}

}  // namespace

int run_demo(const demo_options& o) {
  auto log = logger("station");
  if (::geteuid() != 0) {
    std::cerr << "provstation demo: run as root (it creates network namespaces)\n";
    return 1;
  }
  if (o.phones < 1 || o.phones > 250) {
    std::cerr << "provstation demo: --phones must be 1..250\n";
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  std::string dir = o.dir;
  bool temporary = false;
  if (dir.empty()) {
    std::string tmpl = "/tmp/provstation-demo-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::cerr << "provstation demo: cannot create a temporary directory\n";
      return 1;
    }
    dir = tmpl;
    temporary = true;
  }
  int rc = 0;
  {
    bench_lab::options lo;
    lo.dir = dir;
    lo.dashboard = o.dashboard;
    // Bench timers are seconds on the phone; the simulation scales them.
    lo.extra_config = {"[profiles]", "resync_periodic = 20", "resync_error_retry_delay = 15",
                       "upgrade_error_retry_delay = 15"};
    auto lab = bench_lab::create(lo, lab_programs::find());
    if (!lab) {
      std::cerr << "provstation demo: " << lab.message() << "\n";
      return 1;
    }
    auto& l = **lab;
    const std::string image = dir + "/spa525g-7-5-5.bin";
    std::string out;
    if (run_command({l.programs().phonesim, "make-firmware", "--models", "SPA525G,SPA525G2",
                     "--version", "7.5.5", "--size", "4194304", "--out", image},
                    &out) != 0) {
      std::cerr << "provstation demo: make-firmware failed: " << out << "\n";
      return 1;
    }
    for (auto args : std::vector<std::vector<std::string>>{
             {"firmware", "add", image, "--model", "SPA525G2", "--version", "7.5.5"},
             {"batch", "create", "demo-order", "--target", "SPA525G2=7.5.5", "--default-model",
              "SPA525G2", "--provider-rule", "https://prov.provider.example/spa/$MA.xml",
              "--provider-syslog", "syslog.provider.example"}}) {
      if (auto r = l.station_cli(args); !r) {
        std::cerr << "provstation demo: " << r.message() << "\n";
        return 1;
      }
    }
    auto port = l.start_station();
    if (!port) {
      std::cerr << "provstation demo: " << port.message() << "\n";
      return 1;
    }
    if (auto r = l.start_kea(); !r) {
      std::cerr << "provstation demo: " << r.message() << "\n";
      return 1;
    }
    const std::string manifest = dir + "/manifest.csv";
    std::vector<std::string> fleet{"--count",      std::to_string(o.phones),
                                   "--model",      "SPA525G2",
                                   "--swver",      "7.4.9c",
                                   "--time-scale", fmt::format("{}", o.time_scale),
                                   "--manifest",   manifest};
    if (o.phones >= 3) {
      fleet.push_back("--wrong-box");
      fleet.push_back(std::to_string(o.phones));
    }
    if (auto r = l.start_fleet(fleet); !r) {
      std::cerr << "provstation demo: " << r.message() << "\n";
      return 1;
    }
    const std::string host = o.dashboard.substr(0, o.dashboard.rfind(':'));
    fmt::print(
        "\nprovstation demo bench is up: {} simulated phones, real kea-dhcp4 with the hook.\n",
        o.phones);
    fmt::print("  Dashboard: http://{}:{}/\n  Working files: {}\n  Press Ctrl-C to stop.\n\n", host,
               *port, dir);
    std::cout.flush();

    // The operator scans every box; the last one a little later, as if its phone had been
    // plugged in before its box was scanned (the board shows it unscanned, then merged).
    std::vector<box> boxes;
    for (int i = 0; i < 100 && boxes.empty() && !interrupted; ++i) {
      boxes = read_manifest(manifest);
      if (boxes.empty()) sleep_unless_interrupted(std::chrono::milliseconds(50));
    }
    auto scan = [&](const box& b) {
      auto r = http_request("127.0.0.1", *port, "POST", "/api/scans?session=demo-bench",
                            b.mac + "\n" + b.serial + "\n" + b.model + "\n");
      if (!r) {
        log->warn("demo scan of {} failed: {}", b.mac, r.message());
      } else if (r->status != 201) {
        log->warn("demo scan of {}: HTTP {} {}", b.mac, r->status, r->body);
      }
    };
    const std::size_t early = boxes.size() > 3 ? boxes.size() - 1 : boxes.size();
    for (std::size_t i = 0; i < early; ++i) scan(boxes[i]);
    bool late_scanned = early == boxes.size();

    const auto started = std::chrono::steady_clock::now();
    std::string last_line;
    while (!interrupted) {
      const auto elapsed = std::chrono::steady_clock::now() - started;
      if (o.exit_after_s > 0 && elapsed > std::chrono::seconds(o.exit_after_s)) break;
      if (!late_scanned &&
          elapsed > std::chrono::seconds(static_cast<int>(30 * o.time_scale) + 3)) {
        scan(boxes.back());
        late_scanned = true;
      }
      if (!l.station_running()) {
        std::cerr << "provstation demo: the station stopped; see " << dir << "/station.log\n";
        rc = 1;
        break;
      }
      auto r = http_request("127.0.0.1", *port, "GET", "/api/units");
      if (r && r->status == 200) {
        auto j = nlohmann::json::parse(r->body, nullptr, false);
        if (!j.is_discarded()) {
          std::string line;
          int settled = 0;
          for (auto& [stage, n] : j["counts"].items()) {
            if (n.get<int>() > 0) line += fmt::format(" {}={}", stage, n.get<int>());
            if (stage == "VERIFIED" || stage == "FAILED") settled += n.get<int>();
          }
          if (line != last_line) {
            fmt::print("[{:>4} s]{}\n",
                       std::chrono::duration_cast<std::chrono::seconds>(elapsed).count(), line);
            std::cout.flush();
            last_line = line;
          }
          if (o.until_settled && late_scanned && settled == o.phones &&
              j["unscanned"].get<int>() == 0) {
            break;
          }
        }
      }
      sleep_unless_interrupted(std::chrono::seconds(1));
    }
    fmt::print("stopping the demo bench…\n");
    std::cout.flush();
  }
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return rc;
}

}  // namespace provstation::app
