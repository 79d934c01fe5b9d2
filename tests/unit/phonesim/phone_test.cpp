// SPDX-License-Identifier: Apache-2.0
/// @file Tests of the phone state machine against a fake phone_io with a virtual clock:
/// factory default, seed, upgrade, reboot, retries, timers, time scale.
#include <provstation/phonesim/phone.hpp>

#include <provstation/phonesim/firmware_image.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <map>

namespace provstation::phonesim {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// A scripted world: files by URL, a virtual clock that jumps to every wake-up, and a stop
// once the clock would pass `limit` after the first fetch (the factory Resync_Random_Delay
// makes the first fetch happen anywhere in the first 40 s).
class fake_io final : public phone_io {
 public:
  time_point now() override { return now_; }
  bool wait_until(time_point when) override {
    const time_point deadline =
        fetch_times.empty() ? start_ + 1000s : start_ + fetch_times.front() + limit;
    if (when > deadline) return false;
    if (when > now_) now_ = when;
    return true;
  }
  std::optional<dhcp_lease> acquire_lease(const std::optional<std::string>& requested) override {
    requested_ips.push_back(requested.value_or("-"));
    if (dhcp_failures > 0) {
      --dhcp_failures;
      return std::nullopt;
    }
    return lease;
  }
  std::vector<std::string> resolve(const std::string& host) override {
    if (host == "unresolvable.example") return {};
    return {host == "prov.example" ? "192.0.2.50" : host};
  }
  fetch_result fetch(const fetch_request& request) override {
    fetches.push_back(request);
    fetch_times.push_back(now_ - start_);
    const auto it = files.find(request.url.str());
    fetch_result r;
    if (it == files.end()) {
      r.err = std::string(scheme_name(request.url.scheme)) + "_get failed";
      r.not_found = true;
      r.detail = "not found";
      return r;
    }
    r.ok = true;
    r.body = it->second;
    return r;
  }
  void send_syslog(const std::string& host, std::uint16_t port,
                   const std::string& message) override {
    syslog.push_back(host + ":" + std::to_string(port) + " " + message);
  }
  void emit(const phone_event& ev) override {
    events.push_back(ev);
    event_times.push_back(now_ - start_);
  }

  std::vector<std::string> kinds() const {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.kind);
    return out;
  }
  std::vector<std::string> field(const std::string& kind, const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& e : events) {
      if (e.kind != kind) continue;
      for (const auto& [k, v] : e.fields) {
        if (k == name) out.push_back(v);
      }
    }
    return out;
  }
  std::vector<std::string> fetched_urls() const {
    std::vector<std::string> out;
    for (const auto& f : fetches) out.push_back(f.url.str());
    return out;
  }

  dhcp_lease lease{"192.0.2.10", "255.255.255.0", "192.0.2.1", "192.0.2.1", "", "", "", 0s};
  std::map<std::string, std::string> files;
  std::chrono::milliseconds limit = 2h;
  int dhcp_failures = 0;
  std::vector<std::string> requested_ips;
  std::vector<fetch_request> fetches;
  std::vector<clock_type::duration> fetch_times;
  std::vector<std::string> syslog;
  std::vector<phone_event> events;
  std::vector<clock_type::duration> event_times;

 private:
  time_point start_ = time_point() + 1000h;
  time_point now_ = start_;
};

phone_options options(const char* model = "SPA525G2", const char* swver = "7.4.9c") {
  phone_options o;
  o.identity.model = model;
  o.identity.serial = "CBT141900G7";
  o.identity.mac = *mac_address::parse("0023ab000001");
  o.swver = swver;
  o.seed = 42;
  return o;
}

std::string seed_profile(const std::string& extra) {
  return "<flat-profile><Resync_Random_Delay>0</Resync_Random_Delay>"
         "<Resync_Periodic>60</Resync_Periodic><Resync_Error_Retry_Delay>30</"
         "Resync_Error_Retry_Delay>"
         "<Upgrade_Error_Retry_Delay>45</Upgrade_Error_Retry_Delay>"
         "<Syslog_Server>192.0.2.1:5514</Syslog_Server>" +
         extra + "</flat-profile>";
}

