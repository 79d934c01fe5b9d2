// SPDX-License-Identifier: Apache-2.0
#include <provstation/net/syslog_receiver.hpp>

#include <provstation/log.hpp>
#include <provstation/operations.hpp>
#include <provstation/syslog_parser.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/strand.hpp>

namespace provstation {

namespace net = boost::asio;

result<std::unique_ptr<syslog_receiver>> syslog_receiver::create(net::any_io_executor ex,
                                                                 const net::ip::udp::endpoint& at,
                                                                 tracker& t) {
  net::ip::udp::socket socket(net::make_strand(ex));
  boost::system::error_code ec;
  socket.open(at.protocol(), ec);
  if (!ec) socket.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) socket.bind(at, ec);
  if (ec)
    return make_error(fmt::format("syslog: cannot listen on {}:{}: {}", at.address().to_string(),
                                  at.port(), ec.message()));
  return std::unique_ptr<syslog_receiver>(new syslog_receiver(std::move(socket), t));
}

syslog_receiver::syslog_receiver(net::ip::udp::socket socket, tracker& t)
    : socket_(std::move(socket)), tracker_(t) {}

void syslog_receiver::start() {
  do_receive();
}

void syslog_receiver::stop() {
  net::post(socket_.get_executor(), [this] {
    boost::system::error_code ec;
    socket_.close(ec);
  });
}

net::ip::udp::endpoint syslog_receiver::local_endpoint() const {
  return socket_.local_endpoint();
}

void syslog_receiver::do_receive() {
  socket_.async_receive_from(
      net::buffer(buffer_), sender_,
      [this](const boost::system::error_code& ec, std::size_t n) { on_receive(ec, n); });
}

void syslog_receiver::on_receive(const boost::system::error_code& ec, std::size_t n) {
  if (ec == net::error::operation_aborted || !socket_.is_open()) return;
  auto log = logger("syslog");
  if (!ec) {
    const std::string ip = sender_.address().to_string();
    auto report = parse_syslog(std::as_bytes(std::span(buffer_.data(), n)));
    if (!report) {
      ++refused_;
      log->debug("ignored syslog line from {}: {}", ip, report.message());
    } else if (auto holder = tracker_.read_model().mac_at_ip(ip);
               !holder || *holder != report->mac) {
      // Anyone on the bench can send syslog: a line is believed only from the MAC's own address.
      ++refused_;
      log->warn("refused syslog line naming {} from {} ({}): not that MAC's address",
                report->mac.upper(), ip, holder ? holder->upper() : std::string("no lease"));
      evidence e;
      e.kind = evidence_kind::refused;
      e.at = system_now();
      e.ip = ip;
      e.mac = report->mac;
      e.detail = fmt::format("syslog line from {} which is not its address", ip);
      tracker_.submit(op_observe(std::move(e)), nullptr);
    } else {
      ++accepted_;
      evidence e;
      e.kind = report->kind;
      e.at = system_now();
      e.ip = ip;
      e.mac = report->mac;
      e.path = report->url;
      e.serial = report->serial;
      e.model = report->product;
      e.detail = report->err;
      e.version = report->kind == evidence_kind::upgrade_succeeded && !report->err.empty()
                      ? report->err
                      : report->version;
      if (report->kind == evidence_kind::upgrade_requested) e.version = report->version;
      log->debug("{} {} from {}", report->mac.upper(), to_string(report->kind), ip);
      if (!tracker_.submit(op_observe(std::move(e)), nullptr)) {
        log->warn("tracker queue full: a syslog line was dropped");
      }
    }
  } else {
    log->warn("syslog receive error: {}", ec.message());
  }
  do_receive();
}

}  // namespace provstation
