// SPDX-License-Identifier: Apache-2.0
#pragma once

// The lease-event wire format v1, shared by the hook (which encodes) and the station (which
// decodes with a JSON library). One JSON object per event, for example:
//
//   {"v":1,"boot_id":"5f0c…","seq":1042,"type":"commit","mac":"0023ab000001",
//    "ip":"10.66.0.100","hostname":"SPA525G2","vendor_class":"Cisco SPA525G2",
//    "client_id":"01:00:23:ab:00:00:01","valid_lifetime":600,"at":1764230400}
//
// A Unix datagram carries one or more events, in seq order, each ended by '\n' (JSON Lines; the
// last newline may be missing). Why several: the sender sends what gathered in one batch; one
// datagram per event meant one kernel buffer and one wake-up of the station per event, and with
// the default net.unix.max_dgram_qlen of 10 a batch of 50 had to wait for the station five times
// (measured at 1,000 leases/s: 3 µs of Kea's CPU per lease, 150 sender wake-ups a second).
//
// Header-only and free of Kea and of any other library, so the hook links nothing of ours.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::kea {

/// @brief The wire format version carried in every event as "v".
inline constexpr int wire_version = 1;

/// @brief No encoded event is larger than this; the encoder truncates long strings to fit.
inline constexpr std::size_t max_event_bytes = 2048;

/// @brief No datagram is larger than this (events are packed up to it).
inline constexpr std::size_t max_datagram_bytes = 32768;

/// @brief Strings longer than this are cut (at a UTF-8 boundary) before encoding.
inline constexpr std::size_t max_string_bytes = 255;

/// @brief The escaped form of one string (without its quotes) is cut to at most this many
/// bytes: escaping can make a string six times longer (a control byte becomes \u00XX, an
/// invalid byte \ufffd), and the event must stay within max_event_bytes.
inline constexpr std::size_t max_escaped_string_bytes = 300;

// Six strings at their longest plus the keys and numbers (under 200 bytes) fit an event, and an
// event with its newline fits a datagram.
static_assert(6 * (max_escaped_string_bytes + 2) + 200 <= max_event_bytes);
static_assert(max_event_bytes + 1 <= max_datagram_bytes);

/// @brief What happened to the lease.
enum class lease_event_type { commit, renew, release, decline, expire };

/// @brief The name of an event type on the wire.
constexpr std::string_view to_string(lease_event_type t) {
  switch (t) {
    case lease_event_type::commit:
      return "commit";
    case lease_event_type::renew:
      return "renew";
    case lease_event_type::release:
      return "release";
    case lease_event_type::decline:
      return "decline";
    case lease_event_type::expire:
      return "expire";
  }
  return "commit";
}

/// @brief One lease event.
struct lease_event {
  std::string boot_id;    ///< Random per hook load(); a new one means a restart.
  std::uint64_t seq = 0;  ///< 1, 2, 3 … per boot_id; a gap means lost events.
  lease_event_type type = lease_event_type::commit;
  std::string mac;                   ///< 12 lower-case hex digits.
  std::string ip;                    ///< Dotted quad.
  std::string hostname;              ///< Option 12 or the lease's hostname; may be empty.
  std::string vendor_class;          ///< Option 60 text; may be empty or binary.
  std::string client_id;             ///< Colon-separated hex; may be empty.
  std::uint32_t valid_lifetime = 0;  ///< Seconds.
  std::int64_t at = 0;               ///< Unix time (seconds) of the event.
};

namespace detail {

// Appends `s` as a JSON string: control characters and invalid UTF-8 are escaped or replaced
// (U+FFFD), so any bytes a client put in option 12 or 60 still give valid UTF-8 JSON.
inline void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  if (s.size() > max_string_bytes) s = s.substr(0, max_string_bytes);
  out.push_back('"');
  // Output budget for this string; a piece that would overflow it ends the string.
  const std::size_t limit = out.size() + max_escaped_string_bytes;
  std::size_t i = 0;
  while (i < s.size()) {
    if (out.size() + 6 > limit) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c < 0x20 || c == 0x7f) {
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0x0f]);
      } else {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF).
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    }
    bool valid = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      valid = (cc & 0xc0) == 0x80;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (valid) {
      valid = !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10ffff)) &&
              !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (valid) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out.push_back('"');
}

}  // namespace detail

/// @brief Appends one event in v1 to `out` (valid UTF-8 JSON without a newline, at most
/// max_event_bytes).
inline void append_encoded(std::string& out, const lease_event& e) {
  out += "{\"v\":";
  out += std::to_string(wire_version);
  out += ",\"boot_id\":";
  detail::append_json_string(out, e.boot_id);
  out += ",\"seq\":";
  out += std::to_string(e.seq);
  out += ",\"type\":\"";
  out += to_string(e.type);
  out += "\",\"mac\":";
  detail::append_json_string(out, e.mac);
  out += ",\"ip\":";
  detail::append_json_string(out, e.ip);
  out += ",\"hostname\":";
  detail::append_json_string(out, e.hostname);
  out += ",\"vendor_class\":";
  detail::append_json_string(out, e.vendor_class);
  out += ",\"client_id\":";
  detail::append_json_string(out, e.client_id);
  out += ",\"valid_lifetime\":";
  out += std::to_string(e.valid_lifetime);
  out += ",\"at\":";
  out += std::to_string(e.at);
  out += "}";
}

/// @brief Encodes one event in v1 (valid UTF-8 JSON without a newline, at most max_event_bytes).
inline std::string encode(const lease_event& e) {
  std::string out;
  out.reserve(256);
  append_encoded(out, e);
  return out;
}

/// @brief Calls f(line) for each event of a datagram: the text between newlines, empty lines
/// skipped. Stops early when f returns false; returns the offset where it stopped (the datagram's
/// size when every line was taken).
template <class F>
std::size_t for_each_event(std::string_view datagram, std::size_t from, F&& f) {
  std::size_t pos = from;
  while (pos < datagram.size()) {
    const std::size_t nl = datagram.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? datagram.size() : nl;
    const std::string_view line = datagram.substr(pos, end - pos);
    const std::size_t next = end == datagram.size() ? end : end + 1;
    if (!line.empty() && !f(line)) return next;
    pos = next;
  }
  return pos;
}

/// @brief The events of a datagram, one string per line (for tools and tests).
inline std::vector<std::string> split_events(std::string_view datagram) {
  std::vector<std::string> out;
  for_each_event(datagram, 0, [&](std::string_view line) {
    out.emplace_back(line);
    return true;
  });
  return out;
}

}  // namespace provstation::kea
