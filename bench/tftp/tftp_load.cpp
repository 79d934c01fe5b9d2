// SPDX-License-Identifier: Apache-2.0
// tftp-load: a single-process asynchronous TFTP download load generator.
//
// How it works: one io_context thread runs up to --parallel transfers at once, each with its
// own UDP socket and timer, as independent phones would. Each transfer sends an RRQ (with the
// options asked for), learns the server's TID from the first answer, acknowledges as an
// RFC 1350/7440 receiver (one ACK per window, the last in-order block again on a gap, its own
// retransmission timer) and checks every block against the expected file in --verify-dir.
// An impairment mode drops, duplicates, reorders and delays packets in both directions at the
// client, which is what this kernel cannot do with netem. The last line printed is a summary
// of key=value pairs for scripts.
#include <provstation/tftpd/negotiation.hpp>
#include <provstation/tftpd/packet.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

namespace net = boost::asio;
using udp = net::ip::udp;
using clock_type = std::chrono::steady_clock;
using namespace provstation::tftpd;

struct settings {
  udp::endpoint server;
  std::vector<std::string> names;
  std::size_t requests = 0;
  std::size_t parallel = 1;
  unsigned blksize = 0;
  unsigned windowsize = 0;
  bool tsize = false;
  unsigned timeout_option = 0;
  std::string verify_dir;
  double drop = 0;
  double duplicate = 0;
  double reorder = 0;
  unsigned delay_ms = 0;
  unsigned jitter_ms = 0;
  unsigned client_rto_ms = 1000;
  int retries = 8;
  unsigned dally_ms = 0;
  unsigned ramp_ms = 0;
  unsigned seed = 1;
  unsigned run_timeout_s = 600;
  std::string tsv;
};

// Expected content, mapped once per distinct name.
struct expected_file {
  const std::byte* data = nullptr;
  std::size_t size = 0;
};

struct results {
  std::size_t completed = 0;
  std::size_t failed = 0;
  std::uint64_t bytes = 0;
  std::uint64_t client_retransmits = 0;
  std::uint64_t duplicate_blocks = 0;
  std::vector<double> latencies_ms;
  std::vector<std::string> failures;
};

class generator;

class transfer : public std::enable_shared_from_this<transfer> {
 public:
  transfer(generator& g, std::size_t index, std::string name, const expected_file* expected);
  void start();

 private:
  void send_rrq();
  void send_ack(std::uint16_t block);
  void send_bytes(std::vector<std::byte> bytes);
  void raw_send(const std::vector<std::byte>& bytes);
  void do_read();
  void on_packet(std::vector<std::byte> bytes, std::uint16_t from_port);
  void deliver(const std::vector<std::byte>& bytes, std::uint16_t from_port);
  void arm();
  void on_timer();
  void done(bool ok, const std::string& why);
  std::uint16_t wire(std::uint64_t n) const { return static_cast<std::uint16_t>(n % 65536); }

  generator& g_;
  std::size_t index_;
  std::string name_;
  const expected_file* expected_;
  udp::socket socket_;
  net::steady_timer timer_;
  std::uint16_t server_tid_ = 0;
  std::size_t blksize_ = 512;
  std::size_t windowsize_ = 1;
  std::uint64_t received_ = 0;
  std::uint64_t acked_ = 0;
  std::uint64_t bytes_ = 0;
  bool gap_acked_ = false;
  bool answered_ = false;
  bool finished_ = false;
  bool dallying_ = false;
  int retries_ = 0;
  clock_type::time_point started_{};
  clock_type::time_point last_progress_{};
  std::vector<std::byte> last_sent_;
  std::vector<std::byte> rx_;
  std::optional<std::pair<std::vector<std::byte>, std::uint16_t>> stashed_;
};

class generator {
 public:
  generator(net::io_context& io, settings s) : io_(io), s_(std::move(s)), rng_(s_.seed) {}

