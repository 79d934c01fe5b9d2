// SPDX-License-Identifier: Apache-2.0
// Fuzzes the TFTP packet codec, option negotiation and the read transfer state machine:
// any bytes either decode to a packet whose canonical encoding is stable, or give an error;
// a decoded request negotiates within the RFC limits with only requested options in the OACK;
// and the rest of the input, read as a stream of events, never drives a transfer outside its
// file or past its end.
#include <provstation/tftpd/negotiation.hpp>
#include <provstation/tftpd/packet.hpp>
#include <provstation/tftpd/transfer.hpp>

#include <cstdint>
#include <cstdlib>
#include <span>

namespace {

using namespace provstation::tftpd;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_batch(const read_transfer& t, const send_batch& b) {
  if (b.count == 0) return;
  check(b.first >= 1);
  check(b.first + b.count - 1 <= t.total_blocks());
  check(b.count <= t.config().windowsize);
}

void drive(const read_config& cfg, std::span<const std::byte> events) {
  read_transfer t(cfg);
  time_point now = time_point() + std::chrono::seconds(1);
  check_batch(t, t.start(now));
  for (std::size_t i = 0; i + 3 <= events.size(); i += 3) {
    const auto kind = std::to_integer<unsigned>(events[i]) % 5;
    const auto value = static_cast<std::uint16_t>((std::to_integer<unsigned>(events[i + 1]) << 8U) |
                                                  std::to_integer<unsigned>(events[i + 2]));
    now += std::chrono::microseconds(value);
    const bool was_finished = t.finished();
    send_batch b;
    switch (kind) {
      case 0: b = t.on_ack(value, now); break;
      case 1: b = t.on_timer(std::max(now, t.next_deadline() == time_point::max() ? now : t.next_deadline())); break;
      case 2: b = t.on_duplicate_request(now); break;
      case 3: b = t.on_ack(t.wire_block(value % (t.total_blocks() + 1)), now); break;
      default: t.on_error(value, "x"); break;
    }
    if (was_finished) check(b.empty());
    check_batch(t, b);
    check(t.bytes_acked() <= cfg.size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  auto p = decode_packet(bytes);
  if (!p.ok()) return 0;
  const auto once = encode(*p);
  auto again = decode_packet(once);
  check(again.ok());
  check(encode(*again) == once);

  if (const auto* req = std::get_if<request_packet>(&*p)) {
    negotiation_limits limits;
    limits.max_blksize = 65464;
    limits.max_windowsize = 64;
    limits.timeout = (size % 2) != 0 ? timeout_policy::honour : timeout_policy::decline;
    limits.max_upload_bytes = 1000;
    const std::uint64_t file_size = size * 97;
    const auto n = negotiate(*req, file_size, limits);
    check(n.blksize >= 8 && n.blksize <= 65464);
    check(n.windowsize >= 1 && n.windowsize <= 64);
    for (const auto& o : n.oack) {
      bool requested = false;
      for (const auto& r : req->options) requested = requested || iequals(r.name, o.name);
      check(requested);
    }
    read_config cfg;
    cfg.size = file_size % 5000;
    cfg.blksize = n.blksize;
    cfg.windowsize = n.windowsize;
    cfg.oack = !n.oack.empty();
    cfg.rollover = n.rollover;
    cfg.retransmit.max_retries = 3;
    drive(cfg, bytes);
  }
  return 0;
}
