// SPDX-License-Identifier: Apache-2.0
/// @file `provstation serve` as a real process on loopback: every acknowledged change survives
/// kill -9, and bad input from the bench (lease datagrams, TFTP paths, per-device requests from
/// the wrong address, forged syslog) is refused while the station keeps serving.
#include "app/http_client.hpp"
#include "app/process.hpp"

#include <provstation/test/station_process.hpp>

#include <provstation/kea/lease_event.hpp>
#include <provstation/test/temp_dir.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace provstation::app {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class StationDaemon : public ::testing::Test {
 protected:
  void start(const std::vector<std::string>& extra = {}) {
    station_.reset();
    auto s = test::station_process::start(PROVSTATION_EXE, dir_, extra);
    ASSERT_TRUE(s.ok()) << s.message();
    station_ = std::move(*s);
    dashboard_ = station_->dashboard();
    http_ = station_->http();
    tftp_ = station_->tftp();
  }

  std::string log() const { return station_->log(); }
  void send_event(const std::string& datagram) const { station_->send_event(datagram); }
  void lease(const std::string& mac, const std::string& ip) { station_->lease(mac, ip); }
  void send_syslog(const std::string& from, const std::string& line) const {
    station_->send_syslog(from, line);
  }
  json get(const std::string& target) const { return station_->get(target); }

  // Polls the unit until `pred` holds (the tracker commits asynchronously).
  json wait_unit(const std::string& mac, const std::function<bool(const json&)>& pred) const {
    json u;
    for (int i = 0; i < 100; ++i) {
      u = get("/api/units/" + mac);
      if (!u.is_discarded() && u.contains("mac") && pred(u)) return u;
      std::this_thread::sleep_for(30ms);
    }
    return u;
  }

  bool has_fact(const json& u, const std::string& kind) const {
    if (!u.contains("facts")) return false;
    for (const auto& f : u["facts"]) {
      if (f["kind"] == kind) return true;
    }
    return false;
  }

  int curl(const std::vector<std::string>& args, std::string* out = nullptr) const {
    std::vector<std::string> argv{"curl", "-s", "-S", "--max-time", "10"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, out);
  }

  test::temp_dir dir_;
  std::unique_ptr<test::station_process> station_;
  std::uint16_t dashboard_ = 0, http_ = 0, tftp_ = 0;
};

// Verify that every scan acknowledged before a kill -9 is in the store after a restart.
TEST_F(StationDaemon, KillNineLosesNoAcknowledgedScan) {
  start();
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        // Cisco MACs and Cisco-form serials (LLLYYWWSSSS), as on real SPA boxes.
        const std::string mac = fmt::format("0023ab{:02x}{:04x}", w, i);
        const std::string serial = fmt::format("CB{}1419{:04X}", static_cast<char>('A' + w), i);
        auto r =
            http_request("127.0.0.1", dashboard_, "POST", fmt::format("/api/scans?session=w{}", w),
                         fmt::format("{}\n{}\nSPA525G2\n", mac, serial), "text/plain", 2s);
        if (!r) break;  // The station is gone.
        if (r->status == 201) {
          std::lock_guard lock(mu);
          acked.insert(mac);
        }
      }
    });
  }
  std::this_thread::sleep_for(1500ms);
  station_->kill(SIGKILL);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GT(acked.size(), 10u) << "the writers should have been acknowledged before the kill";

  start();
  auto units = get("/api/units?limit=10000");
  std::set<std::string> stored;
  for (const auto& u : units["units"]) stored.insert(u["mac"].get<std::string>());
  std::size_t missing = 0;
  for (const auto& mac : acked) missing += stored.contains(mac) ? 0 : 1;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged scans";
  std::printf("kill -9: %zu acknowledged scans, %zu stored, %zu missing\n", acked.size(),
              stored.size(), missing);
}

