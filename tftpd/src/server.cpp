// SPDX-License-Identifier: Apache-2.0
#include <provstation/tftpd/server.hpp>

#include "server_core.hpp"

#include <boost/asio/dispatch.hpp>

namespace provstation::tftpd {


server::server(std::shared_ptr<detail::server_core> core) : core_(std::move(core)) {}

server::~server() { stop(); }

result<std::unique_ptr<server>> server::create(boost::asio::any_io_executor ex,
                                               server_options options, file_source& files,
                                               transfer_observer& observer) {
  auto core = std::make_shared<detail::server_core>(std::move(ex), std::move(options), files,
                                                    observer);
  if (auto failure = core->open(); !failure.empty()) return make_error(std::move(failure));
  return std::unique_ptr<server>(new server(std::move(core)));
}

void server::start() {
  boost::asio::dispatch(core_->listener_strand, [core = core_] {
    if (core->started || core->stopped) return;
    core->started = true;
    core->do_receive();
  });
}

void server::stop() {
  boost::asio::dispatch(core_->listener_strand, [core = core_] { core->do_stop(); });
}

boost::asio::ip::udp::endpoint server::local_endpoint() const { return core_->local; }

std::size_t server::active_transfers() const {
  return core_->stats.active.load(std::memory_order_relaxed);
}

server_statistics server::statistics() const {
  const auto& s = core_->stats;
  constexpr auto r = std::memory_order_relaxed;
  server_statistics out;
  out.active = s.active.load(r);
  out.started = s.started.load(r);
  out.completed = s.completed.load(r);
  out.completed_unconfirmed = s.unconfirmed.load(r);
  out.failed = s.failed.load(r);
  out.refused = s.refused.load(r);
  out.dropped_busy = s.dropped_busy.load(r);
  out.duplicate_requests = s.duplicates.load(r);
  out.malformed = s.malformed.load(r);
  out.wrong_tid = s.wrong_tid.load(r);
  out.blocks_sent = s.blocks_sent.load(r);
  out.blocks_retransmitted = s.blocks_retransmitted.load(r);
  out.bytes_sent = s.bytes_sent.load(r);
  return out;
}

}  // namespace provstation::tftpd
