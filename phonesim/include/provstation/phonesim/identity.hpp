// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/mac.hpp>

#include <string>
#include <string_view>

namespace provstation::phonesim {

/// @brief What a simulated phone is and reports about itself.
struct phone_identity {
  std::string model = "SPA525G2";  ///< $PN.
  std::string serial;              ///< $SN: the serial the phone reports.
  mac_address mac;                 ///< $MA / $MAU / $MAC.
  std::string hwver = "1.0.0";     ///< $HWVER.
};

/// @brief $PSN: the model without its `SPA` prefix (`SPA525G2` → `525G2`).
std::string product_series(std::string_view model);

/// @brief The HTTP User-Agent of an SPA phone (spa-provisioning.md §7.1):
/// `Cisco/<PN>-<SWVER> (<MAC upper>)(<SN>)`; the SPA525G sends no MAC group.
std::string user_agent(const phone_identity& id, std::string_view swver);

}  // namespace provstation::phonesim