// Verify a malformed lease datagram is logged and refused, and the next good one is taken.
TEST_F(StationDaemon, MalformedLeaseDatagramIsRefused) {
  start();
  send_event("{not json");
  send_event(R"({"v":1,"boot_id":"x","seq":1,"type":"commit","mac":"zz","ip":"1.2.3.4","at":1})");
  send_event(std::string(5000, 'x'));
  lease("0023ab0000aa", "127.0.0.2");
  auto u = wait_unit("0023ab0000aa", [](const json& j) { return j["stage"] == "LEASED"; });
  EXPECT_EQ(u["stage"], "LEASED") << u.dump();
  EXPECT_TRUE(u["unscanned"].get<bool>());
  const std::string l = log();
  EXPECT_NE(l.find("refused a lease event: lease event: not valid JSON"), std::string::npos) << l;
  EXPECT_NE(l.find("\"mac\": MAC address"), std::string::npos) << l;
  EXPECT_TRUE(station_->running());
}

// Verify a datagram carrying several events (the hook packs a batch into one, a line each) gives
// every good event, refuses a malformed line among them, and that a datagram over the size
// limit is refused whole.
TEST_F(StationDaemon, DatagramWithSeveralEventsIsTakenLineByLine) {
  start();
  auto event = [](const std::string& mac, const std::string& ip, std::uint64_t seq) {
    kea::lease_event e;
    e.boot_id = "batch";
    e.seq = seq;
    e.mac = mac;
    e.ip = ip;
    e.vendor_class = "Cisco SPA525G2";
    e.valid_lifetime = 600;
    e.at = std::time(nullptr);
    return kea::encode(e);
  };
  send_event(event("0023ab0000b1", "127.0.0.3", 1) + "\n{broken\n" +
             event("0023ab0000b2", "127.0.0.4", 2) + "\n\n" +
             event("0023ab0000b3", "127.0.0.5", 3));
  std::string big;
  while (big.size() <= kea::max_datagram_bytes) big += event("0023ab0000b4", "127.0.0.6", 4) + "\n";
  send_event(big);
  for (const char* mac : {"0023ab0000b1", "0023ab0000b2", "0023ab0000b3"}) {
    auto u = wait_unit(mac, [](const json& j) { return j["stage"] == "LEASED"; });
    EXPECT_EQ(u["stage"], "LEASED") << mac << ": " << u.dump();
  }
  const std::string l = log();
  EXPECT_NE(l.find("refused a lease event: lease event: not valid JSON"), std::string::npos) << l;
  EXPECT_NE(l.find("refused a lease event datagram longer than"), std::string::npos) << l;
  const json b4 = get("/api/units/0023ab0000b4");
  EXPECT_FALSE(b4.is_object() && b4.contains("mac"))
      << "from the oversized datagram: " << b4.dump();
  EXPECT_TRUE(station_->running());
}

// Verify TFTP requests outside the served names are refused and the station keeps serving.
TEST_F(StationDaemon, TftpPathOutsideRootIsRefused) {
  start();
  lease("0023ab0000ab", "127.0.0.1");
  wait_unit("0023ab0000ab", [](const json& j) { return j["stage"] == "LEASED"; });
  for (const char* path :
       {"/../../etc/passwd", "/etc/passwd", "/fw/../../etc/shadow", "/prov/../station.db"}) {
    std::string out;
    const int rc =
        curl({fmt::format("tftp://127.0.0.1:{}{}", tftp_, path), "-o", "/dev/null"}, &out);
    EXPECT_NE(rc, 0) << path << ": " << out;
  }
  std::string seed;
  EXPECT_EQ(curl({fmt::format("tftp://127.0.0.1:{}/spa525G2.cfg", tftp_)}, &seed), 0) << seed;
  EXPECT_NE(seed.find("<flat-profile>"), std::string::npos) << seed;
  EXPECT_TRUE(station_->running());
}

