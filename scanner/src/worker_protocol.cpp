// SPDX-License-Identifier: Apache-2.0
#include "worker_protocol.hpp"

#include "text.hpp"

#include <charconv>
#include <limits>

namespace provstation::scanner::detail {

namespace {

constexpr std::string_view magic = "provstation-scan-worker 1";

std::string hex(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2 + 1);
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(digits[u >> 4]);
    out.push_back(digits[u & 0x0f]);
  }
  // An empty string is written as "-" so every field has at least one character.
  return out.empty() ? std::string("-") : out;
}

bool unhex(std::string_view s, std::string& out) {
  out.clear();
  if (s == "-") return true;
  if (s.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = hex_value(s[i]);
    const int lo = hex_value(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

template <class Int>
bool number(std::string_view s, Int& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i < line.size() && line[i] != ' ') continue;
    if (i > start) out.push_back(line.substr(start, i - start));
    start = i + 1;
  }
  return out;
}

}  // namespace

std::string encode_worker_output(const result<std::vector<barcode>>& outcome,
                                 const decode_stats& stats) {
  std::string out(magic);
  out += "\nsize " + std::to_string(stats.width) + " " + std::to_string(stats.height) + "\n";
  out += "time " + std::to_string(stats.load_time.count()) + " " +
         std::to_string(stats.decode_time.count()) + " " + (stats.budget_exhausted ? "1" : "0") +
         "\n";
  for (std::size_t i = 0; i < stats.passes.size(); ++i) {
    const auto us = i < stats.pass_times.size() ? stats.pass_times[i].count() : 0;
    out += "pass " + hex(stats.passes[i]) + " " + std::to_string(us) + "\n";
  }
  if (!outcome.ok()) {
    out += "error " + hex(outcome.message()) + "\n";
  } else {
    for (const auto& b : *outcome) {
      out += "barcode " + hex(b.format) + " " + hex(b.symbology) + " " + hex(b.text);
      for (const auto& c : b.corners) out += " " + std::to_string(c.x) + " " + std::to_string(c.y);
      out += " " + std::to_string(b.orientation) + " " + hex(b.pass) + "\n";
    }
  }
  out += "end\n";
  return out;
}

result<std::vector<barcode>> decode_worker_output(std::string_view text, decode_stats& stats) {
  if (text.size() > max_worker_output_bytes) return make_error("worker answer is too long");
  std::vector<barcode> found;
  std::optional<std::string> error_message;
  bool header = false;
  bool ended = false;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return make_error("worker answer is cut short");
    const std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    if (ended) return make_error("worker answer continues after its end");
    if (!header) {
      if (line != magic) return make_error("worker answer has no valid header");
      header = true;
      continue;
    }
    const auto w = words(line);
    if (w.empty()) return make_error("worker answer has an empty line");
    const std::string_view kind = w[0];
    if (kind == "end" && w.size() == 1) {
      ended = true;
    } else if (kind == "size" && w.size() == 3) {
      if (!number(w[1], stats.width) || !number(w[2], stats.height)) {
        return make_error("worker answer has a bad size line");
      }
    } else if (kind == "time" && w.size() == 4) {
      long long load = 0;
      long long decode = 0;
      if (!number(w[1], load) || !number(w[2], decode) || (w[3] != "0" && w[3] != "1")) {
        return make_error("worker answer has a bad time line");
      }
      stats.load_time = std::chrono::microseconds(load);
      stats.decode_time = std::chrono::microseconds(decode);
      stats.budget_exhausted = w[3] == "1";
    } else if (kind == "pass" && w.size() == 3) {
      std::string name;
      long long us = 0;
      if (!unhex(w[1], name) || !number(w[2], us)) {
        return make_error("worker answer has a bad pass line");
      }
      stats.passes.push_back(std::move(name));
      stats.pass_times.emplace_back(us);
    } else if (kind == "error" && w.size() == 2) {
      std::string message;
      if (!unhex(w[1], message)) return make_error("worker answer has a bad error line");
      error_message = std::move(message);
    } else if (kind == "barcode" && w.size() == 14) {
      barcode b;
      bool ok = unhex(w[1], b.format) && unhex(w[2], b.symbology) && unhex(w[3], b.text) &&
                unhex(w[13], b.pass) && number(w[12], b.orientation);
      for (std::size_t i = 0; ok && i < 4; ++i) {
        ok = number(w[4 + 2 * i], b.corners[i].x) && number(w[5 + 2 * i], b.corners[i].y);
      }
      if (!ok) return make_error("worker answer has a bad barcode line");
      found.push_back(std::move(b));
    } else {
      return make_error("worker answer has an unknown line");
    }
  }
  if (!ended) return make_error("worker answer is cut short");
  if (error_message) return make_error(*error_message);
  return found;
}

