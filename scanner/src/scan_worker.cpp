// SPDX-License-Identifier: Apache-2.0
#include <provstation/scanner/isolated_decoder.hpp>

#include "log.hpp"
#include "worker_protocol.hpp"

#include <sys/resource.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

// AddressSanitizer reserves terabytes of address space for its shadow memory, so an
// address-space limit would stop an ASan build of the worker before main().
#if defined(__SANITIZE_ADDRESS__)
#define PROVSTATION_WORKER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROVSTATION_WORKER_ASAN 1
#endif
#endif

namespace provstation::scanner {

namespace {

void limit(int resource, rlim_t value) {
  const rlimit r{value, value};
  ::setrlimit(resource, &r);
}

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t w = ::write(fd, data.data() + done, data.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    done += static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

int run_scan_worker(int argc, char** argv) {
  // Nothing but stdin, stdout and stderr stays open in the worker.
  ::close_range(3, ~0U, 0);
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  auto settings = detail::parse_worker_arguments(args);
  if (!settings) {
    std::fprintf(stderr, "provstation-scan-worker: %s\n", settings.message().c_str());
    return 2;
  }
  // A crash must not leave a core file; memory, CPU time and descriptors are bounded.
  limit(RLIMIT_CORE, 0);
  limit(RLIMIT_NOFILE, 16);
#ifndef PROVSTATION_WORKER_ASAN
  if (settings->memory_bytes > 0) limit(RLIMIT_AS, settings->memory_bytes);
#endif
  if (settings->cpu_seconds > 0) limit(RLIMIT_CPU, static_cast<rlim_t>(settings->cpu_seconds));
  detail::log()->set_level(spdlog::level::warn);

  const std::size_t max_bytes = settings->decode.limits.max_file_bytes;
  std::vector<std::byte> input;
  char buf[64 * 1024];
  while (true) {
    const ssize_t r = ::read(0, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      std::fprintf(stderr, "provstation-scan-worker: cannot read the image\n");
      return 3;
    }
    if (r == 0) break;
    if (input.size() + static_cast<std::size_t>(r) > max_bytes) {
      std::fprintf(stderr, "provstation-scan-worker: image larger than %zu bytes\n", max_bytes);
      return 3;
    }
    const auto* p = reinterpret_cast<const std::byte*>(buf);
    input.insert(input.end(), p, p + r);
  }
  decode_stats stats;
  const auto outcome = decode_image_bytes(input, settings->decode, &stats);
  return write_all(1, detail::encode_worker_output(outcome, stats)) ? 0 : 4;
}

}  // namespace provstation::scanner
