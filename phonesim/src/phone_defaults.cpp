// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/phone.hpp>

namespace provstation::phonesim {

parameter_map phone::factory_defaults() {
  parameter_map p = {
      {"Provision_Enable", "Yes"},
      {"Resync_On_Reset", "Yes"},
      {"Resync_Random_Delay", "2"},
      {"Resync_At__HHmm_", ""},
      {"Resync_At_Random_Delay", "600"},
      {"Resync_Periodic", "3600"},
      {"Resync_Error_Retry_Delay", "3600"},
      {"Forced_Resync_Delay", "14400"},
      {"Resync_From_SIP", "Yes"},
      {"Resync_After_Upgrade_Attempt", "Yes"},
      {"Resync_Trigger_1", ""},
      {"Resync_Trigger_2", ""},
      {"Resync_Fails_On_FNF", "Yes"},
      {"Profile_Rule", "/spa$PSN.cfg"},
      {"Profile_Rule_B", ""},
      {"Profile_Rule_C", ""},
      {"Profile_Rule_D", ""},
      {"DHCP_Option_To_Use", "66,160,159,150"},
      {"Log_Resync_Request_Msg", "$PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH"},
      // The guides end this one with " -- $ERR"; SPA5xx configuration dumps do not (§6).
      {"Log_Resync_Success_Msg", "$PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH"},
      {"Log_Resync_Failure_Msg", "$PN $MAC -- Resync failed: $ERR"},
      {"Upgrade_Enable", "Yes"},
      {"Upgrade_Error_Retry_Delay", "3600"},
      {"Downgrade_Rev_Limit", ""},
      {"Upgrade_Rule", ""},
      {"Log_Upgrade_Request_Msg", "$PN $MAC -- Requesting upgrade $SCHEME://$SERVIP:$PORT$PATH"},
      {"Log_Upgrade_Success_Msg",
       "$PN $MAC -- Successful upgrade $SCHEME://$SERVIP:$PORT$PATH -- $ERR"},
      {"Log_Upgrade_Failure_Msg", "$PN $MAC -- Upgrade failed: $ERR"},
      {"Syslog_Server", ""},
      {"Debug_Server", ""},
      {"Debug_Level", "0"},
  };
  for (char c = 'A'; c <= 'P'; ++c) p.emplace(std::string("GPP_") + c, "");
  for (const char* s : {"SA", "SB", "SC", "SD"}) p.emplace(std::string("GPP_") + s, "");
  return p;
}

}  // namespace provstation::phonesim
