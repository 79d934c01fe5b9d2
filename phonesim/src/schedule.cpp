// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/schedule.hpp>

#include <cctype>
#include <charconv>
#include <string>

namespace provstation::phonesim {

namespace {

constexpr std::size_t max_schedule_steps = 32;
constexpr std::int64_t max_seconds = 10LL * 365 * 24 * 3600;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

result<std::chrono::seconds> parse_seconds(std::string_view s) {
  s = trim(s);
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < 0 || v > max_seconds) {
    return make_error("invalid delay '" + std::string(s) + "'");
  }
  return std::chrono::seconds(v);
}

}  // namespace

result<std::vector<schedule_step>> parse_schedule(std::string_view text) {
  std::vector<schedule_step> steps;
  text = trim(text);
  if (text.empty()) return make_error("empty schedule");
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = text.substr(start, comma - start);
    schedule_step step;
    const std::size_t plus = item.find('+');
    auto base = parse_seconds(item.substr(0, plus));
    if (!base) return base.err();
    step.base = *base;
    if (plus != std::string_view::npos) {
      auto random = parse_seconds(item.substr(plus + 1));
      if (!random) return random.err();
      step.random = *random;
    }
    steps.push_back(step);
    if (steps.size() > max_schedule_steps) return make_error("schedule has too many steps");
    start = comma + 1;
    if (comma == text.size()) break;
  }
  return steps;
}

std::chrono::milliseconds schedule_delay(const std::vector<schedule_step>& steps, std::size_t index,
                                         std::mt19937_64& rng) {
  if (steps.empty()) return std::chrono::milliseconds(0);
  const schedule_step& step = steps[index < steps.size() ? index : steps.size() - 1];
  std::chrono::milliseconds d = step.base;
  if (step.random.count() > 0) {
    std::uniform_int_distribution<std::int64_t> dist(
        0, std::chrono::milliseconds(step.random).count());
    d += std::chrono::milliseconds(dist(rng));
  }
  return d;
}

}  // namespace provstation::phonesim
