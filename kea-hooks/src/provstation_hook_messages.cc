// SPDX-License-Identifier: Apache-2.0
// Written by hand from provstation_hook_messages.mes (see the header).

#include "provstation_hook_messages.h"

#include <log/message_initializer.h>

namespace provstation::kea {

extern const isc::log::MessageID PROVSTATION_HOOK_BAD_PARAMETER = "PROVSTATION_HOOK_BAD_PARAMETER";
extern const isc::log::MessageID PROVSTATION_HOOK_CALLOUT_ERROR = "PROVSTATION_HOOK_CALLOUT_ERROR";
extern const isc::log::MessageID PROVSTATION_HOOK_EVENTS_DROPPED =
    "PROVSTATION_HOOK_EVENTS_DROPPED";
extern const isc::log::MessageID PROVSTATION_HOOK_EVENTS_FLOWING =
    "PROVSTATION_HOOK_EVENTS_FLOWING";
extern const isc::log::MessageID PROVSTATION_HOOK_EVENT_QUEUED = "PROVSTATION_HOOK_EVENT_QUEUED";
extern const isc::log::MessageID PROVSTATION_HOOK_LOADED = "PROVSTATION_HOOK_LOADED";
extern const isc::log::MessageID PROVSTATION_HOOK_LOAD_FAILED = "PROVSTATION_HOOK_LOAD_FAILED";
extern const isc::log::MessageID PROVSTATION_HOOK_NOT_A_PHONE = "PROVSTATION_HOOK_NOT_A_PHONE";
extern const isc::log::MessageID PROVSTATION_HOOK_NO_EVENT_SOCKET =
    "PROVSTATION_HOOK_NO_EVENT_SOCKET";
extern const isc::log::MessageID PROVSTATION_HOOK_OPTIONS_ADDED = "PROVSTATION_HOOK_OPTIONS_ADDED";
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_INVALID =
    "PROVSTATION_HOOK_POLICY_INVALID";
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_LOADED = "PROVSTATION_HOOK_POLICY_LOADED";
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_MISSING =
    "PROVSTATION_HOOK_POLICY_MISSING";
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_REFUSED =
    "PROVSTATION_HOOK_POLICY_REFUSED";
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_UNREADABLE =
    "PROVSTATION_HOOK_POLICY_UNREADABLE";
extern const isc::log::MessageID PROVSTATION_HOOK_UNLOADED = "PROVSTATION_HOOK_UNLOADED";
extern const isc::log::MessageID PROVSTATION_HOOK_WRONG_DAEMON = "PROVSTATION_HOOK_WRONG_DAEMON";

namespace {

const char* values[] = {
    "PROVSTATION_HOOK_BAD_PARAMETER",
    "bad parameter of the provstation hook: %1",
    "PROVSTATION_HOOK_CALLOUT_ERROR",
    "%1 callout failed for %2: %3",
    "PROVSTATION_HOOK_EVENTS_DROPPED",
    "%1 lease events were dropped in the last %2 s (%3 because the queue was full, %4 because the "
    "station could not be reached: %5); %6 dropped since the hook was loaded",
    "PROVSTATION_HOOK_EVENTS_FLOWING",
    "the station accepts lease events again",
    "PROVSTATION_HOOK_EVENT_QUEUED",
    "%1 event seq %2 queued: %3 is at %4",
    "PROVSTATION_HOOK_LOADED",
    "provstation hook loaded (boot_id %1): option 66 \"%2\", option 150 %3, %4 vendor class "
    "patterns, %5 OUIs, event socket %6, policy file %7",
    "PROVSTATION_HOOK_LOAD_FAILED",
    "the provstation hook could not start: %1",
    "PROVSTATION_HOOK_NOT_A_PHONE",
    "%1: not recognised as a phone, no options added",
    "PROVSTATION_HOOK_NO_EVENT_SOCKET",
    "no \"event-socket\" is configured: lease events are not sent to the station",
    "PROVSTATION_HOOK_OPTIONS_ADDED",
    "%1: options %2 added (matched by %3)",
    "PROVSTATION_HOOK_POLICY_INVALID",
    "the policy file %1 is invalid (%2): applying \"policy-missing\" %3",
    "PROVSTATION_HOOK_POLICY_LOADED",
    "the policy file %1 is in force: mode %2, %3 scanned and %4 shipped MACs",
    "PROVSTATION_HOOK_POLICY_MISSING",
    "the policy file %1 does not exist: applying \"policy-missing\" %2",
    "PROVSTATION_HOOK_POLICY_REFUSED",
    "%1: the policy (mode %2) refuses %3, no options added",
    "PROVSTATION_HOOK_POLICY_UNREADABLE",
    "the policy file %1 cannot be read (%2): applying \"policy-missing\" %3",
    "PROVSTATION_HOOK_UNLOADED",
    "provstation hook unloaded: %1 lease events, %2 sent, %3 dropped",
    "PROVSTATION_HOOK_WRONG_DAEMON",
    "the provstation hook works only in kea-dhcp4, not in %1",
    nullptr,
};

const isc::log::MessageInitializer initializer(values);

}  // namespace

const char* const* message_table() {
  return values;
}

}  // namespace provstation::kea
