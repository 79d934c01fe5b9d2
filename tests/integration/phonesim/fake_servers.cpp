// SPDX-License-Identifier: Apache-2.0
#include "fake_servers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace provstation::phonesim::test {

namespace {

constexpr int poll_ms = 50;

int bind_address(int type, const std::string& address, std::uint16_t& port) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    throw std::runtime_error("bind " + address + ":" + std::to_string(port) + " failed");
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  port = ntohs(sa.sin_port);
  return fd;
}

std::string ip_of(const sockaddr_in& sa) {
  char buf[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &sa.sin_addr, buf, sizeof buf);
  return buf;
}

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

void put16(std::string& s, unsigned v) {
  s.push_back(static_cast<char>((v >> 8) & 0xff));
  s.push_back(static_cast<char>(v & 0xff));
}

unsigned get16(const std::string& s, std::size_t at) {
  return (static_cast<unsigned char>(s[at]) << 8) | static_cast<unsigned char>(s[at + 1]);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

fake_tftp_server::fake_tftp_server(const std::string& address, std::uint16_t port)
    : address_(address) {
  port_ = port;
  fd_ = bind_address(SOCK_DGRAM, address, port_);
  thread_ = std::thread([this] { run(); });
}

fake_tftp_server::~fake_tftp_server() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

void fake_tftp_server::set_file(const std::string& path, std::string content) {
  std::lock_guard lock(mutex_);
  files_[path] = std::move(content);
}

std::vector<fake_tftp_server::request> fake_tftp_server::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void fake_tftp_server::run() {
  std::string buf(2048, '\0');
  while (!stop_) {
    if (!readable(fd_, poll_ms)) continue;
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n =
        ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 4 || silent) continue;
    serve(std::string(buf.data(), static_cast<std::size_t>(n)), &from);
  }
}

void fake_tftp_server::serve(const std::string& pkt, const void* client_ptr) {
  const sockaddr_in client = *static_cast<const sockaddr_in*>(client_ptr);
  if (get16(pkt, 0) != 1) return;
  request req;
  req.peer_ip = ip_of(client);
  std::size_t i = 2;
  auto next = [&] {
    const std::size_t z = pkt.find('\0', i);
    std::string s = pkt.substr(i, z == std::string::npos ? std::string::npos : z - i);
    i = z == std::string::npos ? pkt.size() : z + 1;
    return s;
  };
  req.path = next();
  next();  // mode
  while (i < pkt.size()) {
    const std::string name = lower(next());
    req.options[name] = next();
  }
  std::optional<std::string> content;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(req);
    if (auto it = files_.find(req.path); it != files_.end()) content = it->second;
  }
  std::uint16_t tid = 0;
  const int fd = bind_address(SOCK_DGRAM, address_, tid);
  auto send = [&](const std::string& p) {
    ::sendto(fd, p.data(), p.size(), 0, reinterpret_cast<const sockaddr*>(&client), sizeof client);
  };
  // Retransmit on a timer that runs from the last send; duplicate ACKs do not reset it.
  auto wait_ack = [&](unsigned block, const std::string& resend) {
    std::string b(1024, '\0');
    for (int attempt = 0; attempt < 6 && !stop_; ++attempt) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
      while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !readable(fd, static_cast<int>(left.count()))) break;
        const ssize_t n = ::recv(fd, b.data(), b.size(), 0);
        if (n >= 4 && get16(b, 0) == 4 && get16(b, 2) == block) return true;
        if (n >= 4 && get16(b, 0) == 5) return false;
      }
      send(resend);
    }
    return false;
  };
  if (!content) {
    std::string e;
    put16(e, 5);
    put16(e, 1);
    e += "File not found";
    e.push_back('\0');
    send(e);
    ::close(fd);
    return;
  }
  std::size_t blksize = 512;
  if (honour_options && req.options.count("blksize") != 0) {
    blksize = std::min<std::size_t>(std::stoul(req.options["blksize"]), 1468);
    std::string oack;
    put16(oack, 6);
    oack += "blksize";
    oack.push_back('\0');
    oack += std::to_string(blksize);
    oack.push_back('\0');
    send(oack);
    if (!wait_ack(0, oack)) {
      ::close(fd);
      return;
    }
  }
  unsigned block = 1;
  std::size_t offset = 0;
  while (true) {
    const std::size_t len = std::min(blksize, content->size() - offset);
    std::string data;
    put16(data, 3);
    put16(data, block & 0xffff);
    data += content->substr(offset, len);
    if (drop_data_packets > 0) {
      --drop_data_packets;
    } else {
      send(data);
    }
    if (!wait_ack(block & 0xffff, data)) break;
    offset += len;
    if (len < blksize) break;
    ++block;
  }
  ::close(fd);
}

