// SPDX-License-Identifier: Apache-2.0
// Scanner benchmark: generates a set of label photos of graded difficulty (zint + ImageMagick)
// and reads each with our pipeline (in process and isolated), with plain ZXing defaults (in the
// worker, where its aborts are counted as failures) and with zbarimg. Prints one line per image
// and a summary line last:
//   scanner: all_fields=47/50 zbarimg=36/50 mean_ms=31 zbarimg_mean_ms=95 wrong=0 …
#include "label_maker.hpp"

#include <provstation/scanner/image_decoder.hpp>
#include <provstation/scanner/isolated_decoder.hpp>
#include <provstation/scanner/oui_registry.hpp>
#include <provstation/scanner/scan_text.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace sc = provstation::scanner;
namespace lt = provstation::scanner::test;

namespace {

using clock_type = std::chrono::steady_clock;

struct bench_case {
  lt::label_recipe recipe;
  lt::expected_fields expected;
  std::string grade;
};

// Deterministic numbers for the set (same set on every run and machine).
class lcg {
 public:
  explicit lcg(unsigned long long seed) : s_(seed) {}
  double uniform(double lo, double hi) {
    s_ = s_ * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * static_cast<double>(s_ >> 11) / static_cast<double>(1ull << 53);
  }
  int pick(int n) { return std::min(n - 1, static_cast<int>(uniform(0, n))); }

