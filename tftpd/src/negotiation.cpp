// SPDX-License-Identifier: Apache-2.0
#include <provstation/tftpd/negotiation.hpp>

#include <algorithm>
#include <bit>
#include <limits>

namespace provstation::tftpd {

namespace {

// Kernel bookkeeping per received datagram (sk_buff + skb_shared_info), roughly.
constexpr std::size_t skb_overhead_bytes = 576;
// IPv4 + UDP + TFTP headers plus link-layer headroom the driver reserves.
constexpr std::size_t wire_overhead_bytes = 20 + 8 + 4 + 64;

constexpr std::uint64_t max_windowsize_rfc = 65535;
constexpr std::uint64_t max_timeout_s = 255;

}  // namespace

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::size_t estimated_packet_cost(std::uint16_t blksize) {
  return std::bit_ceil(static_cast<std::size_t>(blksize) + wire_overhead_bytes) +
         skb_overhead_bytes;
}

std::uint16_t window_limit(std::uint16_t blksize, std::size_t budget_bytes) {
  const std::size_t n = budget_bytes / estimated_packet_cost(blksize);
  return static_cast<std::uint16_t>(std::clamp<std::size_t>(n, 1, max_windowsize_rfc));
}

negotiated negotiate(const request_packet& request, std::uint64_t file_size,
                     const negotiation_limits& limits) {
  negotiated out;
  out.rollover = limits.rollover;
  const bool is_read = request.op == opcode::rrq;
  std::optional<std::uint16_t> requested_window;
  std::size_t window_index = 0;

  for (const auto& o : request.options) {
    if (iequals(o.name, "blksize")) {
      auto v = parse_decimal(o.value);
      if (!v || *v < min_blksize_rfc) continue;
      const std::uint64_t cap =
          std::clamp<std::uint64_t>(limits.max_blksize, min_blksize_rfc, max_blksize_rfc);
      out.blksize = static_cast<std::uint16_t>(std::min<std::uint64_t>(*v, cap));
      out.oack.push_back(option{o.name, std::to_string(out.blksize)});
    } else if (iequals(o.name, "tsize")) {
      if (is_read) {
        // Clients send 0 (RFC 2349) or, like atftp, a word such as "enable": answer either.
        // An empty file is the exception: curl (7.88) rejects an OACK carrying "tsize 0", and
        // leaving the option out is always allowed.
        if (file_size == 0) continue;
        out.oack.push_back(option{o.name, std::to_string(file_size)});
      } else {
        auto v = parse_decimal(o.value);
        if (!v) continue;
        if (limits.max_upload_bytes != 0 && *v > limits.max_upload_bytes) {
          out.refusal = error_code::disk_full;
          out.refusal_message = "file too large";
          return out;
        }
        out.upload_size = *v;
        out.oack.push_back(option{o.name, o.value});
      }
    } else if (iequals(o.name, "timeout")) {
      if (limits.timeout != timeout_policy::honour) continue;
      auto v = parse_decimal(o.value);
      if (!v || *v < 1 || *v > max_timeout_s) continue;
      out.timeout_s = static_cast<std::uint8_t>(*v);
      out.oack.push_back(option{o.name, std::to_string(*v)});
    } else if (iequals(o.name, "windowsize")) {
      auto v = parse_decimal(o.value);
      if (!v || *v < 1 || *v > max_windowsize_rfc) continue;
      requested_window = static_cast<std::uint16_t>(*v);
      window_index = out.oack.size();
      out.oack.push_back(option{o.name, ""});
    } else if (iequals(o.name, "rollover")) {
      // tftpd-hpa's non-standard option: the client says where the block number wraps to.
      if (o.value == "0") {
        out.rollover = rollover_mode::to_zero;
      } else if (o.value == "1") {
        out.rollover = rollover_mode::to_one;
      } else {
        continue;
      }
      out.oack.push_back(option{o.name, o.value});
    }
  }

  // The window depends on the final block size, so it is settled after the loop.
  if (requested_window) {
    const std::uint16_t cap = std::max<std::uint16_t>(
        1, std::min(limits.max_windowsize, window_limit(out.blksize, limits.window_budget_bytes)));
    out.windowsize = std::min(*requested_window, cap);
    out.oack[window_index].value = std::to_string(out.windowsize);
  }
  return out;
}

}  // namespace provstation::tftpd
