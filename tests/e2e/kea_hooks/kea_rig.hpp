// SPDX-License-Identifier: Apache-2.0
#pragma once

// A test rig for the hook with real processes: child processes with a deadline, a pair of
// network namespaces joined by a veth, a Unix datagram listener standing in for the station,
// and a kea-dhcp4 instance with its own temp files. Used by the e2e tests and the volume test.

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace provstation::kea::rig {

/// @brief The outcome of a finished child process.
struct run_result {
  int exit_code = -1;      ///< Exit status, or 128 + signal.
  bool timed_out = false;  ///< Killed at the deadline.
  std::string output;      ///< stdout and stderr, merged.
};

/// @brief Runs argv[0] (searched in PATH) and waits at most `timeout`; never throws.
run_result run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

/// @brief Runs a command and fails the current test unless it exits 0.
void must_run(const std::vector<std::string>& argv);

/// @brief True when `name` is an executable in PATH (or an absolute path).
bool have_program(const std::string& name);

/// @brief A background process, ended (SIGTERM, then SIGKILL) when destroyed.
class child_process {
 public:
  child_process() = default;
  /// @brief Starts argv with stdout and stderr appended to `log_path`.
  child_process(const std::vector<std::string>& argv, const std::string& log_path);
  ~child_process();
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  /// @brief True while the process has not exited.
  bool running();
  /// @brief Sends a signal to the process.
  void signal(int sig);
  /// @brief SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit code (or 128 + signal).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

/// @brief Two network namespaces, "<prefix>s" (server) and "<prefix>c" (client), joined by a
/// veth pair "<prefix>S" / "<prefix>C"; deleted (with the veth) when destroyed.
class netns_pair {
 public:
  /// @brief Creates them; the server side gets `server_cidr` (e.g. "192.0.2.1/24").
  netns_pair(const std::string& prefix, const std::string& server_cidr);
  ~netns_pair();
  netns_pair(const netns_pair&) = delete;
  netns_pair& operator=(const netns_pair&) = delete;

  const std::string& server_ns() const { return server_ns_; }
  const std::string& client_ns() const { return client_ns_; }
  const std::string& server_if() const { return server_if_; }
  const std::string& client_if() const { return client_if_; }
  /// @brief True when everything was created.
  bool ok() const { return ok_; }

  /// @brief Deletes namespaces left by earlier runs whose process no longer exists.
  static void reap_stale(const std::string& base);

 private:
  std::string server_ns_, client_ns_, server_if_, client_if_;
  bool ok_ = false;
};

/// @brief A bound Unix datagram socket, standing in for the station's event listener.
class event_listener {
 public:
  explicit event_listener(std::string path);
  ~event_listener();
  event_listener(const event_listener&) = delete;
  event_listener& operator=(const event_listener&) = delete;

  /// @brief One event (a datagram carries one or more, one per line), or nullopt after `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout);
  /// @brief Every event until none arrives for `quiet`.
  std::vector<std::string> drain(std::chrono::milliseconds quiet);
  /// @brief Sets the socket receive buffer (bytes).
  void set_receive_buffer(int bytes);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::deque<std::string> queued_;  // Events of a datagram not returned yet.
};

/// @brief A kea-dhcp4 with the hook in a namespace, with its own lease, log, pid and lock files.
class kea_server {
 public:
  /// @brief Everything that goes into the configuration.
  struct options {
    std::string netns;                ///< Where to run.
    std::string interfaces_json;      ///< e.g. ["ksX"] or ["lo/127.0.0.1"].
    std::string socket_type = "raw";  ///< "raw" (veth with broadcasts) or "udp" (relay).
    std::string subnet = "192.0.2.0/24";
    std::string pool = "192.0.2.100 - 192.0.2.199";
    std::string relay_json;         ///< e.g. "\"relay\": {\"ip-addresses\": [\"127.0.0.2\"]},".
    std::string hook_parameters;    ///< The hook's "parameters" map (JSON), empty: no hook.
    std::string hook_library;       ///< Path of libprovstation_kea.so.
    std::string severity = "INFO";  ///< Kea's main logger.
    bool multi_threading = false;
    int valid_lifetime = 600;
    /// Extra members of the Dhcp4 map, each followed by a comma (e.g. lease reclamation).
    std::string extra_json;
    bool persist = true;  ///< memfile persist.
    /// @brief A user to run Kea as (with the capabilities Debian's unit gives it); empty: root.
    std::string run_as;
  };

  kea_server(options o, std::filesystem::path dir);
  ~kea_server();
  kea_server(const kea_server&) = delete;
  kea_server& operator=(const kea_server&) = delete;

  /// @brief The configuration written for Kea (for the notes and for debugging).
  static std::string config_json(const options& o, const std::filesystem::path& dir);

  /// @brief Starts Kea and waits for DHCP4_STARTED in its log (true) or for it to fail.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  /// @brief Stops Kea (SIGTERM); returns its exit code.
  int stop();
  /// @brief True while Kea runs.
  bool running() { return process_.running(); }
  /// @brief Kea's log so far (its own log file plus its stdout/stderr).
  std::string log() const;
  /// @brief The memfile lease file.
  std::filesystem::path lease_file() const { return dir_ / "kea-leases4.csv"; }
  pid_t pid() const { return process_.pid(); }

 private:
  options options_;
  std::filesystem::path dir_;
  child_process process_;
};

/// @brief What a busybox udhcpc run produced.
struct dhcp_result {
  bool bound = false;                      ///< A lease was obtained.
  std::map<std::string, std::string> env;  ///< The script's environment at "bound".
  std::string output;                      ///< udhcpc's own output.
};

/// @brief Writes (once) the udhcpc script into `dir`: it configures the address on the
/// interface and writes its environment to `dir`/udhcpc-bound.env at bound and renew.
std::filesystem::path udhcpc_script(const std::filesystem::path& dir);

/// @brief Reads the environment the script wrote last (empty if none).
std::map<std::string, std::string> udhcpc_env(const std::filesystem::path& dir);

/// @brief Runs busybox udhcpc once in `netns` on `iface` (whose MAC is set first).
/// @param args Extra udhcpc arguments, e.g. {"-V", "Cisco SPA525G2", "-O", "66"}.
dhcp_result udhcpc(const std::string& netns, const std::string& iface, const std::string& mac,
                   const std::vector<std::string>& args, const std::filesystem::path& dir);

}  // namespace provstation::kea::rig
