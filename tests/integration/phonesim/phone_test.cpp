// SPDX-License-Identifier: Apache-2.0
/// @file Runs the provstation-phonesim executable (`phone --no-dhcp`) against fake TFTP, HTTP
/// and syslog servers on loopback and checks the JSON events, requests and syslog lines.
#include <provstation/phonesim/firmware_image.hpp>

#include "fake_servers.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <zlib.h>
#include <nlohmann/json.hpp>

#include <array>
#include <thread>

namespace provstation::phonesim {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

constexpr const char* phone_exe = PROVSTATION_PHONESIM_EXE;
constexpr auto event_timeout = 30s;

std::string gzip(const std::string& plain) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(static_cast<uLong>(plain.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// What `openssl enc -aes-256-cbc -md md5 -k <key>` writes.
std::string openssl_enc_md5(const std::string& plain, const std::string& key) {
  const std::array<unsigned char, 8> salt = {9, 8, 7, 6, 5, 4, 3, 2};
  std::array<unsigned char, 32> k{};
  std::array<unsigned char, 16> iv{};
  EVP_BytesToKey(EVP_aes_256_cbc(), EVP_md5(), salt.data(),
                 reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size()),
                 1, k.data(), iv.data());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, k.data(), iv.data());
  std::string out(plain.size() + 32, '\0');
  int n1 = 0;
  int n2 = 0;
  EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n1,
                    reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + n1, &n2);
  EVP_CIPHER_CTX_free(ctx);
  out.resize(static_cast<std::size_t>(n1 + n2));
  return "Salted__" + std::string(reinterpret_cast<const char*>(salt.data()), salt.size()) + out;
}

// The three fake servers and a seed like the one the station hands out.
struct bench {
  test::fake_tftp_server tftp;
  test::fake_http_server http;
  test::fake_syslog_server syslog;

  std::string http_base() const { return "http://127.0.0.1:" + std::to_string(http.port()); }
  std::string tftp_base() const { return "tftp://127.0.0.1:" + std::to_string(tftp.port()); }

  void serve_seed() {
    tftp.set_file("/spa525G2.cfg",
                  "<?xml version=\"1.0\"?>\n<flat-profile>\n"
                  "  <Resync_Random_Delay>0</Resync_Random_Delay>\n"
                  "  <Resync_Periodic>1000</Resync_Periodic>\n"
                  "  <Resync_Error_Retry_Delay>1000</Resync_Error_Retry_Delay>\n"
                  "  <Upgrade_Error_Retry_Delay>1000</Upgrade_Error_Retry_Delay>\n"
                  "  <Syslog_Server>127.0.0.1:" +
                      std::to_string(syslog.port()) +
                      "</Syslog_Server>\n"
                      "  <GPP_SA>bench-key</GPP_SA>\n"
                      "  <Profile_Rule>[--key $SA] " +
                      http_base() +
                      "/prov/$MA.xml?sn=$SN&amp;fw=$SWVER</Profile_Rule>\n"
                      "  <Upgrade_Rule>( $SWVER ne 7.5.5 )? " +
                      http_base() +
                      "/fw/spa525g-7-5-5.bin</Upgrade_Rule>\n"
                      "</flat-profile>\n");
  }

