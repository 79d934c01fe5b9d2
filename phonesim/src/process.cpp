// SPDX-License-Identifier: Apache-2.0
#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <thread>

namespace provstation::phonesim::detail {

namespace {

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const spawn_options& options,
                             pid_t parent) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP}) std::signal(sig, SIG_DFL);
  if (options.die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    // The parent may already be gone between fork and prctl.
    if (::getppid() != parent) ::_exit(1);
  }
  if (options.stdout_fd >= 0) ::dup2(options.stdout_fd, STDOUT_FILENO);
  if (options.stderr_fd >= 0) ::dup2(options.stderr_fd, STDERR_FILENO);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

}  // namespace

pid_t spawn_process(const std::vector<std::string>& argv, const spawn_options& options) {
  if (argv.empty()) return -1;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(argv, options, parent);
  return pid;
}

command_result run_command(const std::vector<std::string>& argv) {
  command_result out;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return out;
  spawn_options options;
  options.stdout_fd = fds[1];
  options.stderr_fd = fds[1];
  const pid_t pid = spawn_process(argv, options);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return out;
  }
  std::array<char, 4096> buf{};
  while (true) {
    const ssize_t n = ::read(fds[0], buf.data(), buf.size());
    if (n > 0) {
      out.output.append(buf.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  return out;
}

void stop_process(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
}

std::string self_executable() {
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : std::string();
}

}  // namespace provstation::phonesim::detail
