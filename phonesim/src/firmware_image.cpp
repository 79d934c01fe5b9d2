// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/firmware_image.hpp>

#include <provstation/phonesim/firmware_version.hpp>

#include <cctype>
#include <random>

namespace provstation::phonesim {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool valid_model(std::string_view m) {
  if (m.empty()) return false;
  for (char c : m) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

result<firmware_header> parse_firmware_header(std::string_view image) {
  const std::size_t nl = image.substr(0, max_firmware_header_bytes).find('\n');
  if (nl == std::string_view::npos) return make_error("no firmware header line");
  std::string_view line = image.substr(0, nl);
  if (line.substr(0, firmware_magic.size()) != firmware_magic)
    return make_error("not a firmware image");
  line.remove_prefix(firmware_magic.size());
  firmware_header h;
  bool have_models = false;
  while (!line.empty()) {
    if (line.front() != ' ') return make_error("malformed firmware header");
    line.remove_prefix(1);
    const std::size_t end = line.find(' ');
    const std::string_view field = line.substr(0, end);
    line = end == std::string_view::npos ? std::string_view() : line.substr(end);
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos) return make_error("malformed firmware header field");
    const std::string_view key = field.substr(0, eq);
    const std::string_view value = field.substr(eq + 1);
    if (key == "models") {
      std::size_t start = 0;
      while (start <= value.size()) {
        std::size_t comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        const std::string_view m = value.substr(start, comma - start);
        if (!valid_model(m)) return make_error("invalid model in firmware header");
        h.models.emplace_back(m);
        start = comma + 1;
        if (comma == value.size()) break;
      }
      have_models = true;
    } else if (key == "version") {
      if (!firmware_version::parse(value)) return make_error("invalid version in firmware header");
      h.version = std::string(value);
    }
  }
  if (!have_models || h.version.empty())
    return make_error("firmware header lacks models or version");
  return h;
}

result<firmware_header> check_firmware(std::string_view image, std::string_view model) {
  auto header = parse_firmware_header(image);
  if (!header) return header;
  for (const std::string& m : header->models) {
    if (iequals(m, model)) return header;
  }
  return make_error("image is not for " + std::string(model));
}

std::string make_firmware(const std::vector<std::string>& models, std::string_view version,
                          std::size_t size_bytes, std::uint64_t seed) {
  std::string out = std::string(firmware_magic) + " models=";
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (i != 0) out.push_back(',');
    out += models[i];
  }
  out += " version=" + std::string(version) + "\n";
  std::mt19937_64 rng(seed);
  while (out.size() < size_bytes) {
    const std::uint64_t v = rng();
    for (int k = 0; k < 8 && out.size() < size_bytes; ++k) {
      out.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
    }
  }
  return out;
}

}  // namespace provstation::phonesim