const std::string firmware_755 = make_firmware({"SPA525G", "SPA525G2"}, "7.5.5", 3000, 1);

// Verify that a factory-default phone asks the option-66 server for /spa$PSN.cfg over TFTP,
// after the Resync_Random_Delay (2 × 20 s at most), and retries after an hour when it fails.
TEST(PhonesimPhone, FactoryDefaultFetchesSpaPsnFromOption66) {
  fake_io io;
  phone p(options(), io);
  p.run();
  ASSERT_GE(io.fetches.size(), 2U);
  EXPECT_EQ(io.fetches[0].url.str(), "tftp://192.0.2.1:69/spa525G2.cfg");
  EXPECT_LE(io.fetch_times[0], 40s);
  EXPECT_EQ(io.fetch_times[1] - io.fetch_times[0], 3600s);
  EXPECT_EQ(io.field("resync_failed", "err").front(), "tftp_get failed");
  EXPECT_EQ(io.kinds().front(), "booted");
  EXPECT_EQ(io.kinds().back(), "stopped");
  EXPECT_TRUE(io.syslog.empty());  // No Syslog_Server yet.
}

// Verify the whole bench flow: seed, upgrade, reboot on the new version, per-MAC resync, and
// the syslog lines built from the default templates.
TEST(PhonesimPhone, SeedUpgradeRebootAndPerDeviceResync) {
  fake_io io;
  io.limit = 90s;
  io.files["tftp://192.0.2.1:69/spa525G2.cfg"] = seed_profile(
      "<Profile_Rule>http://prov.example:8080/prov/$MA.xml?sn=$SN&amp;fw=$SWVER</Profile_Rule>"
      "<Upgrade_Rule>( $SWVER ne 7.5.5 )? "
      "http://prov.example:8080/fw/spa525g-7-5-5.bin</Upgrade_Rule>");
  io.files["http://prov.example:8080/fw/spa525g-7-5-5.bin"] = firmware_755;
  io.files["http://prov.example:8080/prov/0023ab000001.xml?sn=CBT141900G7&fw=7.5.5"] =
      "<flat-profile><GPP_A>per-device</GPP_A></flat-profile>";
  phone p(options(), io);
  p.run();
  EXPECT_EQ(p.swver(), "7.5.5");
  EXPECT_EQ(p.flash().at("GPP_A"), "per-device");
  const std::vector<std::string> expected_fetches = {
      "tftp://192.0.2.1:69/spa525G2.cfg", "http://prov.example:8080/fw/spa525g-7-5-5.bin",
      "http://prov.example:8080/prov/0023ab000001.xml?sn=CBT141900G7&fw=7.5.5",
      "http://prov.example:8080/prov/0023ab000001.xml?sn=CBT141900G7&fw=7.5.5"};  // periodic, 60 s
  EXPECT_EQ(io.fetched_urls(), expected_fetches);
  EXPECT_EQ(io.fetches[1].user_agent, "Cisco/SPA525G2-7.4.9c (0023AB000001)(CBT141900G7)");
  EXPECT_EQ(io.fetches[2].user_agent, "Cisco/SPA525G2-7.5.5 (0023AB000001)(CBT141900G7)");
  const std::vector<std::string> expected_syslog = {
      "192.0.2.1:5514 SPA525G2 00:23:ab:00:00:01 -- Successful resync "
      "tftp://192.0.2.1:69/spa525G2.cfg",
      "192.0.2.1:5514 SPA525G2 00:23:ab:00:00:01 -- Requesting upgrade "
      "http://192.0.2.50:8080/fw/spa525g-7-5-5.bin",
      "192.0.2.1:5514 SPA525G2 00:23:ab:00:00:01 -- Successful upgrade "
      "http://192.0.2.50:8080/fw/spa525g-7-5-5.bin -- 7.5.5",
      "192.0.2.1:5514 SPA525G2 00:23:ab:00:00:01 -- Requesting resync "
      "http://192.0.2.50:8080/prov/0023ab000001.xml?sn=CBT141900G7&fw=7.5.5",
      "192.0.2.1:5514 SPA525G2 00:23:ab:00:00:01 -- Successful resync "
      "http://192.0.2.50:8080/prov/0023ab000001.xml?sn=CBT141900G7&fw=7.5.5",
  };
  ASSERT_GE(io.syslog.size(), expected_syslog.size());
  EXPECT_EQ(std::vector<std::string>(io.syslog.begin(), io.syslog.begin() + 5), expected_syslog);
  EXPECT_EQ(io.field("booted", "reason"), (std::vector<std::string>{"power-up", "upgrade"}));
  EXPECT_EQ(io.field("version", "swver"), (std::vector<std::string>{"7.4.9c", "7.5.5"}));
  EXPECT_EQ(io.field("upgrade_ok", "version"), std::vector<std::string>{"7.5.5"});
  // The reboot takes the boot delay, then DHCP asks for the old address again.
  EXPECT_EQ(io.requested_ips, (std::vector<std::string>{"-", "192.0.2.10"}));
  EXPECT_EQ(io.fetch_times[2] - io.fetch_times[1], 20s);
}

