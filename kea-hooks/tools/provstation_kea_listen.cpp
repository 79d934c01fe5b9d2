// SPDX-License-Identifier: Apache-2.0
// provstation-kea-listen: binds a Unix datagram socket, receives the hook's lease events and
// checks them: per boot_id, seq must go 1, 2, 3 … without gaps or repeats. For operators (see
// what the hook sends without the station) and for bench/kea/run.
//
//   provstation-kea-listen [--quiet] [--idle-exit SECONDS] [--mode OCTAL] SOCKET_PATH
//
// Prints each event (unless --quiet). On SIGINT/SIGTERM, or after SECONDS without an event, it
// prints one summary line and exits 0:
//   kea-listen: events=N boot_ids=B missing=M duplicates=D malformed=X first_at=T0 last_at=T1

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

std::atomic<bool> stop_requested{false};

void on_signal(int) { stop_requested = true; }

struct boot_state {
  std::uint64_t max_seq = 0;
  std::set<std::uint64_t> seen;
};

int usage() {
  std::fprintf(stderr,
               "usage: provstation-kea-listen [--quiet] [--idle-exit SECONDS] [--mode OCTAL] "
               "SOCKET_PATH\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool quiet = false;
  int idle_exit_s = 0;
  mode_t mode = 0;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quiet") {
      quiet = true;
    } else if (a == "--idle-exit" && i + 1 < argc) {
      idle_exit_s = std::atoi(argv[++i]);
    } else if (a == "--mode" && i + 1 < argc) {
      mode = static_cast<mode_t>(std::strtol(argv[++i], nullptr, 8));
    } else if (!a.empty() && a[0] != '-' && path.empty()) {
      path = a;
    } else {
      return usage();
    }
  }
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return usage();

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  ::unlink(path.c_str());
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "kea-listen: cannot bind %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  if (mode != 0) ::chmod(path.c_str(), mode);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  // Ready: a script may start Kea once this line is out.
  std::fprintf(stderr, "kea-listen: listening on %s\n", path.c_str());

  std::map<std::string, boot_state> boots;
  std::uint64_t events = 0, duplicates = 0, malformed = 0;
  std::int64_t first_at = 0, last_at = 0;
  auto last_event = std::chrono::steady_clock::now();
  char buf[4096];
  while (!stop_requested) {
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, 200);
    if (n <= 0) {
      if (idle_exit_s > 0 &&
          std::chrono::steady_clock::now() - last_event > std::chrono::seconds(idle_exit_s)) {
        break;
      }
      continue;
    }
    const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
    if (got <= 0) continue;
    last_event = std::chrono::steady_clock::now();
    const std::string datagram(buf, static_cast<std::size_t>(got));
    try {
      const auto j = nlohmann::json::parse(datagram);
      const std::string boot = j.at("boot_id").get<std::string>();
      const auto seq = j.at("seq").get<std::uint64_t>();
      const std::int64_t at = j.at("at").get<std::int64_t>();
      auto& b = boots[boot];
      if (!b.seen.insert(seq).second) ++duplicates;
      if (seq > b.max_seq) b.max_seq = seq;
      if (first_at == 0) first_at = at;
      last_at = at;
      ++events;
    } catch (const nlohmann::json::exception&) {
      ++malformed;
    }
    if (!quiet) std::printf("%s\n", datagram.c_str());
  }
  std::uint64_t missing = 0;
  for (const auto& [boot, b] : boots) missing += b.max_seq - b.seen.size();
  std::printf("kea-listen: events=%llu boot_ids=%zu missing=%llu duplicates=%llu malformed=%llu "
              "first_at=%lld last_at=%lld\n",
              static_cast<unsigned long long>(events), boots.size(),
              static_cast<unsigned long long>(missing), static_cast<unsigned long long>(duplicates),
              static_cast<unsigned long long>(malformed), static_cast<long long>(first_at),
              static_cast<long long>(last_at));
  std::fflush(stdout);
  ::close(fd);
  ::unlink(path.c_str());
  return 0;
}
