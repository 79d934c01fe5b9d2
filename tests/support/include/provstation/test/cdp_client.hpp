// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

namespace provstation::test {

/// @brief The headless browser for the browser tests: $PROVSTATION_CHROMIUM when set, else
/// Debian's chromium (its binary under /usr/lib/chromium, so that the /usr/bin launcher adds no
/// flags or keys of its own); empty when /usr/bin/chromium is not installed.
std::string find_chromium();

class cdp_page;

/// @brief A headless Chromium with a temporary profile, driven over the Chrome DevTools
/// Protocol on its browser websocket (loopback only). The destructor kills the browser's whole
/// process group and removes the profile; the browser also dies with the test process.
class headless_browser {
 public:
  /// @brief Starts `executable` and connects to its DevTools websocket; an error (with the
  /// browser's output) when it is not listening within `timeout`.
  static result<std::unique_ptr<headless_browser>> launch(
      const std::string& executable, std::chrono::milliseconds timeout = std::chrono::seconds(20));

  ~headless_browser();
  headless_browser(const headless_browser&) = delete;
  headless_browser& operator=(const headless_browser&) = delete;

  /// @brief Sends one CDP command (to the page `session`, or the browser when empty) and
  /// waits for its reply; an error for a protocol error, a timeout or a lost connection.
  result<nlohmann::json> call(const std::string& method, nlohmann::json params = nlohmann::json::object(),
                              const std::string& session = {},
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// @brief A tab attached with a flat session: the blank tab the browser started with, when
  /// no one has taken it yet, else a new one (Target.createTarget).
  result<cdp_page> new_page();

  /// @brief What the pages reported so far, one event a line: console messages, uncaught
  /// exceptions, each request ("net <id> <method> <url> «body»"), its reply status and the
  /// server-sent events it delivers.
  const std::vector<std::string>& console() const;

  /// @brief The browser's own stderr so far (for failure messages).
  std::string log() const;

  /// @brief The browser's process id (also its process group id).
  pid_t pid() const;

 private:
  struct impl;
  explicit headless_browser(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// @brief One tab of a headless_browser; valid while the browser lives.
class cdp_page {
 public:
  cdp_page(headless_browser& browser, std::string target_id, std::string session)
      : browser_(&browser), target_id_(std::move(target_id)), session_(std::move(session)) {}

  /// @brief Loads `url` and waits until document.readyState is "complete".
  result<void> navigate(const std::string& url,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// @brief Evaluates `expression` in the page (promises are awaited) and returns its value
  /// as JSON; a thrown exception is an error carrying its description.
  result<nlohmann::json> evaluate(const std::string& expression,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// @brief Evaluates `expression` every 50 ms until it is truthy and returns that value; an
  /// error naming the expression and its last value after `timeout`.
  result<nlohmann::json> wait_for(const std::string& expression,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

  /// @brief Types `text` into the focused element (Input.insertText), as a keyboard wedge does.
  result<void> insert_text(const std::string& text);

  /// @brief Presses and releases Enter on the focused element (keyDown with text "\r", keyUp).
  result<void> press_enter();

  const std::string& session() const { return session_; }
  const std::string& target_id() const { return target_id_; }

 private:
  headless_browser* browser_;
  std::string target_id_;
  std::string session_;
};

}  // namespace provstation::test