 private:
  unsigned long long s_;
};

std::string hex6(lcg& r) {
  static constexpr char d[] = "0123456789ABCDEF";
  std::string s;
  for (int i = 0; i < 6; ++i) s.push_back(d[r.pick(16)]);
  return s;
}

std::string alnum(lcg& r, int n) {
  static constexpr char d[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(d[r.pick(34)]);
  return s;
}

bench_case make_case(int i, lcg& r) {
  bench_case c;
  lt::label_recipe& x = c.recipe;
  x.name = "bench" + std::to_string(i);
  x.seed = static_cast<unsigned>(i + 1);
  x.canvas_width = 1600;
  x.canvas_height = 1200;
  x.jpeg_quality = 88;
  x.center_x = r.uniform(0.4, 0.6);
  x.center_y = r.uniform(0.4, 0.6);
  static const char* const cisco_models[] = {"SPA525G2", "SPA504G", "SPA502G", "CP-8841-K9",
                                             "SPA303"};
  x.model = cisco_models[r.pick(5)];
  char week[16];
  std::snprintf(week, sizeof week, "%02d", 1 + r.pick(52));
  x.serial = "CCQ" + std::to_string(14 + r.pick(8)) + week + alnum(r, 4);
  x.mac = "0023AB" + hex6(r);
  const int grade = i / 10;
  switch (grade) {
    case 0:  // easy: nearly flat and square, as an operator holds a box to the camera
      c.grade = "easy";
      x.module_px = r.uniform(3.0, 4.0);
      x.rotate = r.uniform(-5, 5);
      x.blur = r.uniform(0, 0.6);
      break;
    case 1:  // medium: some tilt and keystone, soft focus, sensor noise
      c.grade = "medium";
      x.module_px = r.uniform(2.8, 3.4);
      x.rotate = r.uniform(-12, 12);
      x.perspective = r.uniform(0.02, 0.08);
      x.blur = r.uniform(0.5, 0.9);
      x.noise = r.uniform(0.2, 0.5);
      x.jpeg_quality = 80;
      break;
    case 2:  // rotated labels: 1-D codes need a turned copy
      c.grade = "rotated";
      x.module_px = r.uniform(3.0, 3.6);
      x.rotate = (r.pick(2) == 0 ? 1 : -1) * r.uniform(15, 75);
      x.blur = r.uniform(0.2, 0.7);
      x.noise = r.uniform(0.1, 0.4);
      break;
    case 3:  // poor photos: small modules, blur, noise, glare, low light, strong JPEG
      c.grade = "poor";
      x.module_px = r.uniform(2.6, 3.2);
      x.rotate = r.uniform(-8, 8);
      x.perspective = r.uniform(0.0, 0.06);
      x.blur = r.uniform(0.7, 1.0);
      x.noise = r.uniform(0.4, 0.8);
      x.glare = r.uniform(0.3, 0.7);
      x.dim = r.uniform(0.0, 0.35);
      x.jpeg_quality = 65 + r.pick(16);
      break;
    default: {  // other vendors, and 2-D symbols at any angle anywhere on the box
      c.grade = "2d-vendors";
      static const char* const styles[] = {"qr", "datamatrix", "gs1-datamatrix", "polycom",
                                           "linksys"};
      x.style = styles[i % 5];
      const bool linear = x.style == "polycom" || x.style == "linksys";
      x.module_px = linear ? r.uniform(2.8, 3.4) : r.uniform(3.5, 5.0);
      x.rotate = linear ? r.uniform(-30, 30) : r.uniform(-60, 60);
      x.perspective = r.uniform(0, 0.06);
      x.blur = r.uniform(0.3, 0.8);
      x.noise = r.uniform(0.1, 0.5);
      x.center_x = r.uniform(0.25, 0.75);
      x.center_y = r.uniform(0.25, 0.75);
      if (x.style == "polycom") {
        x.model = "2200-48500-025";
        x.mac = "0004F2" + hex6(r);
        x.serial = x.mac;
      } else if (x.style == "linksys") {
        x.model = "SPA942";
        x.mac = "000E08" + hex6(r);
        x.serial =
            "4MM" + std::to_string(10 + r.pick(80)) + "F" + std::to_string(100000 + r.pick(899999));
      }
      break;
    }
  }
  c.expected.model = x.model;
  c.expected.serial = x.serial;
  c.expected.mac = x.mac;
  std::transform(c.expected.mac.begin(), c.expected.mac.end(), c.expected.mac.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return c;
}

struct outcome {
  bool all = false;    // MAC, serial and model all read and right
  bool wrong = false;  // some field read with a wrong value
  int fields = 0;      // fields read right
  double ms = 0;
  double cpu_ms = 0;  // CPU time of this thread, or of the child process
  std::string note;
};

outcome judge(const provstation::result<sc::scan_fields>& f, const lt::expected_fields& e,
              double ms) {
  outcome o;
  o.ms = ms;
  if (!f.ok()) {
    o.note = f.message().substr(0, 60);
    return o;
  }
  auto check = [&](const std::optional<std::string>& got, const std::string& want) {
    if (!got) return;
    if (*got == want) {
      ++o.fields;
    } else {
      o.wrong = true;
      o.note = "WRONG " + *got + " != " + want;
    }
  };
  check(f->mac ? std::optional<std::string>(f->mac->str()) : std::nullopt, e.mac);
  check(f->serial, e.serial);
  check(f->model, e.model);
  o.all = o.fields == 3 && !o.wrong;
  return o;
}

sc::label_context no_model() {
  sc::label_context ctx;
  ctx.ouis = &sc::oui_registry::none();
  return ctx;
}

double thread_cpu_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double children_cpu_ms() {
  rusage ru{};
  ::getrusage(RUSAGE_CHILDREN, &ru);
  return (static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)) * 1e3 +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

outcome run_ours(const std::string& path, const lt::expected_fields& e) {
  sc::decode_stats stats;
  const double cpu0 = thread_cpu_ms();
  const auto t0 = clock_type::now();
  auto codes = sc::decode_image_file(path, {}, &stats);
  const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  const double cpu = thread_cpu_ms() - cpu0;
  if (!codes) return judge(provstation::result<sc::scan_fields>(codes.err()), e, ms);
  std::vector<std::string> values;
  for (const auto& b : *codes) values.push_back(b.aim_text());
  outcome o = judge(sc::parse_scan_values(values, no_model()), e, ms);
  o.cpu_ms = cpu;
  std::string passes;
  for (std::size_t i = 0; i < stats.passes.size(); ++i) {
    char t[32];
    std::snprintf(t, sizeof t, ":%.0f", stats.pass_times[i].count() / 1000.0);
    passes += (passes.empty() ? "" : ",") + stats.passes[i] + t;
  }
  if (o.note.empty()) o.note = passes;
  return o;
}

outcome run_isolated(const std::string& path, const lt::expected_fields& e,
                     sc::decode_strategy strategy) {
  sc::isolation_options opt;
  opt.decode.strategy = strategy;
  opt.worker_path = PROVSTATION_SCAN_WORKER_PATH;
  sc::decode_stats stats;
  const auto t0 = clock_type::now();
  auto codes = sc::decode_image_file_isolated(path, opt, &stats);
  const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  if (!codes) return judge(provstation::result<sc::scan_fields>(codes.err()), e, ms);
  std::vector<std::string> values;
  for (const auto& b : *codes) values.push_back(b.aim_text());
  return judge(sc::parse_scan_values(values, no_model()), e, ms);
}

outcome run_zbarimg(const std::string& path, const std::string& tmp, const lt::expected_fields& e) {
  const std::string out = tmp + "/zbar.txt";
  const double cpu0 = children_cpu_ms();
  const auto t0 = clock_type::now();
  std::string cmd = "zbarimg -q --raw '" + path + "' > '" + out + "' 2>/dev/null";
  const int rc = std::system(cmd.c_str());
  const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  const double cpu = children_cpu_ms() - cpu0;
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  (void)rc;
  outcome o = judge(sc::parse_scan_text(text, no_model()), e, ms);
  o.cpu_ms = cpu;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 50;
  unsigned long long seed = 20261127;
  bool list_only = false;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--count" && i + 1 < argc) {
      count = std::atoi(argv[++i]);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--list") {
      list_only = true;
    } else if (a == "--keep" && i + 1 < argc) {
      keep = argv[++i];
    } else {
      std::fprintf(stderr, "usage: scanner_bench [--count N] [--seed N] [--keep DIR] [--list]\n");
      return 2;
    }
  }
  if (list_only) {
    lcg r(seed);
    for (int i = 0; i < count; ++i) {
      const bench_case c = make_case(i, r);
      const auto& x = c.recipe;
      std::printf(
          "%s %s %s module_px=%.2f rotate=%.1f perspective=%.2f blur=%.2f noise=%.2f "
          "glare=%.2f dim=%.2f jpeg=%d center=%.2f,%.2f\n",
          x.name.c_str(), c.grade.c_str(), x.style.c_str(), x.module_px, x.rotate, x.perspective,
          x.blur, x.noise, x.glare, x.dim, x.jpeg_quality, x.center_x, x.center_y);
    }
    return 0;
  }
  if (!lt::label_tools_available()) {
    std::fprintf(stderr, "scanner_bench: zint and ImageMagick's convert are needed\n");
    return 2;
  }
  char tmpl[] = "/tmp/provstation-scanner-bench-XXXXXX";
  const std::string dir = keep.empty() ? std::string(::mkdtemp(tmpl)) : keep;
  std::filesystem::create_directories(dir);

  lcg r(seed);
  int ours_all = 0, iso_all = 0, zx_all = 0, zbar_all = 0;
  int ours_wrong = 0, zx_wrong = 0, zbar_wrong = 0;
  double ours_ms = 0, iso_ms = 0, zx_ms = 0, zbar_ms = 0, ours_cpu = 0, zbar_cpu = 0;
  std::printf("%-8s %-10s %-14s %5s %4s %5s %5s %5s %5s  %8s %8s %8s  %s\n", "case", "grade",
              "style", "rot", "px", "ours", "iso", "zxdef", "zbar", "ours_ms", "iso_ms", "zbar_ms",
              "passes/notes");
  for (int i = 0; i < count; ++i) {
    const bench_case c = make_case(i, r);
    std::string path;
    try {
      path = lt::make_label(c.recipe, dir);
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "scanner_bench: %s\n", ex.what());
      return 1;
    }
    const outcome ours = run_ours(path, c.expected);
    const outcome iso = run_isolated(path, c.expected, sc::decode_strategy::pipeline);
    const outcome zx = run_isolated(path, c.expected, sc::decode_strategy::zxing_defaults);
    const outcome zbar = run_zbarimg(path, dir, c.expected);
    ours_all += ours.all;
    iso_all += iso.all;
    zx_all += zx.all;
    zbar_all += zbar.all;
    ours_wrong += ours.wrong || iso.wrong;
    zx_wrong += zx.wrong;
    zbar_wrong += zbar.wrong;
    ours_ms += ours.ms;
    iso_ms += iso.ms;
    zx_ms += zx.ms;
    zbar_ms += zbar.ms;
    ours_cpu += ours.cpu_ms;
    zbar_cpu += zbar.cpu_ms;
    std::printf("%-8s %-10s %-14s %5.0f %4.1f %5d %5d %5d %5d  %8.1f %8.1f %8.1f  %s%s%s\n",
                c.recipe.name.c_str(), c.grade.c_str(), c.recipe.style.c_str(), c.recipe.rotate,
                c.recipe.module_px, ours.fields, iso.fields, zx.fields, zbar.fields, ours.ms,
                iso.ms, zbar.ms, ours.note.c_str(),
                zx.note.empty() ? "" : " | zxing: ", zx.note.c_str());
    std::fflush(stdout);
  }
  if (keep.empty()) std::filesystem::remove_all(dir);
  const double n = count > 0 ? count : 1;
  std::printf(
      "scanner: all_fields=%d/%d zbarimg=%d/%d zxing_defaults=%d/%d mean_ms=%.0f "
      "isolated_all_fields=%d/%d isolated_mean_ms=%.0f zbarimg_mean_ms=%.0f "
      "zxing_defaults_mean_ms=%.0f cpu_ms=%.0f zbarimg_cpu_ms=%.0f wrong=%d zbarimg_wrong=%d "
      "zxing_defaults_wrong=%d\n",
      ours_all, count, zbar_all, count, zx_all, count, ours_ms / n, iso_all, count, iso_ms / n,
      zbar_ms / n, zx_ms / n, ours_cpu / n, zbar_cpu / n, ours_wrong, zbar_wrong, zx_wrong);
  return 0;
}
