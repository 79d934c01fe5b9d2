// SPDX-License-Identifier: Apache-2.0
/// @file The bench board in a real headless Chromium: `provstation serve` on loopback, the page
/// driven over the DevTools protocol, boxes typed into the scan input the way a keyboard-wedge
/// scanner types them, and lease events that must move cards live (SSE) without a reload.
#include "app/http_client.hpp"
#include "app/process.hpp"

#include <provstation/kea/lease_event.hpp>
#include <provstation/test/cdp_client.hpp>
#include <provstation/test/station_process.hpp>
#include <provstation/test/temp_dir.hpp>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <thread>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace provstation::web {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* box_mac = "0023ab000001";
constexpr const char* box_mac_text = "00:23:AB:00:00:01";
constexpr const char* box_serial = "CBT141900G7";
constexpr const char* box_model = "SPA525G2";

// A JavaScript string literal for `s`.
std::string js(const std::string& s) { return json(s).dump(); }

std::string card(const std::string& stage, const std::string& mac) {
  return fmt::format("document.querySelector('#board .column[data-stage={}] .unit[data-mac={}]')",
                     js(stage), js(mac));
}

// True when `text` names `mac` (12 hex digits) in any case, with or without colons.
bool names_mac(std::string text, const std::string& mac) {
  std::erase(text, ':');
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text.find(mac) != std::string::npos;
}

std::string cards_for(const std::string& mac) {
  return fmt::format("document.querySelectorAll('#board .unit[data-mac={}]').length", js(mac));
}

class DashboardInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string chromium = test::find_chromium();
    if (chromium.empty()) GTEST_SKIP() << "no headless browser: /usr/bin/chromium (or $PROVSTATION_CHROMIUM) is missing";
    ASSERT_NO_FATAL_FAILURE(start_station());
    auto b = test::headless_browser::launch(chromium);
    ASSERT_TRUE(b.ok()) << b.message();
    browser_ = std::move(*b);
    auto p = browser_->new_page();
    ASSERT_TRUE(p.ok()) << p.message();
    page_.emplace(*p);
    auto nav = page_->navigate(fmt::format("http://127.0.0.1:{}/", dashboard_));
    ASSERT_TRUE(nav.ok()) << nav.message();
    // The live stream is open: from here every change must reach the page over SSE.
    auto live = page_->wait_for("document.querySelector('#live').className === 'online'");
    ASSERT_TRUE(live.ok()) << live.message();
    ASSERT_TRUE(page_->evaluate("window.provstationTestMarker = 'no reload'; true").ok());
  }

  void TearDown() override {
    if (!browser_) return;
    for (const auto& line : browser_->console()) {
      EXPECT_EQ(line.rfind("uncaught:", 0), std::string::npos) << "the page threw: " << line;
    }
    if (HasFailure()) {
      std::string lines;
      for (const auto& line : browser_->console()) lines += line + "\n";
      ADD_FAILURE() << "page console:\n" << lines << "station log:\n" << station_log();
    }
    const pid_t group = browser_->pid();
    page_.reset();
    browser_.reset();
    EXPECT_NE(::kill(-group, 0), 0) << "a chromium process outlived the test";
  }

  void start_station() {
    auto s = test::station_process::start(PROVSTATION_EXE, dir_);
    ASSERT_TRUE(s.ok()) << s.message();
    station_ = std::move(*s);
    dashboard_ = station_->dashboard();
  }

  std::string station_log() const { return station_ ? station_->log() : std::string(); }

  // One DHCP lease for `mac`, as the Kea hook sends it to the station's event socket.
  void lease(const std::string& mac, const std::string& ip) { station_->lease(mac, ip); }

  json wait(const std::string& expression, std::chrono::milliseconds timeout = 5s) {
    auto r = page_->wait_for(expression, timeout);
    EXPECT_TRUE(r.ok()) << r.message();
    return r ? *r : json(nullptr);
  }

  json eval(const std::string& expression) {
    auto r = page_->evaluate(expression);
    EXPECT_TRUE(r.ok()) << r.message();
    return r ? *r : json(nullptr);
  }

  // The value of `expression` as text (JSON for anything but a string).
  std::string text(const std::string& expression) {
    const json v = eval(expression);
    return v.is_string() ? v.get<std::string>() : v.dump();
  }

  // One scan line as a keyboard-wedge scanner sends it: the characters, then Enter.
  void scan_line(const std::string& text) {
    auto t = page_->insert_text(text);
    ASSERT_TRUE(t.ok()) << t.message();
    auto e = page_->press_enter();
    ASSERT_TRUE(e.ok()) << e.message();
  }

  // A whole box, line after line with no pause, as the operator scans its three barcodes.
  void scan_box(const std::string& mac, const std::string& serial, const std::string& model) {
    ASSERT_NO_FATAL_FAILURE(scan_line(mac));
    ASSERT_NO_FATAL_FAILURE(scan_line(serial));
    ASSERT_NO_FATAL_FAILURE(scan_line(model));
  }

  // Waits for the scan feedback of class `kind` whose text holds `needle`; returns the text.
  std::string wait_status(const std::string& kind, const std::string& needle) {
    const json shown = wait(fmt::format(
        "(() => {{ const s = document.querySelector('#scan-status');"
        " return s.className === {} && s.textContent.includes({}) ? s.textContent : ''; }})()",
        js(kind), js(needle)));
    if (!shown.is_string()) {
      ADD_FAILURE() << "#scan-status is now " << eval("document.querySelector('#scan-status').className + ': ' + "
                                                      "document.querySelector('#scan-status').textContent").dump();
      return {};
    }
    return shown.get<std::string>();
  }

  // Waits until `count` scan requests have been answered, so a late reply cannot change the
  // feedback after the test looked at it.
  void wait_scan_replies(int count) {
    wait(fmt::format("performance.getEntriesByType('resource')"
                     ".filter((e) => e.name.includes('/api/scans')).length >= {}", count));
    std::this_thread::sleep_for(150ms);
  }

  void expect_no_reload() {
    EXPECT_EQ(eval("window.provstationTestMarker || 'reloaded'"), json("no reload"));
  }

  test::temp_dir dir_;
  std::unique_ptr<test::station_process> station_;
  std::uint16_t dashboard_ = 0;
  std::unique_ptr<test::headless_browser> browser_;
  std::optional<test::cdp_page> page_;
};

