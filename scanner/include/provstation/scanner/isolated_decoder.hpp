// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>
#include <provstation/scanner/barcode.hpp>
#include <provstation/scanner/image_decoder.hpp>

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace provstation::scanner {

/// @brief How decoding runs isolated in a worker process.
struct isolation_options {
  decode_options decode;
  /// @brief The worker is killed (SIGKILL) after this long; its result is then an error.
  std::chrono::milliseconds timeout{5000};
  /// @brief Path of the `provstation-scan-worker` executable; empty = default_worker_path().
  std::string worker_path;
  /// @brief Arguments put before the worker's own, for a worker that is a subcommand of another
  /// executable (e.g. `{"scan-worker"}` with worker_path = the station binary).
  std::vector<std::string> worker_prefix_args;
  /// @brief Address-space limit of the worker (RLIMIT_AS).
  std::size_t worker_memory_bytes = std::size_t{2} << 30;
};

/// @brief Where the worker executable is looked for: `$PROVSTATION_SCAN_WORKER`, then next to
/// the running executable, then `../scanner/` from it (the build tree), then
/// `/usr/lib/provstation/provstation-scan-worker`.
std::string default_worker_path();

/// @brief Decodes an image file in a separate worker process, so that a crash of stb_image or
/// ZXing (Debian's ZXing 1.4 can abort()) or a hang cannot take the caller down.
///
/// The file is read here (with the byte limit) and piped to the worker; the worker has no
/// file descriptors but its pipes, limited memory and CPU time, and no core dumps. A crash,
/// timeout or garbled answer is an error "could not decode …" and one warning log line.
/// Blocks the calling thread for at most `options.timeout` (plus the file read): call it off any
/// I/O thread. The caller must not ignore SIGCHLD (SIG_IGN), or the worker cannot be reaped.
result<std::vector<barcode>> decode_image_file_isolated(const std::string& path,
                                                        const isolation_options& options = {},
                                                        decode_stats* stats = nullptr);

/// @brief Like decode_image_file_isolated(), for an encoded image in memory (an upload).
result<std::vector<barcode>> decode_image_bytes_isolated(std::span<const std::byte> bytes,
                                                         const isolation_options& options = {},
                                                         decode_stats* stats = nullptr);

/// @brief The worker's main(): reads an image from stdin, decodes it per its arguments and
/// writes the result to stdout in the worker protocol. The `provstation-scan-worker` executable
/// is only this; the station may also run it as a hidden subcommand.
/// @return the process exit code.
int run_scan_worker(int argc, char** argv);

}  // namespace provstation::scanner