  int run() {
    if (!load_expected()) return 2;
    t0_ = clock_type::now();
    for (std::size_t i = 0; i < s_.parallel && next_ < s_.requests; ++i) launch();
    net::steady_timer guard(io_);
    guard.expires_after(std::chrono::seconds(s_.run_timeout_s));
    guard.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) {
        std::fprintf(stderr, "tftp-load: run timeout, stopping\n");
        io_.stop();
      }
    });
    pending_guard_ = &guard;
    io_.run();
    const double wall = std::chrono::duration<double>(clock_type::now() - t0_).count();
    report(wall);
    return (r_.failed == 0 && r_.completed == s_.requests) ? 0 : 1;
  }

  // Called by a transfer when it ends.
  void finished(std::size_t index, bool ok, const std::string& name, const std::string& why,
                double ms, std::uint64_t bytes) {
    if (ok) {
      ++r_.completed;
      r_.bytes += bytes;
      r_.latencies_ms.push_back(ms);
    } else {
      ++r_.failed;
      if (r_.failures.size() < 20) r_.failures.push_back(name + ": " + why);
    }
    if (!s_.tsv.empty()) rows_.push_back(std::to_string(index) + "\t" + name + "\t" +
                                         (ok ? "ok" : "fail") + "\t" + std::to_string(ms) + "\t" +
                                         std::to_string(bytes));
    ++ended_;
    if (next_ < s_.requests) {
      launch();
    } else if (ended_ == s_.requests && pending_guard_ != nullptr) {
      pending_guard_->cancel();
    }
  }

  net::io_context& io() { return io_; }
  const settings& config() const { return s_; }
  results& stats() { return r_; }
  bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::chrono::milliseconds delay() {
    if (s_.delay_ms == 0 && s_.jitter_ms == 0) return std::chrono::milliseconds(0);
    const int j = s_.jitter_ms == 0 ? 0
                                    : std::uniform_int_distribution<int>(
                                          -static_cast<int>(s_.jitter_ms),
                                          static_cast<int>(s_.jitter_ms))(rng_);
    return std::chrono::milliseconds(std::max(0, static_cast<int>(s_.delay_ms) + j));
  }

 private:
  bool load_expected() {
    if (s_.verify_dir.empty()) return true;
    for (const auto& n : s_.names) {
      if (expected_.count(n) != 0) continue;
      const std::string path = s_.verify_dir + "/" + n;
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat st {};
      if (fd < 0 || ::fstat(fd, &st) != 0) {
        std::fprintf(stderr, "tftp-load: cannot open %s\n", path.c_str());
        return false;
      }
      expected_file e;
      e.size = static_cast<std::size_t>(st.st_size);
      if (e.size > 0) {
        void* p = ::mmap(nullptr, e.size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) return false;
        e.data = static_cast<const std::byte*>(p);
      }
      ::close(fd);
      expected_[n] = e;
    }
    return true;
  }

  void launch() {
    const std::size_t i = next_++;
    const std::string& name = s_.names[i % s_.names.size()];
    const expected_file* e = s_.verify_dir.empty() ? nullptr : &expected_.at(name);
    auto t = std::make_shared<transfer>(*this, i, name, e);
    if (s_.ramp_ms > 0 && s_.requests > 1) {
      const auto at = t0_ + std::chrono::microseconds(static_cast<std::int64_t>(
                                s_.ramp_ms * 1000.0 * static_cast<double>(i) /
                                static_cast<double>(s_.requests)));
      if (at > clock_type::now()) {
        auto timer = std::make_shared<net::steady_timer>(io_, at);
        timer->async_wait([t, timer](const boost::system::error_code&) { t->start(); });
        return;
      }
    }
    t->start();
  }

  void report(double wall) {
    auto& l = r_.latencies_ms;
    std::sort(l.begin(), l.end());
    auto pct = [&](double p) {
      if (l.empty()) return 0.0;
      return l[std::min(l.size() - 1, static_cast<std::size_t>(p * static_cast<double>(l.size())))];
    };
    for (const auto& f : r_.failures) std::fprintf(stderr, "tftp-load: failed %s\n", f.c_str());
    if (!s_.tsv.empty()) {
      std::ofstream out(s_.tsv);
      out << "index\tname\tresult\tms\tbytes\n";
      for (const auto& row : rows_) out << row << "\n";
    }
    const double mib = static_cast<double>(r_.bytes) / (1024.0 * 1024.0);
    std::printf(
        "requests=%zu completed=%zu failed=%zu wall_s=%.3f bytes=%llu mib_s=%.2f req_s=%.1f "
        "p50_ms=%.2f p95_ms=%.2f max_ms=%.2f client_retransmits=%llu duplicate_blocks=%llu\n",
        s_.requests, r_.completed, r_.failed, wall, static_cast<unsigned long long>(r_.bytes),
        wall > 0 ? mib / wall : 0.0, wall > 0 ? static_cast<double>(r_.completed) / wall : 0.0,
        pct(0.5), pct(0.95), l.empty() ? 0.0 : l.back(),
        static_cast<unsigned long long>(r_.client_retransmits),
        static_cast<unsigned long long>(r_.duplicate_blocks));
  }

  net::io_context& io_;
  settings s_;
  std::mt19937_64 rng_;
  results r_;
  std::map<std::string, expected_file> expected_;
  std::vector<std::string> rows_;
  std::size_t next_ = 0;
  std::size_t ended_ = 0;
  clock_type::time_point t0_{};
  net::steady_timer* pending_guard_ = nullptr;
};