// Verify that a corrupt image fails with "corrupt file", keeps the version, is retried after
// Upgrade_Error_Retry_Delay, and triggers a resync (Resync_After_Upgrade_Attempt).
TEST(PhonesimPhone, CorruptFirmwareKeepsVersionAndRetries) {
  fake_io io;
  io.limit = 100s;
  io.files["tftp://192.0.2.1:69/spa525G2.cfg"] =
      seed_profile("<Upgrade_Rule>( $SWVER ne 7.5.5 )? /bad.bin</Upgrade_Rule>");
  io.files["tftp://192.0.2.1:69/bad.bin"] = "not an image\n";
  phone p(options(), io);
  p.run();
  EXPECT_EQ(p.swver(), "7.4.9c");
  const auto errs = io.field("upgrade_failed", "err");
  ASSERT_GE(errs.size(), 2U);
  EXPECT_EQ(errs[0], "corrupt file");
  EXPECT_EQ(io.field("upgrade_failed", "detail")[0], "not a firmware image");
  // seed, image, resync after the attempt (seed again), then the retry after 45 s.
  const auto urls = io.fetched_urls();
  ASSERT_GE(urls.size(), 4U);
  EXPECT_EQ(urls[1], "tftp://192.0.2.1:69/bad.bin");
  EXPECT_EQ(urls[2], "tftp://192.0.2.1:69/spa525G2.cfg");
  EXPECT_EQ(urls[3], "tftp://192.0.2.1:69/bad.bin");
  EXPECT_EQ(io.fetch_times[3] - io.fetch_times[1], 45s);
  EXPECT_NE(std::find(io.syslog.begin(), io.syslog.end(),
                      "192.0.2.1:5514 SPA525G2 00:23:ab:00:00:01 -- Upgrade failed: corrupt file"),
            io.syslog.end());
}

// Verify that an image for another model fails the same way.
TEST(PhonesimPhone, ImageForAnotherModelIsCorrupt) {
  fake_io io;
  io.limit = 10s;
  io.files["tftp://192.0.2.1:69/spa504G.cfg"] =
      seed_profile("<Upgrade_Rule>( $SWVER ne 7.5.5 )? /spa525g.bin</Upgrade_Rule>");
  io.files["tftp://192.0.2.1:69/spa525g.bin"] = firmware_755;
  phone p(options("SPA504G"), io);
  p.run();
  EXPECT_EQ(p.swver(), "7.4.9c");
  EXPECT_EQ(io.field("upgrade_failed", "detail"),
            std::vector<std::string>{"image is not for SPA504G"});
}