// Verify a per-device file goes only to the address leased to its MAC (TFTP and HTTP), the
// refusal is recorded on the unit, and the bench side has no dashboard routes.
TEST_F(StationDaemon, PerDeviceFileFromWrongAddressIsRefused) {
  start();
  lease("0023ab0000ac", "127.0.0.2");
  wait_unit("0023ab0000ac", [](const json& j) { return j["ip"] == "127.0.0.2"; });
  std::string out;
  const std::string url = fmt::format("http://127.0.0.1:{}/prov/0023ab0000ac.xml", http_);
  EXPECT_EQ(curl({"-o", "/dev/null", "-w", "%{http_code}", url}, &out), 0);
  EXPECT_EQ(out, "403");
  EXPECT_EQ(curl({"--interface", "127.0.0.2", "-o", "/dev/null", "-w", "%{http_code}", url}, &out),
            0);
  EXPECT_EQ(out, "200");
  const int rc = curl(
      {fmt::format("tftp://127.0.0.1:{}/prov/0023ab0000ac.xml", tftp_), "-o", "/dev/null"}, &out);
  EXPECT_EQ(rc, 69) << "curl's code for a TFTP access violation: " << out;
  auto u = wait_unit("0023ab0000ac", [&](const json& j) { return has_fact(j, "refused"); });
  EXPECT_TRUE(has_fact(u, "refused")) << u.dump();
  // No dashboard route exists on the phone side.
  EXPECT_EQ(curl({"-o", "/dev/null", "-w", "%{http_code}",
                  fmt::format("http://127.0.0.1:{}/api/units", http_)},
                 &out),
            0);
  EXPECT_EQ(out, "404");
  EXPECT_TRUE(station_->running());
}

// Verify garbage and forged syslog lines are refused, and a genuine one is believed.
TEST_F(StationDaemon, GarbageAndForgedSyslogAreRefused) {
  start();
  lease("0023ab0000ad", "127.0.0.2");
  wait_unit("0023ab0000ad", [](const json& j) { return j["ip"] == "127.0.0.2"; });
  send_syslog("127.0.0.1", std::string("\x01\x02garbage\xff", 11));
  send_syslog("127.0.0.1", "SPA525G2 00:23:ab:00:00:ad -- Upgrade failed: corrupt file");
  auto u = wait_unit("0023ab0000ad", [&](const json& j) { return has_fact(j, "refused"); });
  EXPECT_TRUE(has_fact(u, "refused")) << u.dump();
  EXPECT_NE(u["stage"], "FAILED") << "a forged line must not fail the unit";
  send_syslog("127.0.0.2",
              "<134>SPA525G2 00:23:ab:00:00:ad -- Requesting resync "
              "tftp://127.0.0.1:69/spa525G2.cfg [ps ma=0023ab0000ad sn=CBT1 fw=7.4.9c]");
  u = wait_unit("0023ab0000ad", [&](const json& j) { return has_fact(j, "resync_requested"); });
  EXPECT_TRUE(has_fact(u, "resync_requested")) << u.dump();
  EXPECT_EQ(u["reported"]["serial"], "CBT1");
  EXPECT_TRUE(station_->running());
}

// Verify an encrypted per-device profile decrypts with the openssl command line (-md md5).
TEST_F(StationDaemon, EncryptedProfileOpensWithOpenssl) {
  const std::string key = dir_.write("profile.key", "SecretPhrase1234\n");
  ::chmod(key.c_str(), 0600);
  start({"[profiles]", "encrypt = true", fmt::format("key_file = \"{}\"", key)});
  lease("0023ab0000ae", "127.0.0.1");
  wait_unit("0023ab0000ae", [](const json& j) { return j["stage"] == "LEASED"; });
  const std::string enc = dir_.file("profile.enc");
  std::string out;
  ASSERT_EQ(
      curl({"-o", enc, fmt::format("http://127.0.0.1:{}/prov/0023ab0000ae.xml", http_)}, &out), 0)
      << out;
  ASSERT_EQ(run_command({"openssl", "enc", "-d", "-aes-256-cbc", "-md", "md5", "-k",
                         "SecretPhrase1234", "-in", enc, "-out", dir_.file("profile.xml")},
                        &out),
            0)
      << out;
  std::ifstream in(dir_.file("profile.xml"));
  const std::string xml(std::istreambuf_iterator<char>(in), {});
  EXPECT_NE(xml.find("<flat-profile>"), std::string::npos) << xml;
  EXPECT_NE(run_command({"openssl", "enc", "-d", "-aes-256-cbc", "-md", "md5", "-k", "wrong", "-in",
                         enc, "-out", dir_.file("bad.xml")},
                        &out),
            0);
  // The seed tells the phone the key in its Profile_Rule.
  std::string seed;
  curl({fmt::format("http://127.0.0.1:{}/spa525G2.cfg", http_)}, &seed);
  EXPECT_NE(seed.find("[--key &quot;SecretPhrase1234&quot;]"), std::string::npos) << seed;
}