std::vector<std::string> worker_arguments(const decode_options& options, std::size_t memory_bytes,
                                          int cpu_seconds) {
  std::vector<std::string> args{
      "--strategy",
      options.strategy == decode_strategy::zxing_defaults ? "zxing-defaults" : "pipeline",
      "--budget-ms",
      std::to_string(options.time_budget.count()),
      "--stop-when-complete",
      options.stop_when_complete ? "1" : "0",
      "--max-bytes",
      std::to_string(options.limits.max_file_bytes),
      "--max-width",
      std::to_string(options.limits.max_width),
      "--max-height",
      std::to_string(options.limits.max_height),
      "--max-pixels",
      std::to_string(options.limits.max_pixels),
      "--memory-bytes",
      std::to_string(memory_bytes),
      "--cpu-seconds",
      std::to_string(cpu_seconds),
  };
  if (options.default_model) {
    args.emplace_back("--model");
    args.push_back(hex(*options.default_model));
  }
  return args;
}

result<worker_settings> parse_worker_arguments(const std::vector<std::string>& args) {
  worker_settings s;
  for (std::size_t i = 0; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) return make_error("option " + args[i] + " needs a value");
    const std::string& key = args[i];
    const std::string& value = args[i + 1];
    long long n = 0;
    const bool is_number = number(std::string_view(value), n) && n >= 0;
    if (key == "--strategy") {
      if (value == "pipeline") {
        s.decode.strategy = decode_strategy::pipeline;
      } else if (value == "zxing-defaults") {
        s.decode.strategy = decode_strategy::zxing_defaults;
      } else {
        return make_error("unknown strategy " + value);
      }
    } else if (key == "--model") {
      std::string model;
      if (!unhex(value, model)) return make_error("bad --model");
      s.decode.default_model = model;
    } else if (!is_number) {
      return make_error("option " + key + " needs a non-negative number");
    } else if (key == "--budget-ms") {
      s.decode.time_budget = std::chrono::milliseconds(n);
    } else if (key == "--stop-when-complete") {
      s.decode.stop_when_complete = n != 0;
    } else if (key == "--max-bytes") {
      s.decode.limits.max_file_bytes = static_cast<std::size_t>(n);
    } else if (key == "--max-width" && n <= std::numeric_limits<int>::max()) {
      s.decode.limits.max_width = static_cast<int>(n);
    } else if (key == "--max-height" && n <= std::numeric_limits<int>::max()) {
      s.decode.limits.max_height = static_cast<int>(n);
    } else if (key == "--max-pixels") {
      s.decode.limits.max_pixels = static_cast<std::uint64_t>(n);
    } else if (key == "--memory-bytes") {
      s.memory_bytes = static_cast<std::size_t>(n);
    } else if (key == "--cpu-seconds" && n <= std::numeric_limits<int>::max()) {
      s.cpu_seconds = static_cast<int>(n);
    } else {
      return make_error("unknown option " + key);
    }
  }
  return s;
}

}  // namespace provstation::scanner::detail