transfer::transfer(generator& g, std::size_t index, std::string name, const expected_file* expected)
    : g_(g),
      index_(index),
      name_(std::move(name)),
      expected_(expected),
      socket_(g.io()),
      timer_(g.io()) {}

void transfer::start() {
  boost::system::error_code ec;
  socket_.open(g_.config().server.protocol(), ec);
  if (!ec) socket_.non_blocking(true, ec);
  if (!ec) {
    socket_.bind(udp::endpoint(g_.config().server.protocol(), 0), ec);
  }
  if (ec) {
    done(false, "socket: " + ec.message());
    return;
  }
  rx_.resize(70000);
  started_ = clock_type::now();
  last_progress_ = started_;
  send_rrq();
  arm();
  do_read();
}

void transfer::send_rrq() {
  const auto& s = g_.config();
  std::vector<option> opts;
  if (s.blksize != 0) opts.push_back({"blksize", std::to_string(s.blksize)});
  if (s.tsize) opts.push_back({"tsize", "0"});
  if (s.timeout_option != 0) opts.push_back({"timeout", std::to_string(s.timeout_option)});
  if (s.windowsize != 0) opts.push_back({"windowsize", std::to_string(s.windowsize)});
  send_bytes(encode_request(opcode::rrq, name_, "octet", opts));
}

void transfer::send_ack(std::uint16_t block) { send_bytes(encode_ack(block)); }

void transfer::raw_send(const std::vector<std::byte>& bytes) {
  if (!socket_.is_open()) return;
  udp::endpoint to = g_.config().server;
  if (server_tid_ != 0) to.port(server_tid_);
  static_cast<void>(::sendto(socket_.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT,
                             to.data(), static_cast<socklen_t>(to.size())));
}

void transfer::send_bytes(std::vector<std::byte> bytes) {
  last_sent_ = bytes;
  if (g_.chance(g_.config().drop)) return;
  const int copies = g_.chance(g_.config().duplicate) ? 2 : 1;
  const auto d = g_.delay();
  for (int i = 0; i < copies; ++i) {
    if (d.count() == 0) {
      raw_send(bytes);
    } else {
      auto t = std::make_shared<net::steady_timer>(g_.io(), d);
      t->async_wait([self = shared_from_this(), t, bytes](const boost::system::error_code&) {
        self->raw_send(bytes);
      });
    }
  }
}

void transfer::do_read() {
  socket_.async_wait(udp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       if (ec || self->finished_) return;
                       for (int i = 0; i < 64 && !self->finished_; ++i) {
                         sockaddr_storage from{};
                         socklen_t len = sizeof from;
                         const ssize_t n = ::recvfrom(self->socket_.native_handle(),
                                                      self->rx_.data(), self->rx_.size(),
                                                      MSG_DONTWAIT,
                                                      reinterpret_cast<sockaddr*>(&from), &len);
                         if (n < 0) break;
                         std::uint16_t port = 0;
                         if (from.ss_family == AF_INET) {
                           port = ntohs(reinterpret_cast<sockaddr_in*>(&from)->sin_port);
                         } else if (from.ss_family == AF_INET6) {
                           port = ntohs(reinterpret_cast<sockaddr_in6*>(&from)->sin6_port);
                         }
                         self->on_packet(std::vector<std::byte>(self->rx_.begin(),
                                                                self->rx_.begin() + n),
                                         port);
                       }
                       if (!self->finished_) self->do_read();
                     });
}