// Verify a key file readable by others is refused at start with a clear message.
TEST_F(StationDaemon, KeyFileMustBePrivate) {
  const std::string key = dir_.write("open.key", "k\n");
  ::chmod(key.c_str(), 0644);
  dir_.write("bad.toml",
             fmt::format("[bench]\naddress = \"127.0.0.1\"\n[profiles]\nencrypt = true\n"
                         "key_file = \"{}\"\n[store]\npath = \"{}\"\n",
                         key, dir_.file("s.db")));
  std::string out;
  EXPECT_EQ(run_command({PROVSTATION_EXE, "serve", "--config", dir_.file("bad.toml")}, &out), 1);
  EXPECT_NE(out.find("must not be readable by group or others (chmod 600)"), std::string::npos)
      << out;
}

// Verify a config mistake is one clear error naming the key, and a non-zero exit.
TEST_F(StationDaemon, BadConfigNamesTheKey) {
  dir_.write("bad.toml", "[bench]\naddress = \"127.0.0.1\"\n[tftp]\nlisten = \"somewhere\"\n");
  std::string out;
  EXPECT_EQ(run_command({PROVSTATION_EXE, "serve", "--config", dir_.file("bad.toml")}, &out), 1);
  EXPECT_NE(out.find("tftp.listen: expected \"ADDRESS:PORT\", got \"somewhere\""),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace provstation::app

namespace provstation::app {
namespace {

// Makes a three-barcode box label with zint and ImageMagick; empty when they are missing.
std::string make_label(const test::temp_dir& dir, const std::string& mac, const std::string& serial,
                       const std::string& model) {
  std::string out;
  for (const auto& [name, data] :
       {std::pair{"mac", mac}, std::pair{"sn", serial}, std::pair{"pid", model}}) {
    if (run_command({"zint", "-b", "20", "-d", data, "--scale=3", "-o",
                     dir.file(std::string(name) + ".png")},
                    &out) != 0) {
      return {};
    }
  }
  const std::string label = dir.file("label.png");
  if (run_command({"convert", dir.file("mac.png"), dir.file("sn.png"), dir.file("pid.png"),
                   "-background", "white", "-gravity", "center", "-append", "-bordercolor", "white",
                   "-border", "40", label},
                  &out) != 0) {
    return {};
  }
  return label;
}

// Verify a label photo posted to /api/scans is decoded (isolated) into a scan, and an image the
// decoder cannot read is a clear error while the station keeps serving.
TEST_F(StationDaemon, ImageScansAreDecodedInIsolation) {
  const std::string label = make_label(dir_, "0023AB0000B1", "CBT141900B1", "SPA525G2");
  if (label.empty()) GTEST_SKIP() << "zint or ImageMagick missing";
  start();
  std::string out;
  ASSERT_EQ(curl({"-H", "Content-Type: image/png", "--data-binary", "@" + label,
                  fmt::format("http://127.0.0.1:{}/api/scans?session=cam", dashboard_)},
                 &out),
            0);
  auto j = json::parse(out);
  EXPECT_EQ(j["status"], "complete") << out;
  EXPECT_EQ(j["unit"]["mac"], "0023ab0000b1");
  EXPECT_EQ(j["unit"]["serial"], "CBT141900B1");
  const std::string broken =
      dir_.write("broken.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\x7f\xff\xff\xff", 20));
  ASSERT_EQ(
      curl({"-H", "Content-Type: image/png", "--data-binary", "@" + broken, "-w", "\n%{http_code}",
            fmt::format("http://127.0.0.1:{}/api/scans?session=cam", dashboard_)},
           &out),
      0);
  EXPECT_TRUE(out.ends_with("\n422")) << out;
  EXPECT_NE(out.find("\"status\":\"rejected\""), std::string::npos) << out;
  EXPECT_TRUE(station_->running());
  EXPECT_EQ(get("/api/units")["total"], 1);
}

// Verify `provstation scan FILE…` prints one JSON object per file, nulls where nothing was read.
TEST_F(StationDaemon, ScanCommandPrintsJsonPerFile) {
  const std::string label = make_label(dir_, "0023AB0000B2", "CBT141900B2", "SPA525G2");
  if (label.empty()) GTEST_SKIP() << "zint or ImageMagick missing";
  const std::string text = dir_.write("notes.txt", "not an image");
  std::string out;
  EXPECT_EQ(run_command({"sh", "-c",
                         fmt::format("{} scan {} {} 2>/dev/null", PROVSTATION_EXE, label, text)},
                        &out),
            1);
  std::istringstream lines(out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto a = json::parse(first);
  EXPECT_EQ(a["file"], label);
  EXPECT_EQ(a["mac"], "0023ab0000b2");
  EXPECT_EQ(a["serial"], "CBT141900B2");
  EXPECT_EQ(a["model"], "SPA525G2");
  EXPECT_EQ(a["barcodes"].size(), 3u);
  auto b = json::parse(second);
  EXPECT_EQ(b["file"], text);
  EXPECT_TRUE(b["mac"].is_null());
  EXPECT_TRUE(b.contains("error"));
}

// Verify that `provstation tftpd` serves a plain directory with the engine's full option set
// (case-insensitive names, a transfer port range) and refuses a bad option with exit code 2.
TEST_F(StationDaemon, TftpdCommandServesAPlainDirectory) {
  const std::string root = (dir_.path() / "tftproot").string();
  std::filesystem::create_directories(root);
  std::string body(3000, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  { std::ofstream(root + "/spa504g.cfg", std::ios::binary) << body; }
  const std::string log_path = (dir_.path() / "tftpd.log").string();
  auto child = child_process::spawn(
      {PROVSTATION_EXE, "tftpd", "--root", root, "--listen", "127.0.0.1:0", "--case-insensitive",
       "--port-range", "47000:47099", "--max-blksize", "1468", "--log-level", "info"},
      {}, log_path);
  ASSERT_TRUE(child.ok()) << child.message();
  std::uint16_t port = 0;
  for (int i = 0; i < 100 && port == 0; ++i) {
    std::ifstream in(log_path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto at = text.find(" on 127.0.0.1:"); at != std::string::npos) {
      port = static_cast<std::uint16_t>(std::stoi(text.substr(at + 14)));
    } else {
      std::this_thread::sleep_for(30ms);
    }
  }
  ASSERT_NE(port, 0) << "no 'serving … on' line in " << log_path;
  const std::string out = (dir_.path() / "got.cfg").string();
  EXPECT_EQ(curl({"--tftp-blksize", "1468", "-o", out,
                  fmt::format("tftp://127.0.0.1:{}/SPA504G.CFG", port)}),
            0);
  std::ifstream got(out, std::ios::binary);
  const std::string got_body((std::istreambuf_iterator<char>(got)),
                             std::istreambuf_iterator<char>());
  EXPECT_EQ(got_body, body);
  EXPECT_EQ(child->stop(), 0);
  std::ifstream in(log_path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("stopped: 1 completed"), std::string::npos) << text;

  std::string err;
  EXPECT_EQ(run_command({PROVSTATION_EXE, "tftpd", "--root", root, "--port-range", "5:2"}, &err),
            2);
  EXPECT_NE(err.find("--port-range"), std::string::npos) << err;
}

}  // namespace
}  // namespace provstation::app
