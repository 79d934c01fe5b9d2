// SPDX-License-Identifier: Apache-2.0
// Fuzzes the rule language a simulated phone evaluates: Profile_Rule/Upgrade_Rule parsing and
// evaluation, macro expansion, URL resolution, versions and schedules. Every input either
// parses or gives an error; version ordering stays antisymmetric.
#include <provstation/phonesim/firmware_version.hpp>
#include <provstation/phonesim/macro.hpp>
#include <provstation/phonesim/rule.hpp>
#include <provstation/phonesim/schedule.hpp>
#include <provstation/phonesim/url.hpp>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

namespace ps = provstation::phonesim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ps::macro_env env;
  env.set("MA", "0023ab000001");
  env.set("SWVER", "7.4.9c");
  env.set("SN", "CBT141900G7");
  env.set("A", "$B(x)|[y]\"z\"");
  env.set("B", "7.5.5");
  env.set_key_only("SA", "key");

  (void)ps::expand_macros(text, env);
  (void)ps::expand_macros(text, env, ps::macro_scope::key_argument);
  auto r = ps::parse_rule(text);
  if (r.ok()) {
    std::vector<std::string> warnings;
    auto outcome = ps::evaluate_rule(*r, env, &warnings,
                                     [&](const ps::assignment& a) { env.set(a.name, a.value); });
    if (outcome && !outcome->url.empty()) {
      (void)ps::resolve_url(outcome->url, "192.0.2.1");
      (void)ps::resolve_url(outcome->url, "http://prov.example/base");
    }
  }
  (void)ps::resolve_url(text, "192.0.2.1:6969");
  auto schedule = ps::parse_schedule(text);
  if (schedule.ok()) {
    std::mt19937_64 rng(1);
    (void)ps::schedule_delay(*schedule, 3, rng);
  }
  // Split the input in two and compare the halves as versions.
  const std::size_t half = size / 2;
  auto a = ps::firmware_version::parse(text.substr(0, half));
  auto b = ps::firmware_version::parse(text.substr(half));
  if (a.ok() && b.ok()) {
    if ((*a < *b) != (*b > *a)) std::abort();
    if ((*a == *b) != (*b == *a)) std::abort();
    auto again = ps::firmware_version::parse(a->str());
    if (!again.ok() || !(*again == *a)) std::abort();
  }
  return 0;
}
