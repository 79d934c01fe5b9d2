// SPDX-License-Identifier: Apache-2.0
// provstation-kea-listen: binds a Unix datagram socket, receives the hook's lease events and
// checks them: per boot_id, seq must go 1, 2, 3 … without gaps or repeats. For operators (see
// what the hook sends without the station) and for bench/kea/run.
//
//   provstation-kea-listen [--quiet] [--validate] [--idle-exit SECONDS] [--mode OCTAL] SOCKET_PATH
//
// Prints each event (unless --quiet); a datagram may carry several, one per line. Reads with
// recvmmsg() and, unless --validate is given, finds boot_id and seq by a plain scan instead of
// parsing the JSON, so that as a benchmark listener it takes as little CPU from Kea as it can. On
// SIGINT/SIGTERM, or after SECONDS without an event, it prints one summary line and exits 0:
//   kea-listen: events=N boot_ids=B missing=M duplicates=D malformed=X first_at=T0 last_at=T1

#include <provstation/kea/lease_event.hpp>

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
#include <string_view>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

std::atomic<bool> stop_requested{false};

void on_signal(int) {
  stop_requested = true;
}

// The value of "key":"…" or "key":123 in a datagram of the hook's own (flat) format.
std::string field(std::string_view d, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":";
  auto at = d.find(needle);
  if (at == std::string_view::npos) return {};
  at += needle.size();
  if (at < d.size() && d[at] == '"') {
    const auto end = d.find('"', at + 1);
    return end == std::string_view::npos ? std::string()
                                         : std::string(d.substr(at + 1, end - at - 1));
  }
  auto end = at;
  while (end < d.size() && ((d[end] >= '0' && d[end] <= '9') || d[end] == '-')) ++end;
  return std::string(d.substr(at, end - at));
}

struct boot_state {
  std::uint64_t max_seq = 0;
  std::set<std::uint64_t> seen;
};

int usage() {
  std::fprintf(stderr,
               "usage: provstation-kea-listen [--quiet] [--validate] [--idle-exit SECONDS] "
               "[--mode OCTAL] "
               "SOCKET_PATH\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool quiet = false;
  bool validate = false;
  int idle_exit_s = 0;
  mode_t mode = 0;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quiet") {
      quiet = true;
    } else if (a == "--validate") {
      validate = true;
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
  constexpr unsigned batch = 16;
  static char bufs[batch][provstation::kea::max_datagram_bytes + 1];
  mmsghdr msgs[batch];
  iovec iov[batch];
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
    for (unsigned k = 0; k < batch; ++k) {
      iov[k] = iovec{bufs[k], sizeof bufs[k]};
      msgs[k] = mmsghdr{};
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    const int got = ::recvmmsg(fd, msgs, batch, MSG_DONTWAIT, nullptr);
    if (got <= 0) continue;
    last_event = std::chrono::steady_clock::now();
    for (int k = 0; k < got; ++k) {
      if ((msgs[k].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        ++malformed;
        continue;
      }
      provstation::kea::for_each_event(
          std::string_view(bufs[k], msgs[k].msg_len), 0, [&](std::string_view line) {
            std::string boot;
            std::uint64_t seq = 0;
            std::int64_t at = 0;
            try {
              if (validate) {
                const auto j = nlohmann::json::parse(line);
                boot = j.at("boot_id").get<std::string>();
                seq = j.at("seq").get<std::uint64_t>();
                at = j.at("at").get<std::int64_t>();
              } else {
                boot = field(line, "boot_id");
                seq = std::stoull(field(line, "seq"));
                at = std::stoll(field(line, "at"));
              }
            } catch (const std::exception&) {
              ++malformed;
              return true;
            }
            auto& b = boots[boot];
            if (!b.seen.insert(seq).second) ++duplicates;
            if (seq > b.max_seq) b.max_seq = seq;
            if (first_at == 0) first_at = at;
            last_at = at;
            ++events;
            if (!quiet) std::printf("%.*s\n", static_cast<int>(line.size()), line.data());
            return true;
          });
    }
  }
  std::uint64_t missing = 0;
  for (const auto& [boot, b] : boots) missing += b.max_seq - b.seen.size();
  std::printf(
      "kea-listen: events=%llu boot_ids=%zu missing=%llu duplicates=%llu malformed=%llu "
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