  std::unique_ptr<test::child_process> start_phone(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {phone_exe,
                                     "phone",
                                     "--no-dhcp",
                                     "--ip",
                                     "127.0.0.1",
                                     "--opt66",
                                     "127.0.0.1:" + std::to_string(tftp.port()),
                                     "--mac",
                                     "00:23:ab:00:00:a1",
                                     "--serial",
                                     "CBT141900G7",
                                     "--model",
                                     "SPA525G2",
                                     "--swver",
                                     "7.4.9c",
                                     "--time-scale",
                                     "0.02",
                                     "--log-level",
                                     "warn"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<test::child_process>(argv);
  }

  std::vector<std::string> wait_for_syslog(std::size_t n) const {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (syslog.messages().size() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    return syslog.messages();
  }
};

std::function<bool(const std::string&)> event_is(const std::string& kind,
                                                 const std::string& field = "",
                                                 const std::string& contains = "") {
  return [=](const std::string& line) {
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || j.value("event", "") != kind) return false;
    return field.empty() || j.value(field, "").find(contains) != std::string::npos;
  };
}

std::vector<json> events_of(const test::child_process& p, bool include_syslog = false) {
  std::vector<json> out;
  for (const auto& line : p.lines()) {
    json j = json::parse(line);
    if (!include_syslog && j["event"] == "syslog") continue;
    out.push_back(std::move(j));
  }
  return out;
}

// Verify the whole path of a factory-default phone: TFTP seed from option 66, upgrade over
// HTTP, reboot on 7.5.5, encrypted and compressed per-device profile, and the syslog lines.
TEST(PhonesimPhoneProcess, ProvisionsUpgradesAndResyncsAgainstFakes) {
  bench b;
  b.serve_seed();
  b.http.set("/fw/spa525g-7-5-5.bin",
             {200, make_firmware({"SPA525G", "SPA525G2"}, "7.5.5", 200000, 5)});
  b.http.set("/prov/0023ab0000a1.xml?sn=CBT141900G7&fw=7.5.5",
             {200, openssl_enc_md5(gzip("<flat-profile><GPP_A>done</GPP_A></flat-profile>"),
                                   "bench-key")});

  auto phone = b.start_phone();
  ASSERT_TRUE(phone->wait_for_line(event_is("resync_ok", "url", "/prov/"), event_timeout))
      << "phone output:\n"
      << testing::PrintToString(phone->lines());
  EXPECT_EQ(phone->terminate(5s), 0);

  std::vector<std::string> kinds;
  const auto events = events_of(*phone);
  for (const auto& e : events) kinds.push_back(e["event"]);
  const std::vector<std::string> expected = {
      "booted",          "version",    "dhcp",        "resync_request", "resync_ok", "resync_done",
      "upgrade_request", "upgrade_ok", "rebooting",   "booted",         "version",   "dhcp",
      "resync_request",  "resync_ok",  "resync_done", "stopped"};
  EXPECT_EQ(kinds, expected);
  ASSERT_EQ(events.size(), expected.size());
  EXPECT_EQ(events[0]["mac"], "0023ab0000a1");
  EXPECT_EQ(events[0]["swver"], "7.4.9c");
  EXPECT_EQ(events[3]["url"], b.tftp_base() + "/spa525G2.cfg");
  EXPECT_EQ(events[7]["version"], "7.5.5");
  EXPECT_EQ(events[9]["reason"], "upgrade");
  EXPECT_EQ(events[10]["swver"], "7.5.5");
  EXPECT_EQ(events[13]["url"], b.http_base() + "/prov/0023ab0000a1.xml?sn=CBT141900G7&fw=7.5.5");
  EXPECT_EQ(events[13]["detail"], "decrypted (md5), gunzipped");

  const std::string mac = "SPA525G2 00:23:ab:00:00:a1 -- ";
  const std::vector<std::string> expected_syslog = {
      "<134>" + mac + "Successful resync " + b.tftp_base() + "/spa525G2.cfg",
      "<134>" + mac + "Requesting upgrade " + b.http_base() + "/fw/spa525g-7-5-5.bin",
      "<134>" + mac + "Successful upgrade " + b.http_base() + "/fw/spa525g-7-5-5.bin -- 7.5.5",
      "<134>" + mac + "Requesting resync " + b.http_base() +
          "/prov/0023ab0000a1.xml?sn=CBT141900G7&fw=7.5.5",
      "<134>" + mac + "Successful resync " + b.http_base() +
          "/prov/0023ab0000a1.xml?sn=CBT141900G7&fw=7.5.5"};
  EXPECT_EQ(b.wait_for_syslog(expected_syslog.size()), expected_syslog);

  const auto tftp_requests = b.tftp.requests();
  ASSERT_EQ(tftp_requests.size(), 1U);
  EXPECT_EQ(tftp_requests[0].path, "/spa525G2.cfg");
  EXPECT_EQ(tftp_requests[0].options.at("blksize"), "1468");
  const auto http_requests = b.http.requests();
  ASSERT_EQ(http_requests.size(), 2U);
  EXPECT_EQ(http_requests[0].headers.at("user-agent"),
            "Cisco/SPA525G2-7.4.9c (0023AB0000A1)(CBT141900G7)");
  EXPECT_EQ(http_requests[0].headers.at("host"), "127.0.0.1:" + std::to_string(b.http.port()));
  EXPECT_EQ(http_requests[1].headers.at("user-agent"),
            "Cisco/SPA525G2-7.5.5 (0023AB0000A1)(CBT141900G7)");
}

// Verify a phone in the wrong box (it reports another serial) with a corrupt image: the
// upgrade fails with "corrupt file", the version stays, and the resync after the attempt
// reports the phone's own serial.
TEST(PhonesimPhoneProcess, CorruptImageAndReportedSerial) {
  bench b;
  b.serve_seed();
  b.http.set("/fw/spa525g-7-5-5.bin", {200, "this is not firmware\n"});
  auto phone = b.start_phone({"--report-serial", "CBT1419ZZZZ"});
  ASSERT_TRUE(phone->wait_for_line(event_is("resync_failed", "url", "/prov/"), event_timeout))
      << testing::PrintToString(phone->lines());
  EXPECT_EQ(phone->terminate(5s), 0);

  const auto events = events_of(*phone);
  bool upgrade_failed = false;
  for (const auto& e : events) {
    EXPECT_NE(e["event"], "rebooting");
    if (e["event"] == "upgrade_failed") {
      upgrade_failed = true;
      EXPECT_EQ(e["err"], "corrupt file");
    }
    if (e["event"] == "resync_failed") {
      EXPECT_EQ(e["url"], b.http_base() + "/prov/0023ab0000a1.xml?sn=CBT1419ZZZZ&fw=7.4.9c");
      EXPECT_EQ(e["err"], "http_get failed");
      EXPECT_EQ(e["detail"], "HTTP status 404");
    }
  }
  EXPECT_TRUE(upgrade_failed);
  const auto messages = b.wait_for_syslog(5);
  EXPECT_NE(std::find(messages.begin(), messages.end(),
                      "<134>SPA525G2 00:23:ab:00:00:a1 -- Upgrade failed: corrupt file"),
            messages.end());
  EXPECT_NE(std::find(messages.begin(), messages.end(),
                      "<134>SPA525G2 00:23:ab:00:00:a1 -- Resync failed: http_get failed"),
            messages.end());
  const auto http_requests = b.http.requests();
  ASSERT_FALSE(http_requests.empty());
  EXPECT_EQ(http_requests[0].headers.at("user-agent"),
            "Cisco/SPA525G2-7.4.9c (0023AB0000A1)(CBT1419ZZZZ)");
}

// Verify that SIGTERM stops an idle phone promptly with exit code 0 and a "stopped" event.
TEST(PhonesimPhoneProcess, StopsPromptlyOnSigterm) {
  bench b;
  auto phone = b.start_phone();
  ASSERT_TRUE(phone->wait_for_line(event_is("resync_done"), event_timeout));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(phone->terminate(5s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(event_is("stopped")(phone->lines().back()));
}

// Verify that --no-dhcp without an address is refused with exit code 2.
TEST(PhonesimPhoneProcess, RefusesIncompleteArguments) {
  test::child_process p({phone_exe, "phone", "--no-dhcp", "--mac", "0023ab0000a1", "--serial", "X",
                         "--log-level", "off"});
  EXPECT_EQ(p.wait(5s), 2);
}

}  // namespace
}  // namespace provstation::phonesim