fake_http_server::fake_http_server(const std::string& address) {
  fd_ = bind_address(SOCK_STREAM, address, port_);
  ::listen(fd_, 16);
  thread_ = std::thread([this] { run(); });
}

fake_http_server::~fake_http_server() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

void fake_http_server::set(const std::string& target, response r) {
  std::lock_guard lock(mutex_);
  responses_[target] = std::move(r);
}

std::vector<fake_http_server::request> fake_http_server::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void fake_http_server::run() {
  while (!stop_) {
    if (!readable(fd_, poll_ms)) continue;
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const int client = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (client < 0) continue;
    serve(client, ip_of(peer));
    ::close(client);
  }
}

void fake_http_server::serve(int client, const std::string& peer_ip) {
  std::string data;
  std::string buf(8192, '\0');
  std::size_t head_end = std::string::npos;
  while (head_end == std::string::npos) {
    if (!readable(client, 2000)) return;
    const ssize_t n = ::recv(client, buf.data(), buf.size(), 0);
    if (n <= 0) return;
    data.append(buf.data(), static_cast<std::size_t>(n));
    head_end = data.find("\r\n\r\n");
  }
  request req;
  req.peer_ip = peer_ip;
  const std::string head = data.substr(0, head_end);
  const std::size_t sp1 = head.find(' ');
  const std::size_t sp2 = head.find(' ', sp1 + 1);
  req.method = head.substr(0, sp1);
  req.target = head.substr(sp1 + 1, sp2 - sp1 - 1);
  std::size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos < head.size()) {
    const std::size_t end = head.find("\r\n", pos + 2);
    const std::string line =
        head.substr(pos + 2, end == std::string::npos ? std::string::npos : end - pos - 2);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      req.headers[lower(line.substr(0, colon))] = value;
    }
    pos = end;
  }
  req.body = data.substr(head_end + 4);
  if (req.headers.count("content-length") != 0) {
    const std::size_t want = std::stoul(req.headers["content-length"]);
    while (req.body.size() < want && readable(client, 2000)) {
      const ssize_t n = ::recv(client, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      req.body.append(buf.data(), static_cast<std::size_t>(n));
    }
  }
  response r{404, "not found\n"};
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(req);
    if (auto it = responses_.find(req.target); it != responses_.end()) {
      r = it->second;
    } else {
      for (const auto& [key, value] : responses_) {
        if (!key.empty() && key.back() == '*' &&
            req.target.rfind(key.substr(0, key.size() - 1), 0) == 0) {
          r = value;
        }
      }
    }
  }
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " X\r\nConnection: close\r\n";
  if (chunked) {
    out += "Transfer-Encoding: chunked\r\n\r\n";
    for (std::size_t off = 0; off < r.body.size(); off += 1000) {
      const std::string piece = r.body.substr(off, 1000);
      char size[16];
      std::snprintf(size, sizeof size, "%zx", piece.size());
      out += std::string(size) + "\r\n" + piece + "\r\n";
    }
    out += "0\r\n\r\n";
  } else {
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  }
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::send(client, out.data() + done, out.size() - done, MSG_NOSIGNAL);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
}

fake_syslog_server::fake_syslog_server(const std::string& address) {
  fd_ = bind_address(SOCK_DGRAM, address, port_);
  thread_ = std::thread([this] { run(); });
}

fake_syslog_server::~fake_syslog_server() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

std::vector<std::string> fake_syslog_server::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::vector<std::string> fake_syslog_server::peers() const {
  std::lock_guard lock(mutex_);
  return peers_;
}

void fake_syslog_server::run() {
  std::string buf(4096, '\0');
  while (!stop_) {
    if (!readable(fd_, poll_ms)) continue;
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n =
        ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) continue;
    std::lock_guard lock(mutex_);
    messages_.emplace_back(buf.data(), static_cast<std::size_t>(n));
    peers_.push_back(ip_of(from));
  }
}

child_process::child_process(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
  reader_ = std::thread([this] {
    std::string pending;
    char buf[4096];
    while (true) {
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t nl = 0;
      while ((nl = pending.find('\n')) != std::string::npos) {
        {
          std::lock_guard lock(mutex_);
          lines_.push_back(pending.substr(0, nl));
        }
        pending.erase(0, nl + 1);
        cv_.notify_all();
      }
    }
  });
}

child_process::~child_process() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  reader_.join();
  ::close(out_fd_);
}

std::optional<std::string> child_process::wait_for_line(
    const std::function<bool(const std::string&)>& pred, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::optional<std::string> found;
  cv_.wait_for(lock, timeout, [&] {
    for (const auto& l : lines_) {
      if (pred(l)) {
        found = l;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::vector<std::string> child_process::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

int child_process::terminate(std::chrono::milliseconds timeout) {
  ::kill(pid_, SIGTERM);
  return wait(timeout);
}

int child_process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

}  // namespace provstation::phonesim::test