// Verify that Profile_Rule_B…D run in order and that a failure stops the pass and schedules
// a retry after Resync_Error_Retry_Delay.
TEST(PhonesimPhone, RulesRunInOrderAndStopOnFailure) {
  fake_io io;
  io.limit = 50s;
  io.files["tftp://192.0.2.1:69/spa525G2.cfg"] = seed_profile(
      "<Profile_Rule_B>/b.cfg</Profile_Rule_B><Profile_Rule_C>/missing.cfg</Profile_Rule_C>"
      "<Profile_Rule_D>/d.cfg</Profile_Rule_D>");
  io.files["tftp://192.0.2.1:69/b.cfg"] = "<flat-profile><GPP_B>b</GPP_B></flat-profile>";
  io.files["tftp://192.0.2.1:69/d.cfg"] = "<flat-profile><GPP_D>d</GPP_D></flat-profile>";
  phone p(options(), io);
  p.run();
  const std::vector<std::string> expected = {
      "tftp://192.0.2.1:69/spa525G2.cfg", "tftp://192.0.2.1:69/b.cfg",
      "tftp://192.0.2.1:69/missing.cfg",  "tftp://192.0.2.1:69/spa525G2.cfg",
      "tftp://192.0.2.1:69/b.cfg",        "tftp://192.0.2.1:69/missing.cfg"};
  EXPECT_EQ(io.fetched_urls(), expected);
  EXPECT_EQ(io.fetch_times[3] - io.fetch_times[2], 30s);
  EXPECT_EQ(p.flash().count("GPP_D"), 1U);
  EXPECT_EQ(p.flash().at("GPP_D"), "");
  EXPECT_EQ(io.field("resync_done", "result"), (std::vector<std::string>{"failed", "failed"}));
  EXPECT_EQ(io.syslog.back(),
            "192.0.2.1:5514 SPA525G2 00:23:ab:00:00:01 -- Resync failed: tftp_get failed");
}

// Verify that Resync_Fails_On_FNF = No turns a missing file into a success.
TEST(PhonesimPhone, FileNotFoundCanCountAsSuccess) {
  fake_io io;
  io.limit = 10s;
  io.files["tftp://192.0.2.1:69/spa525G2.cfg"] = seed_profile(
      "<Resync_Fails_On_FNF>No</Resync_Fails_On_FNF><Profile_Rule_B>/missing.cfg</Profile_Rule_B>");
  phone p(options(), io);
  p.run();
  EXPECT_EQ(io.field("resync_done", "result").front(), "ok");
  EXPECT_EQ(io.field("resync_ok", "not_found"), std::vector<std::string>{"true"});
}

// Verify that assignments run before the fetch and persist in flash.
TEST(PhonesimPhone, AssignmentsPersistAndFeedTheUrl) {
  fake_io io;
  io.limit = 10s;
  io.files["tftp://192.0.2.1:69/spa525G2.cfg"] =
      seed_profile("<Profile_Rule_B>( d = \"$MA\" ; )! /by-gpp/$D.cfg</Profile_Rule_B>");
  io.files["tftp://192.0.2.1:69/by-gpp/0023ab000001.cfg"] =
      "<flat-profile><GPP_E>e</GPP_E></flat-profile>";
  phone p(options(), io);
  p.run();
  EXPECT_EQ(p.flash().at("GPP_D"), "0023ab000001");
  EXPECT_EQ(p.flash().at("GPP_E"), "e");
}

// Verify --post: the body is GPP_<letter> expanded, and option 66 given as a URL.
TEST(PhonesimPhone, PostBodyAndOption66Url) {
  fake_io io;
  io.limit = 10s;
  io.lease.opt66 = "http://prov.example/provision";
  io.files["http://prov.example:80/provision/spa525G2.cfg"] = seed_profile(
      "<GPP_F>SW_Ver = \"$SWVER\"; Ser_Num = \"$SN\";</GPP_F>"
      "<Profile_Rule_B>[--post f] http://prov.example/resyncs?</Profile_Rule_B>");
  io.files["http://prov.example:80/resyncs?"] = "<flat-profile/>";
  phone p(options(), io);
  p.run();
  ASSERT_EQ(io.fetches.size(), 2U);
  EXPECT_EQ(io.fetches[1].post_body.value_or("-"),
            "SW_Ver = \"7.4.9c\"; Ser_Num = \"CBT141900G7\";");
}

