// SPDX-License-Identifier: Apache-2.0
#include <provstation/scanner/isolated_decoder.hpp>

#include "log.hpp"
#include "worker_protocol.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace provstation::scanner {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::string_view worker_name = "provstation-scan-worker";
// Only the end of the worker's stderr is kept for the log line.
constexpr std::size_t max_stderr_bytes = 4096;
constexpr std::size_t io_chunk_bytes = 64 * 1024;

// Closes a descriptor once.
class fd_guard {
 public:
  explicit fd_guard(int fd = -1) : fd_(fd) {}
  ~fd_guard() { reset(); }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

std::string errno_text(int err) {
  return std::strerror(err);
}

std::string signal_name(int sig) {
  const char* name = sigabbrev_np(sig);
  return name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(sig);
}

// The first line of what the worker wrote to stderr (e.g. the assertion text), for the log.
std::string first_line(const std::string& s) {
  const auto nl = s.find('\n');
  std::string line = s.substr(0, nl);
  if (line.size() > 300) line.resize(300);
  return line;
}

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Everything we learn from one worker run.
struct worker_run {
  std::string out;
  std::string err;
  bool timed_out = false;
  bool output_too_long = false;
  int status = 0;
};

// Spawns the worker, feeds it `input`, collects its output until it exits or `timeout`.
result<worker_run> run_worker(const std::string& path, const std::vector<std::string>& args,
                              std::span<const std::byte> input, std::chrono::milliseconds timeout) {
  int io[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, io) != 0) {
    return make_error("socketpair: " + errno_text(errno));
  }
  fd_guard parent_io(io[0]);
  fd_guard child_io(io[1]);
  int errp[2];
  if (::pipe2(errp, O_CLOEXEC) != 0) return make_error("pipe: " + errno_text(errno));
  fd_guard err_read(errp[0]);
  fd_guard err_write(errp[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_io.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, child_io.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The worker starts with default signal dispositions and nothing blocked, whatever the
  // station's threads have set.
  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv;
  std::string arg0(worker_name);
  argv.push_back(arg0.data());
  std::vector<std::string> owned(args);
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  char* envp[] = {nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return make_error("cannot start " + path + ": " + errno_text(rc));
  child_io.reset();
  err_write.reset();
  set_nonblocking(parent_io.get());
  set_nonblocking(err_read.get());

  worker_run run;
  const auto deadline = clock_type::now() + timeout;
  std::size_t written = 0;
  bool writing = true;
  bool out_open = true;
  bool err_open = true;
  if (input.empty()) {
    ::shutdown(parent_io.get(), SHUT_WR);
    writing = false;
  }
  char buf[io_chunk_bytes];
  while (out_open || err_open) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      break;
    }
    pollfd fds[2] = {{parent_io.get(), 0, 0}, {err_read.get(), 0, 0}};
    if (out_open) fds[0].events = static_cast<short>(POLLIN | (writing ? POLLOUT : 0));
    if (err_open) fds[1].events = POLLIN;
    if (!out_open) fds[0].fd = -1;
    if (!err_open) fds[1].fd = -1;
    const int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (writing && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const std::size_t chunk = std::min(io_chunk_bytes, input.size() - written);
      // MSG_NOSIGNAL: a worker that died must not raise SIGPIPE in the station.
      const ssize_t w = ::send(parent_io.get(), input.data() + written, chunk, MSG_NOSIGNAL);
      if (w > 0) written += static_cast<std::size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        ::shutdown(parent_io.get(), SHUT_WR);
        writing = false;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t r = ::recv(parent_io.get(), buf, sizeof buf, 0);
      if (r > 0) {
        run.out.append(buf, static_cast<std::size_t>(r));
        if (run.out.size() > detail::max_worker_output_bytes) {
          run.output_too_long = true;
          break;
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        out_open = false;
        writing = false;
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t r = ::read(err_read.get(), buf, sizeof buf);
      if (r > 0) {
        run.err.append(buf, static_cast<std::size_t>(r));
        if (run.err.size() > 2 * max_stderr_bytes)
          run.err.erase(0, run.err.size() - max_stderr_bytes);
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        err_open = false;
      }
    }
  }
  // Both streams closed means the worker is exiting; give it until the deadline to do so.
  while (!run.timed_out && !run.output_too_long) {
    const pid_t w = ::waitpid(pid, &run.status, WNOHANG);
    if (w == pid) return run;
    if (w < 0 && errno != EINTR) return make_error("waitpid: " + errno_text(errno));
    if (clock_type::now() >= deadline) {
      run.timed_out = true;
      break;
    }
    ::usleep(1000);
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
  }
  return run;
}

result<std::vector<barcode>> isolated(std::span<const std::byte> bytes,
                                      const isolation_options& options, decode_stats* stats,
                                      const std::string& what, clock_type::time_point start) {
  decode_stats local;
  decode_stats& st = stats != nullptr ? *stats : local;
  const std::string path =
      options.worker_path.empty() ? default_worker_path() : options.worker_path;
  // The CPU limit is a backstop behind the wall-clock timeout.
  const int cpu_seconds =
      static_cast<int>(std::chrono::ceil<std::chrono::seconds>(options.timeout).count()) + 1;
  std::vector<std::string> args = options.worker_prefix_args;
  for (auto& a :
       detail::worker_arguments(options.decode, options.worker_memory_bytes, cpu_seconds)) {
    args.push_back(std::move(a));
  }
  auto ran = run_worker(path, args, bytes, options.timeout);
  st.wall_time = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start);
  if (!ran) {
    detail::log()->error("could not decode {}: {}", what, ran.message());
    return make_error("could not decode the image: the decoder could not be started");
  }
  const worker_run& run = *ran;
  std::string why;
  if (run.timed_out) {
    why = "the decoder took longer than " + std::to_string(options.timeout.count()) + " ms";
  } else if (run.output_too_long) {
    why = "the decoder answered too much";
  } else if (WIFSIGNALED(run.status)) {
    why = "the decoder crashed (" + signal_name(WTERMSIG(run.status)) + ")";
  } else if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0) {
    why = "the decoder failed (exit status " + std::to_string(WEXITSTATUS(run.status)) + ")";
  }
  if (!why.empty()) {
    detail::log()->warn("could not decode {}: {}; worker said: {}", what, why, first_line(run.err));
    return make_error("could not decode the image: " + why);
  }
  auto decoded = detail::decode_worker_output(run.out, st);
  st.wall_time = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start);
  return decoded;
}

}  // namespace

