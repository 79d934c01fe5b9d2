// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/phone.hpp>

#include <cstdio>

namespace provstation::phonesim {

namespace {

void json_escape(std::string& out, std::string_view s) {
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
}

}  // namespace

std::string event_json(const phone_event& ev, double seconds, std::string_view mac) {
  char t[32];
  std::snprintf(t, sizeof t, "%.3f", seconds);
  std::string out = "{\"t\":";
  out += t;
  out += ",\"mac\":\"";
  json_escape(out, mac);
  out += "\",\"event\":\"";
  json_escape(out, ev.kind);
  out += '"';
  for (const auto& [key, value] : ev.fields) {
    out += ",\"";
    json_escape(out, key);
    out += "\":\"";
    json_escape(out, value);
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace provstation::phonesim