// Verify that the board loads with its title, one column per stage the station knows, in the
// station's order, and the scan input focused for the wedge scanner.
TEST_F(DashboardInBrowser, BoardLoadsWithAllStagesAndFocusedScanInput) {
  EXPECT_EQ(eval("document.title"), json("provstation — bench"));
  auto units = app::http_request("127.0.0.1", dashboard_, "GET", "/api/units");
  ASSERT_TRUE(units.ok()) << units.message();
  const json counts = json::parse(units->body)["counts"];
  ASSERT_EQ(counts.size(), 10u) << counts.dump();
  const json columns = wait("(() => { const c = [...document.querySelectorAll('#board > .column')];"
                            " return c.length === 10 ? c.map((e) => e.dataset.stage) : null; })()");
  ASSERT_TRUE(columns.is_array()) << columns.dump();
  for (const auto& [stage, n] : counts.items()) {
    EXPECT_NE(std::find(columns.begin(), columns.end(), json(stage)), columns.end())
        << "no column for stage " << stage << " in " << columns.dump();
  }
  EXPECT_EQ(columns.front(), json("SCANNED"));
  EXPECT_EQ(columns.back(), json("FAILED"));
  EXPECT_EQ(eval("document.activeElement && document.activeElement.id"), json("scan"));
  EXPECT_EQ(eval("document.querySelector('#scan-status').className"), json("idle"));
  EXPECT_EQ(eval("document.querySelector('#alerts').hidden"), true);
}