std::string default_worker_path() {
  if (const char* env = std::getenv("PROVSTATION_SCAN_WORKER"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto dir = self.parent_path();
    for (const auto& candidate : {dir / worker_name, dir.parent_path() / "scanner" / worker_name,
                                  dir.parent_path() / "lib" / "provstation" / worker_name}) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return "/usr/lib/provstation/" + std::string(worker_name);
}

result<std::vector<barcode>> decode_image_bytes_isolated(std::span<const std::byte> bytes,
                                                         const isolation_options& options,
                                                         decode_stats* stats) {
  const auto start = clock_type::now();
  if (bytes.empty()) return make_error("image is empty");
  if (bytes.size() > options.decode.limits.max_file_bytes) {
    return make_error("image is larger than " +
                      std::to_string(options.decode.limits.max_file_bytes) + " bytes");
  }
  return isolated(bytes, options, stats, "an uploaded image", start);
}

result<std::vector<barcode>> decode_image_file_isolated(const std::string& path,
                                                        const isolation_options& options,
                                                        decode_stats* stats) {
  const auto start = clock_type::now();
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return make_error("cannot open " + path);
  const std::streamoff size = in.tellg();
  if (size < 0) return make_error("cannot read " + path);
  if (static_cast<std::uint64_t>(size) > options.decode.limits.max_file_bytes) {
    return make_error("image is larger than " +
                      std::to_string(options.decode.limits.max_file_bytes) + " bytes");
  }
  if (size == 0) return make_error("image is empty");
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size))
    return make_error("cannot read " + path);
  return isolated(bytes, options, stats, path, start);
}

}  // namespace provstation::scanner
