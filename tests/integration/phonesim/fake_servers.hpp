// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace provstation::phonesim::test {

/// @brief A small TFTP server (default 127.0.0.1, port 0) serving files from memory, one
/// transfer at a time, recording every request.
class fake_tftp_server {
 public:
  struct request {
    std::string path;
    std::map<std::string, std::string> options;
    std::string peer_ip;
  };
  explicit fake_tftp_server(const std::string& address = "127.0.0.1", std::uint16_t port = 0);
  ~fake_tftp_server();
  fake_tftp_server(const fake_tftp_server&) = delete;
  fake_tftp_server& operator=(const fake_tftp_server&) = delete;

  std::uint16_t port() const { return port_; }
  void set_file(const std::string& path, std::string content);
  std::vector<request> requests() const;

  bool honour_options = true;             ///< Answer blksize with an OACK (else DATA 1, 512).
  std::atomic<int> drop_data_packets{0};  ///< Do not send the next N DATA packets (loss).
  std::atomic<bool> silent{false};        ///< Never answer.

 private:
  void run();
  void serve(const std::string& packet, const void* client);

  std::string address_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<std::string, std::string> files_;
  std::vector<request> requests_;
  std::thread thread_;
};

/// @brief A small HTTP/1.1 server (default 127.0.0.1, port 0) answering from a table by target.
class fake_http_server {
 public:
  struct request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  ///< Lower-case names.
    std::string body;
    std::string peer_ip;
  };
  struct response {
    int status = 200;
    std::string body;
  };
  explicit fake_http_server(const std::string& address = "127.0.0.1");
  ~fake_http_server();
  fake_http_server(const fake_http_server&) = delete;
  fake_http_server& operator=(const fake_http_server&) = delete;

  std::uint16_t port() const { return port_; }
  /// @brief Answers `target` with `r`; a target ending in '*' matches every target it prefixes.
  void set(const std::string& target, response r);
  std::vector<request> requests() const;

  std::atomic<bool> chunked{false};  ///< Send bodies with Transfer-Encoding: chunked.

 private:
  void run();
  void serve(int client, const std::string& peer_ip);

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<std::string, response> responses_;
  std::vector<request> requests_;
  std::thread thread_;
};

/// @brief Collects syslog datagrams (default 127.0.0.1, port 0).
class fake_syslog_server {
 public:
  explicit fake_syslog_server(const std::string& address = "127.0.0.1");
  ~fake_syslog_server();
  fake_syslog_server(const fake_syslog_server&) = delete;
  fake_syslog_server& operator=(const fake_syslog_server&) = delete;

  std::uint16_t port() const { return port_; }
  std::vector<std::string> messages() const;
  /// @brief The source address of each message, in the same order.
  std::vector<std::string> peers() const;

 private:
  void run();

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  std::vector<std::string> peers_;
  std::thread thread_;
};

/// @brief A child process whose stdout lines are collected; SIGTERM/SIGKILL on destruction.
class child_process {
 public:
  explicit child_process(const std::vector<std::string>& argv);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// @brief Waits until a collected line satisfies `pred`; returns it.
  std::optional<std::string> wait_for_line(const std::function<bool(const std::string&)>& pred,
                                           std::chrono::milliseconds timeout);
  std::vector<std::string> lines() const;
  /// @brief Sends SIGTERM and waits; returns the exit code (-1 on a signal or timeout).
  int terminate(std::chrono::milliseconds timeout);
  /// @brief Waits for the child to exit on its own; returns the exit code (-1 as above).
  int wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  std::thread reader_;
  bool reaped_ = false;
};

}  // namespace provstation::phonesim::test
