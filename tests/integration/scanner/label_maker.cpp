// SPDX-License-Identifier: Apache-2.0
#include "label_maker.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

extern char** environ;

namespace provstation::scanner::test {

namespace {

// zint draws 2 px per module per unit of --scale; labels are drawn at 8 px per module and scaled
// down to the recipe's module size like a camera would.
constexpr double draw_module_px = 8;

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

double to_double(const std::string& key, const std::string& v) {
  try {
    std::size_t used = 0;
    const double d = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return d;
  } catch (const std::exception&) {
    throw label_error("recipe key " + key + ": not a number: " + v);
  }
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// Size of a PNG from its IHDR chunk.
void png_size(const std::string& path, int& w, int& h) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[24] = {};
  if (!in.read(reinterpret_cast<char*>(b), sizeof b)) throw label_error("cannot read " + path);
  w = (b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19];
  h = (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23];
}

void must_run(const std::vector<std::string>& argv) {
  const int status = run_program(argv);
  if (status != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw label_error("command failed (" + std::to_string(status) + "): " + cmd);
  }
}

// Deterministic pseudo-random numbers in [0, 1) from the recipe's seed.
class rng {
 public:
  explicit rng(unsigned seed) : state_(seed * 2654435761u + 12345u) {}
  double next() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state_ >> 11) / static_cast<double>(1ull << 53);
  }

 private:
  unsigned long long state_;
};

// An 11-digit UPC-A payload derived from the serial, so every label's UPC differs.
std::string upc_digits(const std::string& serial) {
  unsigned long long h = 1469598103934665603ull;
  for (char c : serial) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::string d = "88265";
  for (int i = 0; i < 6; ++i) {
    d.push_back(static_cast<char>('0' + h % 10));
    h /= 10;
  }
  return d;
}

std::vector<std::string> zint(const std::string& out, int type, const std::string& data,
                              double scale, bool gs1 = false) {
  std::vector<std::string> argv{
      "zint", "-b", std::to_string(type), "--scale=" + fmt(scale), "--data=" + data, "-o", out};
  if (type == 20) argv.insert(argv.begin() + 3, "--height=25");
  if (type == 71 || type == 58) argv.insert(argv.begin() + 3, "--quietzones");
  if (gs1) argv.insert(argv.begin() + 3, "--gs1");
  return argv;
}

}  // namespace

