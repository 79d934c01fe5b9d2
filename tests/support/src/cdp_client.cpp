// SPDX-License-Identifier: Apache-2.0
// The only Beast translation unit of the test support library.
#include <provstation/test/cdp_client.hpp>

#include <provstation/test/temp_dir.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/prctl.h>  // PR_SET_PDEATHSIG
#include <sys/stat.h>   // chmod
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace provstation::test {

namespace beast = boost::beast;
namespace net = boost::asio;
using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

namespace {

// Keeps the browser on loopback: no background services, no name resolution except for
// 127.0.0.1, and the DevTools endpoint on an ephemeral loopback port.
const char* const browser_flags[] = {
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--metrics-recording-only",
    "--password-store=basic",
    "--mute-audio",
    "--disable-audio-output",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
};

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string tail(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : "…" + s.substr(s.size() - n);
}

bool truthy(const json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0.0;
  if (v.is_string()) return !v.get<std::string>().empty();
  return true;
}

std::string remote_object_text(const json& o) {
  if (o.contains("value")) return o["value"].is_string() ? o["value"].get<std::string>() : o["value"].dump();
  if (o.contains("description")) return o["description"].get<std::string>();
  return o.value("type", "?");
}

}  // namespace

std::string find_chromium() {
  if (const char* env = std::getenv("PROVSTATION_CHROMIUM"); env != nullptr && *env != '\0') {
    return ::access(env, X_OK) == 0 ? env : "";
  }
  if (::access("/usr/bin/chromium", X_OK) != 0) return {};
  if (::access("/usr/lib/chromium/chromium", X_OK) == 0) return "/usr/lib/chromium/chromium";
  return "/usr/bin/chromium";
}

struct headless_browser::impl {
  temp_dir dir;
  pid_t pid = -1;
  net::io_context ioc;
  beast::websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  bool connected = false;
  std::string broken;
  std::uint64_t next_id = 0;
  std::vector<std::string> console;

  ~impl() { kill_browser(); }

  void kill_browser() {
    if (connected) {
      beast::error_code ec;
      beast::get_lowest_layer(ws).socket().close(ec);
      connected = false;
    }
    if (pid <= 0) return;
    // The browser leads its own process group: renderers, zygotes and utilities go with it.
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    // Its children are reaped by init; wait until the group is gone so none outlives the test.
    for (int i = 0; i < 300 && ::kill(-pid, 0) == 0; ++i) {
      ::kill(-pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid = -1;
  }

  // Runs one asynchronous operation to completion or until `deadline`; on a timeout the
  // connection is closed (and unusable afterwards).
  template <class Start>
  beast::error_code run(Start&& start, clock_type::time_point deadline) {
    bool done = false;
    beast::error_code result;
    start([&](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc.restart();
    while (!done) {
      if (ioc.run_one_until(deadline) == 0 && !done) {
        if (clock_type::now() < deadline) {
          ioc.restart();
          continue;
        }
        beast::error_code ignored;
        beast::get_lowest_layer(ws).socket().close(ignored);
        ioc.restart();
        ioc.run();  // The aborted handler runs before `done` and `result` go out of scope.
        return net::error::timed_out;
      }
    }
    return result;
  }

  void on_event(const json& m) {
    const std::string method = m.value("method", "");
    const json p = m.value("params", json::object());
    if (method == "Runtime.consoleAPICalled") {
      std::string line = "console." + p.value("type", "log") + ":";
      if (p.contains("args")) {
        for (const auto& a : p["args"]) line += " " + remote_object_text(a);
      }
      console.push_back(std::move(line));
    } else if (method == "Runtime.exceptionThrown") {
      const json d = p.value("exceptionDetails", json::object());
      std::string text = d.value("text", "exception");
      if (d.contains("exception")) text += " " + remote_object_text(d["exception"]);
      console.push_back(fmt::format("uncaught: {} (line {})", text, d.value("lineNumber", -1)));
    } else if (method == "Network.requestWillBeSent") {
      const json r = p.value("request", json::object());
      std::string line = fmt::format("net {} {} {}", p.value("requestId", "?"), r.value("method", "?"), r.value("url", "?"));
      if (r.contains("postData")) line += " «" + r.value("postData", "") + "»";
      console.push_back(std::move(line));
    } else if (method == "Network.responseReceived") {
      const json r = p.value("response", json::object());
      console.push_back(fmt::format("net {} ← {} (connection {})", p.value("requestId", "?"), r.value("status", 0),
                                    r.value("connectionId", 0.0)));
    } else if (method == "Network.eventSourceMessageReceived") {
      console.push_back(fmt::format("net {} event: {}", p.value("requestId", "?"), p.value("data", "").substr(0, 300)));
    } else if (method == "Network.loadingFailed") {
      console.push_back(fmt::format("net {} failed: {}", p.value("requestId", "?"), p.value("errorText", "?")));
    } else if (method == "Inspector.targetCrashed" || method == "Target.targetCrashed") {
      console.push_back("the page crashed");
    }
    if (console.size() > 500) console.erase(console.begin());
  }
};

headless_browser::headless_browser(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

headless_browser::~headless_browser() = default;

result<std::unique_ptr<headless_browser>> headless_browser::launch(const std::string& executable,
                                                                   std::chrono::milliseconds timeout) {
  auto p = std::make_unique<impl>();
  const std::filesystem::path profile = p->dir.path() / "profile";
  const std::filesystem::path home = p->dir.path() / "home";
  std::filesystem::create_directories(profile);
  std::filesystem::create_directories(home);
  const std::string log = p->dir.file("chromium.log");

  std::vector<std::string> args{executable};
  for (const char* f : browser_flags) args.emplace_back(f);
  args.push_back("--user-data-dir=" + profile.string());
  args.push_back("about:blank");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Nothing of the user's home and nothing left in /tmp (the singleton socket, audio runtime
  // files): HOME, TMPDIR and the XDG directories all lie in the temp dir that goes with us.
  const std::filesystem::path tmp = p->dir.path() / "tmp";
  std::filesystem::create_directories(tmp);
  ::chmod(tmp.c_str(), 0700);
  const std::pair<const char*, std::filesystem::path> private_dirs[] = {
      {"HOME", home},
      {"TMPDIR", tmp},
      {"XDG_CONFIG_HOME", home / ".config"},
      {"XDG_CACHE_HOME", home / ".cache"},
      {"XDG_RUNTIME_DIR", tmp},
  };
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view v(*e);
    const bool replaced = std::any_of(std::begin(private_dirs), std::end(private_dirs), [&](const auto& d) {
      return v.starts_with(std::string(d.first) + "=");
    });
    if (!replaced) env.emplace_back(v);
  }
  for (const auto& [name, path] : private_dirs) env.push_back(std::string(name) + "=" + path.string());
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return make_error(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls until exec.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // The browser dies with the test, even on a crash.
    if (::getppid() != parent) ::_exit(126);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in >= 0) ::dup2(in, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  p->pid = pid;
  std::unique_ptr<headless_browser> browser(new headless_browser(std::move(p)));
  impl& b = *browser->impl_;

  // DevToolsActivePort holds the port and the browser target's path, one a line.
  const auto deadline = clock_type::now() + timeout;
  std::uint16_t port = 0;
  std::string target;
  for (;;) {
    std::istringstream in(read_file(profile / "DevToolsActivePort"));
    std::string port_line;
    // It may be caught half written: the path ends in a 36-character UUID.
    if (std::getline(in, port_line) && std::getline(in, target) &&
        target.size() == std::string_view("/devtools/browser/").size() + 36 &&
        !port_line.empty() && port_line.size() <= 5 &&
        std::all_of(port_line.begin(), port_line.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      port = static_cast<std::uint16_t>(std::stoi(port_line));
      break;
    }
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) {
      b.pid = -1;
      return make_error(fmt::format("{} exited ({}) before listening:\n{}", executable, st,
                                    tail(browser->log(), 4000)));
    }
    if (clock_type::now() >= deadline) {
      return make_error(fmt::format("{} did not write DevToolsActivePort within {} ms:\n{}", executable,
                                    timeout.count(), tail(browser->log(), 4000)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  const net::ip::tcp::endpoint ep(net::ip::make_address_v4("127.0.0.1"), port);
  if (auto ec = b.run([&](auto h) { beast::get_lowest_layer(b.ws).async_connect(ep, std::move(h)); }, deadline)) {
    return make_error(fmt::format("connecting to DevTools on 127.0.0.1:{}: {}", port, ec.message()));
  }
  b.connected = true;
  b.ws.read_message_max(64 * 1024 * 1024);
  const std::string host = fmt::format("127.0.0.1:{}", port);
  if (auto ec = b.run([&](auto h) { b.ws.async_handshake(host, target, std::move(h)); }, deadline)) {
    return make_error(fmt::format("DevTools websocket handshake at {}{}: {}", host, target, ec.message()));
  }
  b.ws.text(true);
  return browser;
}

result<json> headless_browser::call(const std::string& method, json params, const std::string& session,
                                    std::chrono::milliseconds timeout) {
  impl& b = *impl_;
  if (!b.broken.empty()) return make_error(fmt::format("{}: the DevTools connection is gone ({})", method, b.broken));
  const std::uint64_t id = ++b.next_id;
  json msg{{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (!session.empty()) msg["sessionId"] = session;
  const std::string text = msg.dump();
  const auto deadline = clock_type::now() + timeout;
  if (auto ec = b.run([&](auto h) { b.ws.async_write(net::buffer(text), std::move(h)); }, deadline)) {
    b.broken = ec.message();
    return make_error(fmt::format("{}: sending: {}", method, ec.message()));
  }
  for (;;) {
    b.buffer.clear();
    if (auto ec = b.run([&](auto h) { b.ws.async_read(b.buffer, std::move(h)); }, deadline)) {
      b.broken = ec.message();
      return make_error(fmt::format("{}: no reply within {} ms: {}", method, timeout.count(), ec.message()));
    }
    json reply = json::parse(beast::buffers_to_string(b.buffer.data()), nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) continue;
    if (!reply.contains("id")) {
      b.on_event(reply);
      continue;
    }
    if (reply["id"] != id) continue;  // A reply to a call that already timed out.
    if (reply.contains("error")) {
      return make_error(fmt::format("{}: {}", method, reply["error"].value("message", reply["error"].dump())));
    }
    return reply.contains("result") ? reply["result"] : json::object();
  }
}

result<cdp_page> headless_browser::new_page() {
  // The blank tab the browser opened at start first (no second renderer to wait for), then new ones.
  std::string target;
  auto targets = call("Target.getTargets");
  if (!targets) return targets.err();
  for (const auto& t : (*targets)["targetInfos"]) {
    if (t.value("type", "") == "page" && !t.value("attached", true) && t.value("url", "") == "about:blank") {
      target = t.value("targetId", "");
      break;
    }
  }
  if (target.empty()) {
    auto created = call("Target.createTarget", {{"url", "about:blank"}});
    if (!created) return created.err();
    target = created->value("targetId", "");
  }
  if (target.empty()) return make_error("Target.createTarget gave no targetId");
  auto attached = call("Target.attachToTarget", {{"targetId", target}, {"flatten", true}});
  if (!attached) return attached.err();
  const std::string session = attached->value("sessionId", "");
  if (session.empty()) return make_error("Target.attachToTarget gave no sessionId");
  cdp_page page(*this, target, session);
  for (const char* m : {"Runtime.enable", "Page.enable", "Network.enable"}) {
    if (auto r = call(m, json::object(), page.session()); !r) return r.err();
  }
  if (auto r = call("Page.bringToFront", json::object(), page.session()); !r) return r.err();
  return page;
}

const std::vector<std::string>& headless_browser::console() const { return impl_->console; }

std::string headless_browser::log() const { return read_file(impl_->dir.path() / "chromium.log"); }

pid_t headless_browser::pid() const { return impl_->pid; }

result<void> cdp_page::navigate(const std::string& url, std::chrono::milliseconds timeout) {
  auto r = browser_->call("Page.navigate", {{"url", url}}, session_, timeout);
  if (!r) return r.err();
  if (const std::string failed = r->value("errorText", ""); !failed.empty()) {
    return make_error(fmt::format("navigating to {}: {}", url, failed));
  }
  auto loaded = wait_for("document.readyState === 'complete' && location.href !== 'about:blank'", timeout);
  if (!loaded) return loaded.err();
  return {};
}

result<json> cdp_page::evaluate(const std::string& expression, std::chrono::milliseconds timeout) {
  auto r = browser_->call("Runtime.evaluate",
                          {{"expression", expression}, {"awaitPromise", true}, {"returnByValue", true}},
                          session_, timeout);
  if (!r) return r.err();
  if (r->contains("exceptionDetails")) {
    const json& d = (*r)["exceptionDetails"];
    std::string text = d.value("text", "exception");
    if (d.contains("exception")) text += " " + remote_object_text(d["exception"]);
    return make_error(fmt::format("evaluating `{}`: {}", expression, text));
  }
  const json& v = (*r)["result"];
  return v.contains("value") ? v["value"] : json(nullptr);
}

result<json> cdp_page::wait_for(const std::string& expression, std::chrono::milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  std::string last = "(not evaluated)";
  for (;;) {
    auto r = evaluate(expression);
    if (r && truthy(*r)) return *r;
    last = r ? r->dump() : r.message();
    if (!r && r.message().find("connection is gone") != std::string::npos) break;
    if (clock_type::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return make_error(fmt::format("`{}` still not true after {} ms; last value: {}", expression,
                                timeout.count(), last));
}

result<void> cdp_page::insert_text(const std::string& text) {
  auto r = browser_->call("Input.insertText", {{"text", text}}, session_);
  if (!r) return r.err();
  return {};
}

result<void> cdp_page::press_enter() {
  const json down{{"type", "keyDown"},         {"key", "Enter"}, {"code", "Enter"},
                  {"windowsVirtualKeyCode", 13}, {"nativeVirtualKeyCode", 13},
                  {"text", "\r"},              {"unmodifiedText", "\r"}};
  if (auto r = browser_->call("Input.dispatchKeyEvent", down, session_); !r) return r.err();
  const json up{{"type", "keyUp"}, {"key", "Enter"}, {"code", "Enter"},
                {"windowsVirtualKeyCode", 13}, {"nativeVirtualKeyCode", 13}};
  if (auto r = browser_->call("Input.dispatchKeyEvent", up, session_); !r) return r.err();
  return {};
}

}  // namespace provstation::test
