// SPDX-License-Identifier: Apache-2.0
#include "harness.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace provstation::tftpd::test {

void recording_observer::on_started(const transfer_info& info) {
  std::lock_guard lock(mutex);
  started.push_back(info);
  cv_.notify_all();
}

void recording_observer::on_completed(const transfer_info& info, completion how,
                                      std::chrono::nanoseconds /*duration*/) {
  std::lock_guard lock(mutex);
  completed.push_back({info, how});
  cv_.notify_all();
}

void recording_observer::on_failed(const transfer_info& info, std::uint64_t bytes_acked,
                                   const std::string& reason) {
  std::lock_guard lock(mutex);
  failed.push_back({info, bytes_acked, reason});
  cv_.notify_all();
}

void recording_observer::on_refused(const boost::asio::ip::udp::endpoint& /*client*/,
                                    const std::string& path, error_code code,
                                    const std::string& message) {
  std::lock_guard lock(mutex);
  refused.push_back({path, code, message});
  cv_.notify_all();
}

bool recording_observer::wait(const std::function<bool()>& pred,
                              std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex);
  return cv_.wait_for(lock, timeout, pred);
}

server_harness::server_harness(const std::string& root, server_options options,
                               bool case_insensitive)
    : work_(boost::asio::make_work_guard(io_)),
      files_(make_directory_source(root, case_insensitive)) {
  options.listen = boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
  auto created = server::create(io_.get_executor(), options, *files_, observer_);
  if (!created) throw std::runtime_error(created.message());
  srv_ = std::move(created.value());
  srv_->start();
  thread_ = std::thread([this] { io_.run(); });
}

server_harness::~server_harness() { shutdown(); }

void server_harness::shutdown() {
  if (!thread_.joinable()) return;
  srv_->stop();
  work_.reset();
  thread_.join();
}

raw_client::raw_client() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    throw std::runtime_error("raw_client: cannot bind");
  }
}

raw_client::~raw_client() {
  if (fd_ >= 0) ::close(fd_);
}

void raw_client::send_to(std::uint16_t port, const std::vector<std::byte>& bytes) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
}

std::optional<std::vector<std::byte>> raw_client::receive(std::uint16_t& from_port,
                                                          std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  std::vector<std::byte> buf(70000);
  sockaddr_in from{};
  socklen_t len = sizeof from;
  const ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from),
                               &len);
  if (n < 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  from_port = ntohs(from.sin_port);
  return buf;
}

std::uint16_t raw_client::port() const {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

namespace {

// posix_spawnp with the file actions set up by the caller; the pid, or -1 with errno in *rc.
pid_t spawn_with(const std::vector<std::string>& argv, posix_spawn_file_actions_t& fa, int& rc) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

}  // namespace

process_result run_process(const std::vector<std::string>& argv, const std::string& cwd,
                           std::chrono::milliseconds timeout) {
  process_result out;
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return out;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  int rc = 0;
  const pid_t pid = spawn_with(argv, fa, rc);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    out.output = std::string("spawn failed: ") + std::strerror(rc);
    return out;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      out.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{pipefd[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 100))) > 0) {
      const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
      if (n > 0) {
        if (out.output.size() < 65536) out.output.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) break;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      ::close(pipefd[0]);
      return out;
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!out.timed_out) out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ::close(pipefd[0]);
  return out;
}

int spawn_background(const std::vector<std::string>& argv, const std::string& log_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  int rc = 0;
  return spawn_with(argv, fa, rc);
}

void stop_process(int pid, std::chrono::milliseconds grace) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
}

bool have_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string p = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= p.size()) {
    const auto end = p.find(':', start);
    const std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  char two[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(two, sizeof two, "%02x", md[i]);
    hex += two;
  }
  return hex;
}

void write_random_file(const std::string& path, std::uint64_t size, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::ofstream out(path, std::ios::binary);
  std::vector<std::uint64_t> chunk(8192);
  while (size > 0) {
    for (auto& v : chunk) v = rng();
    const std::uint64_t n = std::min<std::uint64_t>(size, chunk.size() * sizeof(std::uint64_t));
    out.write(reinterpret_cast<const char*>(chunk.data()), static_cast<std::streamsize>(n));
    size -= n;
  }
}

}  // namespace provstation::tftpd::test
