// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/identity.hpp>

#include <cctype>

namespace provstation::phonesim {

std::string product_series(std::string_view model) {
  if (model.size() > 3 && std::toupper(static_cast<unsigned char>(model[0])) == 'S' &&
      std::toupper(static_cast<unsigned char>(model[1])) == 'P' &&
      std::toupper(static_cast<unsigned char>(model[2])) == 'A') {
    model.remove_prefix(3);
    if (!model.empty() && model.front() == '-') model.remove_prefix(1);
  }
  return std::string(model);
}

std::string user_agent(const phone_identity& id, std::string_view swver) {
  std::string ua = "Cisco/" + id.model + "-" + std::string(swver) + " ";
  // Wazo recorded the SPA525G with its serial only, e.g. "Cisco/SPA525G-7.4.4 (CBT141900G7)".
  if (id.model != "SPA525G") ua += "(" + id.mac.upper() + ")";
  ua += "(" + id.serial + ")";
  return ua;
}

}  // namespace provstation::phonesim