// Verify that a box typed by a wedge scanner (three lines, each ended by Enter) is accepted
// with "ok" feedback and its card appears in SCANNED without a reload.
TEST_F(DashboardInBrowser, WedgeScannedBoxIsAcceptedAndShownInScanned) {
  ASSERT_NO_FATAL_FAILURE(scan_box(box_mac, box_serial, box_model));
  const std::string shown = wait_status("ok", box_mac_text);
  EXPECT_NE(shown.find(box_serial), std::string::npos) << shown;
  EXPECT_NE(shown.find(box_model), std::string::npos) << shown;
  wait("!!" + card("SCANNED", box_mac));
  wait_scan_replies(3);
  EXPECT_EQ(eval("document.querySelector('#scan-status').className"), json("ok"))
      << "a late reply overwrote the feedback: " << eval("document.querySelector('#scan-status').textContent");
  EXPECT_EQ(eval(cards_for(box_mac)), 1);
  EXPECT_EQ(eval("document.querySelector('#scan').value"), json("")) << "the input is cleared for the next box";
  EXPECT_EQ(eval("document.activeElement && document.activeElement.id"), json("scan"));
  // The station agrees with the page.
  auto u = app::http_request("127.0.0.1", dashboard_, "GET", fmt::format("/api/units/{}", box_mac));
  ASSERT_TRUE(u.ok()) << u.message();
  const json unit = json::parse(u->body);
  EXPECT_EQ(unit["stage"], json("SCANNED")) << u->body;
  EXPECT_EQ(unit["serial"], json(box_serial)) << u->body;
  expect_no_reload();
}

// Verify that a box scanned again later, or a new box with an already used serial, is refused
// with "bad" feedback naming the unit that already has it, and adds no card.
TEST_F(DashboardInBrowser, DuplicateBoxIsRefusedNamingTheExistingUnit) {
  ASSERT_NO_FATAL_FAILURE(scan_box(box_mac, box_serial, box_model));
  wait_status("ok", box_mac_text);
  ASSERT_NO_FATAL_FAILURE(scan_box("0023ab000002", "CBT141900G8", box_model));
  wait_status("ok", "00:23:AB:00:00:02");

  ASSERT_NO_FATAL_FAILURE(scan_box(box_mac, box_serial, box_model));
  std::string shown = wait_status("bad", "already scanned");
  EXPECT_TRUE(names_mac(shown, box_mac)) << shown;
  EXPECT_NE(shown.find(box_serial), std::string::npos) << "names the existing unit's serial: " << shown;

  ASSERT_NO_FATAL_FAILURE(scan_box("0023ab000003", box_serial, box_model));
  shown = wait_status("bad", fmt::format("serial {} is already scanned for MAC", box_serial));
  EXPECT_TRUE(names_mac(shown, box_mac)) << "names the unit that has the serial: " << shown;
  EXPECT_FALSE(names_mac(shown, "0023ab000003")) << shown;

  wait_scan_replies(12);
  EXPECT_EQ(eval("document.querySelector('#scan-status').className"), json("bad"));
  EXPECT_EQ(eval(cards_for(box_mac)), 1);
  EXPECT_EQ(eval(cards_for("0023ab000002")), 1);
  EXPECT_EQ(eval(cards_for("0023ab000003")), 0);
  expect_no_reload();
}

// Verify that a lease for a scanned unit moves its card from SCANNED to LEASED over the live
// stream within a few seconds, without a reload.
TEST_F(DashboardInBrowser, LeaseMovesCardToLeasedLive) {
  ASSERT_NO_FATAL_FAILURE(scan_box(box_mac, box_serial, box_model));
  wait_status("ok", box_mac_text);
  wait("!!" + card("SCANNED", box_mac));
  ASSERT_NO_FATAL_FAILURE(lease(box_mac, "127.0.0.2"));
  wait("!!" + card("LEASED", box_mac), 5s);
  EXPECT_EQ(eval(fmt::format("!!{}", card("SCANNED", box_mac))), false) << "the card is in two columns";
  EXPECT_EQ(eval(cards_for(box_mac)), 1);
  EXPECT_THAT(text(card("LEASED", box_mac) + "?.textContent"), ::testing::HasSubstr("127.0.0.2"));
  expect_no_reload();
}

// Verify that a phone leasing before its box was scanned raises the alert banner and shows a
// flagged card in LEASED, live.
TEST_F(DashboardInBrowser, UnscannedPhoneRaisesAlert) {
  EXPECT_EQ(eval("document.querySelector('#alerts').hidden"), true);
  ASSERT_NO_FATAL_FAILURE(lease("0023ab0000ee", "127.0.0.3"));
  wait("!document.querySelector('#alerts').hidden", 5s);
  EXPECT_THAT(text("document.querySelector('#alerts').textContent"), ::testing::HasSubstr("not scanned"));
  wait(card("LEASED", "0023ab0000ee") + "?.classList.contains('unscanned')");
  expect_no_reload();
}

}  // namespace
}  // namespace provstation::web
