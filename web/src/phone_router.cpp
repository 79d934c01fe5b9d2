// SPDX-License-Identifier: Apache-2.0
#include <provstation/web/phone_router.hpp>

#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace provstation::web {

phone_router::phone_router(boost::asio::any_io_executor ex, phone_files& files,
                           std::chrono::milliseconds lease_wait)
    : ex_(std::move(ex)), files_(files), lease_wait_(lease_wait) {}

void phone_router::handle(request req, responder respond) {
  if (req.method != "GET" && req.method != "HEAD") {
    auto r = response::text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return respond(std::move(r));
  }
  try_resolve(std::move(req), std::move(respond), std::chrono::steady_clock::now() + lease_wait_);
}

void phone_router::try_resolve(request req, responder respond,
                               std::chrono::steady_clock::time_point deadline) {
  const bool final_attempt = std::chrono::steady_clock::now() >= deadline;
  // The target keeps the query: per-device rules carry sn/pn/fw there.
  phone_answer a = files_.resolve(req.target, req.peer_ip, req.user_agent, final_attempt);
  if (a.st == phone_answer::status::unknown_client) {
    auto timer = std::make_shared<boost::asio::steady_timer>(ex_, std::chrono::milliseconds(10));
    timer->async_wait([this, timer, req = std::move(req), respond = std::move(respond),
                       deadline](const boost::system::error_code& ec) mutable {
      if (ec) return respond(response::text(503, "shutting down\n"));
      try_resolve(std::move(req), std::move(respond), deadline);
    });
    return;
  }
  if (a.st == phone_answer::status::forbidden) {
    files_.refused(a, req.peer_ip, req.target);
    return respond(response::text(403, "forbidden\n"));
  }
  if (a.st != phone_answer::status::ok) {
    files_.refused(a, req.peer_ip, req.target);
    return respond(response::text(404, "not found\n"));
  }
  response r;
  r.status = 200;
  r.content_type = a.content_type;
  r.owner = a.body;
  r.view = a.body->bytes();
  const std::uint64_t total = r.view.size();
  if (req.method == "HEAD") {
    // HEAD: headers only; nothing was delivered.
    r.view = {};
    r.headers.emplace_back("X-Content-Length", std::to_string(total));
    return respond(std::move(r));
  }
  files_.started(a, req.peer_ip, total);
  r.on_sent = [this, a, ip = req.peer_ip, ua = req.user_agent, total](bool ok, std::uint64_t) {
    if (ok) {
      files_.delivered(a, ip, ua, true, total);
    } else {
      files_.failed(a, ip, "connection closed during the transfer");
    }
  };
  respond(std::move(r));
}

}  // namespace provstation::web
