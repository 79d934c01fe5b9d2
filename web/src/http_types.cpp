// SPDX-License-Identifier: Apache-2.0
#include <provstation/web/http_types.hpp>

#include <cctype>

namespace provstation::web {

void event_channel::push(std::string data) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    queue_.push_back(std::move(data));
    while (queue_.size() > max_queued) queue_.pop_front();
    wake = waker_;
  }
  if (wake) wake();
}

void event_channel::close() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    wake = waker_;
  }
  if (wake) wake();
}

std::deque<std::string> event_channel::take() {
  std::lock_guard lock(mu_);
  return std::exchange(queue_, {});
}

bool event_channel::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void event_channel::set_waker(std::function<void()> waker) {
  std::lock_guard lock(mu_);
  waker_ = std::move(waker);
}

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void split_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string, std::less<>>& query) {
  const auto q = target.find('?');
  path = url_decode(target.substr(0, q), false);
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (!pair.empty()) {
      query[url_decode(pair.substr(0, eq), true)] =
          eq == std::string_view::npos ? std::string{} : url_decode(pair.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
}

}  // namespace provstation::web