// Verify that every delay is multiplied by the time scale.
TEST(PhonesimPhone, TimeScaleMultipliesDelays) {
  fake_io io;
  io.limit = 200s;
  io.files["tftp://192.0.2.1:69/spa525G2.cfg"] = seed_profile("");
  auto o = options();
  o.time_scale = 0.5;
  phone p(o, io);
  p.run();
  ASSERT_GE(io.fetch_times.size(), 3U);
  EXPECT_EQ(io.fetch_times[2] - io.fetch_times[1], 30s);  // Resync_Periodic 60 × 0.5
  EXPECT_LE(io.fetch_times[0], 20s);                      // Resync_Random_Delay 2 × 20 s × 0.5
}

// Verify that a failed DHCP is retried and that nothing is fetched without a lease.
TEST(PhonesimPhone, RetriesDhcp) {
  fake_io io;
  io.limit = 60s;
  io.dhcp_failures = 2;
  phone p(options(), io);
  p.run();
  EXPECT_EQ(io.field("dhcp", "ip").size(), 1U);
  const auto kinds = io.kinds();
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "dhcp_failed"), 2);
}

// Verify that Upgrade_Enable = No and Provision_Enable = No are honoured.
TEST(PhonesimPhone, EnableFlagsGateResyncAndUpgrade) {
  fake_io io;
  io.limit = 100s;
  io.files["tftp://192.0.2.1:69/spa525G2.cfg"] = seed_profile(
      "<Upgrade_Enable>No</Upgrade_Enable><Upgrade_Rule>/fw.bin</Upgrade_Rule>"
      "<Provision_Enable>No</Provision_Enable>");
  io.files["tftp://192.0.2.1:69/fw.bin"] = firmware_755;
  phone p(options(), io);
  p.run();
  EXPECT_EQ(io.fetched_urls(), std::vector<std::string>{"tftp://192.0.2.1:69/spa525G2.cfg"});
}

// Verify that a rule that does not parse is skipped with a rule_error event.
TEST(PhonesimPhone, BadRuleIsSkipped) {
  fake_io io;
  io.limit = 10s;
  io.files["tftp://192.0.2.1:69/spa525G2.cfg"] =
      seed_profile("<Profile_Rule_B>( broken</Profile_Rule_B>");
  phone p(options(), io);
  p.run();
  EXPECT_EQ(io.field("rule_error", "error"), std::vector<std::string>{"unbalanced '('"});
  EXPECT_EQ(io.field("resync_done", "result").front(), "ok");
}

// Verify Downgrade_Rev_Limit.
TEST(PhonesimPhone, DowngradeLimitRefusesOlderImage) {
  fake_io io;
  io.limit = 10s;
  io.files["tftp://192.0.2.1:69/spa525G2.cfg"] = seed_profile(
      "<Downgrade_Rev_Limit>7.5.0</Downgrade_Rev_Limit><Upgrade_Rule>( $SWVER ne 7.4.8 )? "
      "/old.bin</Upgrade_Rule>");
  io.files["tftp://192.0.2.1:69/old.bin"] = make_firmware({"SPA525G2"}, "7.4.8", 100, 1);
  phone p(options("SPA525G2", "7.5.5"), io);
  p.run();
  EXPECT_EQ(p.swver(), "7.5.5");
  EXPECT_EQ(io.field("upgrade_failed", "err").front(), "downgrade rev limit");
}

// Verify the JSON rendering of events, including escaping.
TEST(PhonesimPhone, EventJsonIsOneEscapedObject) {
  const phone_event ev{"syslog", {{"msg", "a \"quoted\"\\ line\n"}, {"server", "x"}}};
  EXPECT_EQ(event_json(ev, 1.5, "0023ab000001"),
            "{\"t\":1.500,\"mac\":\"0023ab000001\",\"event\":\"syslog\",\"msg\":\"a "
            "\\\"quoted\\\"\\\\ line\\n\","
            "\"server\":\"x\"}");
}

}  // namespace
}  // namespace provstation::phonesim
