// SPDX-License-Identifier: Apache-2.0
// The only translation unit that includes Beast: listener, session and connection manager.
#include <provstation/web/http_server.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <mutex>
#include <optional>
#include <set>

namespace provstation::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::shared_ptr<spdlog::logger> web_log() {
  auto l = spdlog::get("web");
  return l ? l : spdlog::default_logger();
}

class session;

}  // namespace

class http_server::impl : public std::enable_shared_from_this<http_server::impl> {
 public:
  impl(net::any_io_executor ex, router& r, server_options o)
      : ex_(ex), acceptor_(net::make_strand(ex)), router_(r), options_(std::move(o)) {}

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void stop();
  void leave(const std::shared_ptr<session>& s);

  net::any_io_executor ex_;
  tcp::acceptor acceptor_;
  router& router_;
  server_options options_;
  std::mutex mu_;
  std::set<std::shared_ptr<session>> sessions_;
  bool stopped_ = false;
};

namespace {

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, std::shared_ptr<http_server::impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {}

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  void close() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      if (self->channel_) self->channel_->close();
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options_.max_header_bytes));
    parser_->body_limit(server_->options_.max_body_bytes);
    stream_.expires_after(server_->options_.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::eof) {
      return finish();
    }
    if (ec == http::error::body_limit) {
      return send_error(413, "request body too large");
    }
    if (ec == http::error::header_limit) {
      return send_error(431, "request header too large");
    }
    if (ec) {
      web_log()->debug("bad request from {}: {}", peer(), ec.message());
      return send_error(400, "bad request");
    }
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    split_target(req.target, req.path, req.query);
    req.body = std::move(msg.body());
    req.content_type = std::string(msg[http::field::content_type]);
    req.user_agent = std::string(msg[http::field::user_agent]);
    req.authorization = std::string(msg[http::field::authorization]);
    req.cookie = std::string(msg[http::field::cookie]);
    req.host = std::string(msg[http::field::host]);
    req.peer_ip = peer();
    version_ = msg.version();
    auto self = shared_from_this();
    try {
      server_->router_.handle(std::move(req), [self](response r) {
        net::post(self->stream_.get_executor(),
                  [self, r = std::move(r)]() mutable { self->send(std::move(r)); });
      });
    } catch (const std::exception& e) {
      web_log()->error("handler failed: {}", e.what());
      send(response::text(500, "internal error\n"));
    }
  }

  void send_error(int status, const char* text) {
    keep_alive_ = false;
    version_ = 11;
    send(response::text(status, fmt::format("{}\n", text)));
  }

  void send(response r) {
    if (r.stream) return start_stream(std::move(r));
    current_ = std::move(r);
    if (current_.view.empty() && !current_.body.empty()) {
      current_.view = std::as_bytes(std::span(current_.body.data(), current_.body.size()));
    }
    res_.emplace();
    res_->version(version_);
    res_->result(static_cast<http::status>(current_.status));
    res_->set(http::field::server, server_->options_.server_name);
    res_->set(http::field::content_type, current_.content_type);
    for (const auto& [k, v] : current_.headers) res_->set(k, v);
    res_->body() = beast::span<const char>(reinterpret_cast<const char*>(current_.view.data()),
                                           current_.view.size());
    res_->keep_alive(keep_alive_);
    res_->prepare_payload();
    stream_.expires_after(server_->options_.write_timeout);
    http::async_write(stream_, *res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                        self->on_write(ec, n);
                      });
  }

  void on_write(beast::error_code ec, std::size_t n) {
    if (current_.on_sent) {
      try {
        current_.on_sent(!ec, n);
      } catch (const std::exception& e) {
        web_log()->error("on_sent failed: {}", e.what());
      }
    }
    current_ = response{};
    res_.reset();
    if (ec || !keep_alive_) return finish();
    do_read();
  }

  void start_stream(response r) {
    channel_ = std::move(r.stream);
    std::weak_ptr<session> weak = shared_from_this();
    auto ex = stream_.get_executor();
    channel_->set_waker([weak, ex] {
      net::post(ex, [weak] {
        if (auto s = weak.lock()) s->pump();
      });
    });
    head_ = fmt::format(
        "HTTP/1.1 200 OK\r\nServer: {}\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n",
        server_->options_.server_name);
    writing_ = true;
    stream_.expires_never();
    net::async_write(stream_.socket(), net::buffer(head_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec) return self->finish();
                       self->pump();
                     });
  }

  void pump() {
    if (writing_ || !channel_) return;
    if (channel_->closed()) return finish();
    auto items = channel_->take();
    if (items.empty()) return;
    out_.clear();
    for (auto& item : items) out_ += fmt::format("data: {}\n\n", item);
    writing_ = true;
    net::async_write(stream_.socket(), net::buffer(out_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec) return self->finish();
                       self->pump();
                     });
  }

  void finish() {
    beast::error_code ec;
    if (channel_) {
      channel_->set_waker(nullptr);
      channel_->close();
    }
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
    server_->leave(shared_from_this());
  }

  std::string peer() const {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (ec) return {};
    auto a = ep.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
      return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).to_string();
    }
    return a.to_string();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<http_server::impl> server_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::span_body<const char>>> res_;
  response current_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  std::shared_ptr<event_channel> channel_;
  std::string head_;
  std::string out_;
  bool writing_ = false;
};

}  // namespace

void http_server::impl::do_accept() {
  acceptor_.async_accept(net::make_strand(ex_),
                         [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void http_server::impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    web_log()->warn("accept failed: {}", ec.message());
  } else {
    std::shared_ptr<session> s;
    {
      std::lock_guard lock(mu_);
      if (!stopped_ && sessions_.size() < options_.max_connections) {
        s = std::make_shared<session>(std::move(socket), shared_from_this());
        sessions_.insert(s);
      }
    }
    if (s) {
      s->run();
    } else {
      // Over the connection cap: close at once rather than queue.
      beast::error_code ignored;
      socket.close(ignored);
    }
  }
  do_accept();
}

void http_server::impl::leave(const std::shared_ptr<session>& s) {
  std::lock_guard lock(mu_);
  sessions_.erase(s);
}

void http_server::impl::stop() {
  std::set<std::shared_ptr<session>> all;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    all = sessions_;
  }
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
  });
  for (const auto& s : all) s->close();
}

result<std::unique_ptr<http_server>> http_server::create(net::any_io_executor ex,
                                                         const tcp::endpoint& at, router& r,
                                                         server_options options) {
  auto p = std::make_shared<impl>(ex, r, std::move(options));
  beast::error_code ec;
  p->acceptor_.open(at.protocol(), ec);
  if (!ec) p->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) p->acceptor_.bind(at, ec);
  if (!ec) p->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(fmt::format("cannot listen on {}:{}: {}", at.address().to_string(), at.port(),
                                  ec.message()));
  }
  return std::unique_ptr<http_server>(new http_server(std::move(p)));
}

http_server::http_server(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

http_server::~http_server() {
  stop();
}

void http_server::start() {
  net::dispatch(impl_->acceptor_.get_executor(), [p = impl_] { p->do_accept(); });
}

void http_server::stop() {
  if (impl_) impl_->stop();
}

tcp::endpoint http_server::local_endpoint() const {
  beast::error_code ec;
  return impl_->acceptor_.local_endpoint(ec);
}

std::size_t http_server::connections() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->sessions_.size();
}

}  // namespace provstation::web