int run_program(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  std::vector<std::string> owned(argv);
  for (auto& a : owned) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  if (::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) {
    throw label_error("cannot start " + argv[0]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

bool label_tools_available() {
  for (const char* tool : {"zint", "convert"}) {
    bool found = false;
    std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin:/bin";
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (::access((dir + "/" + tool).c_str(), X_OK) == 0) found = true;
    }
    if (!found) return false;
  }
  return true;
}

label_recipe parse_recipe(std::string_view text, std::string name) {
  label_recipe r;
  r.name = std::move(name);
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto eq = t.find('=');
    if (eq == std::string::npos) throw label_error("recipe line without '=': " + t);
    const std::string key = trim(std::string_view(t).substr(0, eq));
    const std::string value = trim(std::string_view(t).substr(eq + 1));
    if (key == "style") {
      r.style = value;
    } else if (key == "model") {
      r.model = value;
    } else if (key == "serial") {
      r.serial = value;
    } else if (key == "mac") {
      r.mac = value;
    } else if (key == "upc") {
      r.upc = value == "yes" || value == "1" || value == "true";
    } else if (key == "module_px") {
      r.module_px = to_double(key, value);
    } else if (key == "canvas") {
      if (std::sscanf(value.c_str(), "%dx%d", &r.canvas_width, &r.canvas_height) != 2) {
        throw label_error("recipe key canvas: expected WxH: " + value);
      }
    } else if (key == "rotate") {
      r.rotate = to_double(key, value);
    } else if (key == "perspective") {
      r.perspective = to_double(key, value);
    } else if (key == "blur") {
      r.blur = to_double(key, value);
    } else if (key == "noise") {
      r.noise = to_double(key, value);
    } else if (key == "glare") {
      r.glare = to_double(key, value);
    } else if (key == "dim") {
      r.dim = to_double(key, value);
    } else if (key == "jpeg_quality") {
      r.jpeg_quality = static_cast<int>(to_double(key, value));
    } else if (key == "center") {
      if (std::sscanf(value.c_str(), "%lf,%lf", &r.center_x, &r.center_y) != 2) {
        throw label_error("recipe key center: expected x,y: " + value);
      }
    } else if (key == "seed") {
      r.seed = static_cast<unsigned>(to_double(key, value));
    } else {
      throw label_error("unknown recipe key: " + key);
    }
  }
  return r;
}

expected_fields parse_expected(std::string_view json) {
  expected_fields e;
  auto field = [&](const char* key) -> std::string {
    const std::string k = std::string("\"") + key + "\"";
    const auto at = json.find(k);
    if (at == std::string_view::npos) return {};
    const auto colon = json.find(':', at + k.size());
    const auto open = json.find('"', colon);
    const auto close = json.find('"', open + 1);
    if (colon == std::string_view::npos || open == std::string_view::npos ||
        close == std::string_view::npos) {
      throw label_error("malformed expected JSON near " + k);
    }
    return std::string(json.substr(open + 1, close - open - 1));
  };
  e.mac = field("mac");
  e.serial = field("serial");
  e.model = field("model");
  e.error = field("error");
  return e;
}

std::string make_label(const label_recipe& r, const std::string& dir) {
  const std::string base = dir + "/" + r.name;
  const bool flat = r.canvas_width == 0;
  // A flat label with whole-pixel modules is drawn crisp at its final size, as a printer or a
  // scanner bed would give it; everything else is drawn large and scaled like a camera sees it.
  const bool crisp =
      flat && std::abs(r.module_px * 2 - std::round(r.module_px * 2)) < 1e-9 && r.module_px >= 1;
  const double scale = crisp ? r.module_px / 2 : draw_module_px / 2;
  std::vector<std::string> parts;
  auto part = [&](const std::string& suffix, int type, const std::string& data, bool gs1 = false) {
    const std::string path = base + "-" + suffix + ".png";
    must_run(zint(path, type, data, scale, gs1));
    parts.push_back(path);
  };
  std::string side;
  if (r.style == "cisco") {
    part("pid", 20, r.model);
    part("sn", 20, r.serial);
    part("mac", 20, r.mac);
  } else if (r.style == "linksys") {
    part("model", 20, r.model);
    part("sn", 20, r.serial);
    part("mac", 20, r.mac);
  } else if (r.style == "polycom") {
    part("mac", 20, r.mac);
    part("pn", 20, r.model);
  } else if (r.style == "qr" || r.style == "datamatrix") {
    part("2d", r.style == "qr" ? 58 : 71, "PID:" + r.model + ";SN:" + r.serial + ";MAC:" + r.mac);
  } else if (r.style == "gs1-datamatrix") {
    part("gs1", 71, "[01]00614141999996[21]" + r.serial + "[240]" + r.model, true);
    part("mac", 20, r.mac);
  } else {
    throw label_error("unknown label style: " + r.style);
  }
  if (r.upc && (r.style == "cisco" || r.style == "qr" || r.style == "datamatrix")) {
    part("upc", 34, upc_digits(r.serial));
  }

  // Stack the symbols with quiet space between them on a white label.
  const std::string label = base + "-label.png";
  const int gap = static_cast<int>(std::lround(12 * scale * 2));
  std::vector<std::string> compose{"convert", "-background", "white"};
  compose.insert(compose.end(), parts.begin(), parts.end());
  compose.insert(compose.end(), {"-gravity", "North", "-splice", "0x" + std::to_string(gap),
                                 "-gravity", "West", "-append", "-bordercolor", "white", "-border",
                                 std::to_string(gap), "+repage", "-colorspace", "Gray", label});
  must_run(compose);
  if (flat && crisp) return label;

  const double resize = r.module_px / draw_module_px * 100.0;
  if (flat) {
    const std::string out = base + (r.jpeg_quality > 0 ? ".jpg" : ".png");
    std::vector<std::string> argv{"convert", label, "-resize", fmt(resize) + "%"};
    if (r.jpeg_quality > 0) argv.insert(argv.end(), {"-quality", std::to_string(r.jpeg_quality)});
    argv.push_back(out);
    must_run(argv);
    return out;
  }

  int lw = 0;
  int lh = 0;
  png_size(label, lw, lh);
  const double w = lw * resize / 100.0;
  const double h = lh * resize / 100.0;
  rng random(r.seed);
  std::vector<std::string> argv{
      "convert",
      "-size",
      std::to_string(r.canvas_width) + "x" + std::to_string(r.canvas_height),
      "xc:#b08d5f",
      "(",
      label,
      "-resize",
      fmt(resize) + "%",
      "-alpha",
      "set",
      "-virtual-pixel",
      "transparent",
      "-background",
      "none"};
  if (r.perspective > 0) {
    // A camera tilted about one axis of the label: one edge appears shorter (keystone).
    const double p = r.perspective;
    const int edge = static_cast<int>(random.next() * 4) % 4;
    double c[8] = {0, 0, w, 0, w, h, 0, h};  // TL, TR, BR, BL
    if (edge == 0) {                         // top edge further away
      c[0] += p * w / 2;
      c[2] -= p * w / 2;
    } else if (edge == 1) {  // bottom edge further away
      c[4] -= p * w / 2;
      c[6] += p * w / 2;
    } else if (edge == 2) {  // left edge further away
      c[1] += p * h / 2;
      c[7] -= p * h / 2;
    } else {  // right edge further away
      c[3] += p * h / 2;
      c[5] -= p * h / 2;
    }
    const std::string corners = "0,0 " + fmt(c[0]) + "," + fmt(c[1]) + " " + fmt(w) + ",0 " +
                                fmt(c[2]) + "," + fmt(c[3]) + " " + fmt(w) + "," + fmt(h) + " " +
                                fmt(c[4]) + "," + fmt(c[5]) + " 0," + fmt(h) + " " + fmt(c[6]) +
                                "," + fmt(c[7]);
    argv.insert(argv.end(), {"+distort", "Perspective", corners});
  }
  if (r.rotate != 0) argv.insert(argv.end(), {"-rotate", fmt(r.rotate)});
  char geometry[64];
  std::snprintf(geometry, sizeof geometry, "%+d%+d",
                static_cast<int>(std::lround((r.center_x - 0.5) * r.canvas_width)),
                static_cast<int>(std::lround((r.center_y - 0.5) * r.canvas_height)));
  argv.insert(argv.end(), {")", "-gravity", "center", "-geometry", geometry, "-composite",
                           "-gravity", "NorthWest"});
  if (r.glare > 0) {
    const double cx = r.center_x * r.canvas_width + (random.next() - 0.5) * w * 0.6;
    const double cy = r.center_y * r.canvas_height + (random.next() - 0.5) * h * 0.6;
    const double rx = w * 0.25;
    const double ry = h * 0.18;
    argv.insert(
        argv.end(),
        {"(", "-size", std::to_string(r.canvas_width) + "x" + std::to_string(r.canvas_height),
         "xc:black", "-fill", "white", "-draw",
         "ellipse " + fmt(cx) + "," + fmt(cy) + " " + fmt(rx) + "," + fmt(ry) + " 0,360", "-blur",
         "0x" + fmt(std::max(rx, ry) / 3), "-evaluate", "multiply", fmt(r.glare), ")", "-compose",
         "screen", "-composite", "-compose", "over"});
  }
  if (r.dim > 0) argv.insert(argv.end(), {"-evaluate", "multiply", fmt(1.0 - r.dim)});
  if (r.blur > 0) argv.insert(argv.end(), {"-blur", "0x" + fmt(r.blur)});
  if (r.noise > 0) {
    argv.insert(argv.end(), {"-seed", std::to_string(r.seed), "-attenuate", fmt(r.noise), "+noise",
                             "Gaussian"});
  }
  const std::string out = base + (r.jpeg_quality > 0 ? ".jpg" : ".png");
  if (r.jpeg_quality > 0) argv.insert(argv.end(), {"-quality", std::to_string(r.jpeg_quality)});
  argv.push_back(out);
  must_run(argv);
  return out;
}

}  // namespace provstation::scanner::test
