// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the tftpd integration tests: an in-process server on 127.0.0.1 port 0 with a
// recording observer, a raw UDP client, a process runner with a timeout, and SHA-256.

#include <provstation/tftpd/file_source.hpp>
#include <provstation/tftpd/packet.hpp>
#include <provstation/tftpd/server.hpp>
#include <provstation/tftpd/transfer_observer.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace provstation::tftpd::test {

/// @brief Records every observer event; waits for conditions with a timeout.
class recording_observer : public transfer_observer {
 public:
  struct completed_event {
    transfer_info info;
    completion how;
  };
  struct failed_event {
    transfer_info info;
    std::uint64_t bytes_acked;
    std::string reason;
  };
  struct refused_event {
    std::string path;
    error_code code;
    std::string message;
  };

  void on_started(const transfer_info& info) override;
  void on_completed(const transfer_info& info, completion how,
                    std::chrono::nanoseconds duration) override;
  void on_failed(const transfer_info& info, std::uint64_t bytes_acked,
                 const std::string& reason) override;
  void on_refused(const boost::asio::ip::udp::endpoint& client, const std::string& path,
                  error_code code, const std::string& message) override;

  /// @brief Waits until `pred` holds (checked under the lock) or `timeout` passes.
  bool wait(const std::function<bool()>& pred,
            std::chrono::milliseconds timeout = std::chrono::seconds(10));

  std::vector<transfer_info> started;
  std::vector<completed_event> completed;
  std::vector<failed_event> failed;
  std::vector<refused_event> refused;
  std::mutex mutex;

 private:
  std::condition_variable cv_;
};

/// @brief A server on its own io_context thread.
class server_harness {
 public:
  /// @brief Serves `root` with `options` (listen is forced to 127.0.0.1:0).
  explicit server_harness(const std::string& root, server_options options = {},
                          bool case_insensitive = false);
  ~server_harness();
  server_harness(const server_harness&) = delete;
  server_harness& operator=(const server_harness&) = delete;

  std::uint16_t port() const { return srv_->local_endpoint().port(); }
  server& srv() { return *srv_; }
  recording_observer& observer() { return observer_; }
  /// @brief Stops the server and waits for its thread (idempotent).
  void shutdown();

 private:
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<file_source> files_;
  recording_observer observer_;
  std::unique_ptr<server> srv_;
  std::thread thread_;
};

/// @brief A blocking UDP socket on 127.0.0.1 for hand-made TFTP packets.
class raw_client {
 public:
  raw_client();
  ~raw_client();
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  /// @brief Sends bytes to 127.0.0.1:port.
  void send_to(std::uint16_t port, const std::vector<std::byte>& bytes);
  /// @brief Receives one datagram (nullopt on timeout); `from_port` gets its source port.
  std::optional<std::vector<std::byte>> receive(std::uint16_t& from_port,
                                                std::chrono::milliseconds timeout =
                                                    std::chrono::milliseconds(2000));
  /// @brief This socket's port.
  std::uint16_t port() const;

 private:
  int fd_ = -1;
};

/// @brief Result of a child process.
struct process_result {
  int exit_code = -1;     ///< Exit status, or -1 when killed.
  bool timed_out = false; ///< Killed after the timeout.
  std::string output;     ///< stdout and stderr together.
};

/// @brief Runs argv[0] (looked up in PATH) in `cwd` with a timeout; stdin is /dev/null.
process_result run_process(const std::vector<std::string>& argv, const std::string& cwd,
                           std::chrono::milliseconds timeout);

/// @brief Starts argv (PATH lookup) in the background with stdout+stderr to `log_path`;
/// returns its pid (or -1).
int spawn_background(const std::vector<std::string>& argv, const std::string& log_path);

/// @brief Sends SIGTERM to `pid`, then SIGKILL after `grace`, and reaps it.
void stop_process(int pid, std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

/// @brief True when `program` is found in PATH.
bool have_program(const std::string& program);

/// @brief Lower-case hex SHA-256 of a file's content ("" when unreadable).
std::string sha256_file(const std::string& path);

/// @brief Writes `size` pseudo-random bytes (seeded) to `path`.
void write_random_file(const std::string& path, std::uint64_t size, unsigned seed);

}  // namespace provstation::tftpd::test