void transfer::on_packet(std::vector<std::byte> bytes, std::uint16_t from_port) {
  const auto& s = g_.config();
  if (g_.chance(s.drop)) return;
  if (g_.chance(s.reorder) && !stashed_) {
    // Hold this one back; it is delivered after the next packet, or after 5 ms.
    stashed_.emplace(std::move(bytes), from_port);
    auto t = std::make_shared<net::steady_timer>(g_.io(), std::chrono::milliseconds(5));
    t->async_wait([self = shared_from_this(), t](const boost::system::error_code&) {
      if (self->stashed_ && !self->finished_) {
        auto p = std::move(*self->stashed_);
        self->stashed_.reset();
        self->deliver(p.first, p.second);
      }
    });
    return;
  }
  const int copies = g_.chance(s.duplicate) ? 2 : 1;
  const auto d = g_.delay();
  for (int i = 0; i < copies; ++i) {
    if (d.count() == 0) {
      deliver(bytes, from_port);
    } else {
      auto t = std::make_shared<net::steady_timer>(g_.io(), d);
      t->async_wait([self = shared_from_this(), t, bytes, from_port](
                        const boost::system::error_code&) { self->deliver(bytes, from_port); });
    }
  }
  if (stashed_) {
    auto p = std::move(*stashed_);
    stashed_.reset();
    deliver(p.first, p.second);
  }
}

void transfer::deliver(const std::vector<std::byte>& bytes, std::uint16_t from_port) {
  if (finished_) return;
  if (server_tid_ != 0 && from_port != server_tid_) return;
  auto decoded = decode_packet(bytes);
  if (!decoded) return;
  if (server_tid_ == 0) server_tid_ = from_port;
  if (const auto* e = std::get_if<error_packet>(&*decoded)) {
    done(false, "server error " + std::to_string(e->code) + ": " + e->message);
    return;
  }
  if (const auto* o = std::get_if<oack_packet>(&*decoded)) {
    if (answered_) return;
    answered_ = true;
    for (const auto& opt : o->options) {
      const auto v = parse_decimal(opt.value);
      if (!v) continue;
      if (iequals(opt.name, "blksize")) blksize_ = static_cast<std::size_t>(*v);
      if (iequals(opt.name, "windowsize")) windowsize_ = static_cast<std::size_t>(*v);
    }
    last_progress_ = clock_type::now();
    retries_ = 0;
    send_ack(0);
    return;
  }
  const auto* d = std::get_if<data_packet>(&*decoded);
  if (d == nullptr) return;
  if (dallying_) {
    if (d->block == wire(received_)) send_ack(d->block);
    return;
  }
  answered_ = true;
  const std::uint64_t expected = received_ + 1;
  if (d->block != wire(expected) || d->payload.size() > blksize_) {
    ++g_.stats().duplicate_blocks;
    // RFC 7440: on a gap or a repeat, acknowledge the last in-order block once.
    if (!gap_acked_) {
      gap_acked_ = true;
      acked_ = received_;
      send_ack(wire(received_));
    }
    return;
  }
  if (expected_ != nullptr) {
    const std::uint64_t offset = bytes_;
    if (offset + d->payload.size() > expected_->size ||
        std::memcmp(expected_->data + offset, d->payload.data(), d->payload.size()) != 0) {
      done(false, "content mismatch at block " + std::to_string(expected));
      return;
    }
  }
  received_ = expected;
  bytes_ += d->payload.size();
  gap_acked_ = false;
  retries_ = 0;
  last_progress_ = clock_type::now();
  const bool last = d->payload.size() < blksize_;
  if (last || received_ - acked_ >= windowsize_) {
    acked_ = received_;
    send_ack(d->block);
  }
  if (last) {
    if (expected_ != nullptr && bytes_ != expected_->size) {
      done(false, "short file: " + std::to_string(bytes_) + " of " + std::to_string(expected_->size));
      return;
    }
    if (g_.config().dally_ms == 0) {
      done(true, "");
      return;
    }
    dallying_ = true;
    timer_.expires_after(std::chrono::milliseconds(g_.config().dally_ms));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->done(true, "");
    });
  }
}

void transfer::arm() {
  timer_.expires_at(last_progress_ + std::chrono::milliseconds(g_.config().client_rto_ms) *
                                         (1 << std::min(retries_, 6)));
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->on_timer();
  });
}

void transfer::on_timer() {
  if (finished_ || dallying_) return;
  const auto due = last_progress_ + std::chrono::milliseconds(g_.config().client_rto_ms) *
                                        (1 << std::min(retries_, 6));
  if (clock_type::now() < due) {
    arm();
    return;
  }
  if (++retries_ > g_.config().retries) {
    done(false, "timeout after block " + std::to_string(received_));
    return;
  }
  ++g_.stats().client_retransmits;
  last_progress_ = clock_type::now();
  if (!answered_) {
    send_rrq();
  } else {
    auto again = last_sent_;
    send_bytes(std::move(again));
  }
  arm();
}

void transfer::done(bool ok, const std::string& why) {
  if (finished_) return;
  finished_ = true;
  boost::system::error_code ignored;
  timer_.cancel();
  socket_.close(ignored);
  const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - started_).count();
  g_.finished(index_, ok, name_, why, ms, bytes_);
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  std::string server = "127.0.0.1:69";
  std::string name_format;
  unsigned first = 1;
  unsigned count = 0;
  std::vector<std::string> names;

  CLI::App app{"tftp-load: asynchronous TFTP download load generator"};
  app.add_option("--server,-s", server, "ADDR:PORT of the server")->capture_default_str();
  app.add_option("names", names, "Remote file names (cycled)");
  app.add_option("--name-format", name_format, "printf format with one %d, e.g. cfg/SEP%04d.cnf.xml");
  app.add_option("--first", first, "First number for --name-format")->capture_default_str();
  app.add_option("--count", count, "How many names from --name-format");
  app.add_option("--requests,-n", s.requests, "Transfers in total (default: one per name)");
  app.add_option("--parallel,-p", s.parallel, "Transfers at once")->capture_default_str();
  app.add_option("--ramp-ms", s.ramp_ms, "Spread the starts over this many ms (0: all at once)");
  app.add_option("--blksize,-b", s.blksize, "Ask for this blksize (0: no option)");
  app.add_option("--windowsize,-w", s.windowsize, "Ask for this windowsize (0: no option)");
  app.add_flag("--tsize", s.tsize, "Ask for tsize");
  app.add_option("--timeout-option", s.timeout_option, "Send a timeout option (seconds)");
  app.add_option("--verify-dir", s.verify_dir, "Check every block against DIR/<name>");
  app.add_option("--drop", s.drop, "Impairment: drop probability per packet, each direction");
  app.add_option("--duplicate", s.duplicate, "Impairment: duplication probability per packet");
  app.add_option("--reorder", s.reorder, "Impairment: probability a received packet is held back");
  app.add_option("--delay-ms", s.delay_ms, "Impairment: delay per packet, each direction");
  app.add_option("--jitter-ms", s.jitter_ms, "Impairment: ± jitter on the delay");
  app.add_option("--client-rto-ms", s.client_rto_ms, "Client retransmission timer")->capture_default_str();
  app.add_option("--retries", s.retries, "Client timeouts before giving up")->capture_default_str();
  app.add_option("--dally-ms", s.dally_ms, "Keep the socket after the final ACK (re-ACK repeats)");
  app.add_option("--seed", s.seed, "Random seed for the impairments")->capture_default_str();
  app.add_option("--run-timeout-s", s.run_timeout_s, "Stop the whole run after this")->capture_default_str();
  app.add_option("--tsv", s.tsv, "Write one line per transfer to this file");
  CLI11_PARSE(app, argc, argv);

  const auto colon = server.rfind(':');
  boost::system::error_code ec;
  const auto addr = net::ip::make_address(server.substr(0, colon), ec);
  if (colon == std::string::npos || ec) {
    std::fprintf(stderr, "tftp-load: bad --server %s\n", server.c_str());
    return 2;
  }
  s.server = udp::endpoint(addr, static_cast<std::uint16_t>(std::stoul(server.substr(colon + 1))));
  if (!name_format.empty()) {
    for (unsigned i = 0; i < count; ++i) {
      char buf[512];
      std::snprintf(buf, sizeof buf, name_format.c_str(), first + i);
      names.emplace_back(buf);
    }
  }
  if (names.empty()) {
    std::fprintf(stderr, "tftp-load: no file names\n");
    return 2;
  }
  s.names = names;
  if (s.requests == 0) s.requests = names.size();
  s.parallel = std::max<std::size_t>(1, s.parallel);
  net::io_context io(1);
  generator g(io, s);
  return g.run();
}
