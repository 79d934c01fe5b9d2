// SPDX-License-Identifier: Apache-2.0
#pragma once

// Written by hand from provstation_hook_messages.mes (Debian ships no kea-msg-compiler);
// tests/unit/kea_hooks/messages_test.cpp checks that both agree.

#include <log/message_types.h>

namespace provstation::kea {

extern const isc::log::MessageID PROVSTATION_HOOK_BAD_PARAMETER;
extern const isc::log::MessageID PROVSTATION_HOOK_CALLOUT_ERROR;
extern const isc::log::MessageID PROVSTATION_HOOK_EVENTS_DROPPED;
extern const isc::log::MessageID PROVSTATION_HOOK_EVENTS_FLOWING;
extern const isc::log::MessageID PROVSTATION_HOOK_EVENT_QUEUED;
extern const isc::log::MessageID PROVSTATION_HOOK_LOADED;
extern const isc::log::MessageID PROVSTATION_HOOK_LOAD_FAILED;
extern const isc::log::MessageID PROVSTATION_HOOK_NOT_A_PHONE;
extern const isc::log::MessageID PROVSTATION_HOOK_NO_EVENT_SOCKET;
extern const isc::log::MessageID PROVSTATION_HOOK_OPTIONS_ADDED;
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_INVALID;
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_LOADED;
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_MISSING;
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_REFUSED;
extern const isc::log::MessageID PROVSTATION_HOOK_POLICY_UNREADABLE;
extern const isc::log::MessageID PROVSTATION_HOOK_UNLOADED;
extern const isc::log::MessageID PROVSTATION_HOOK_WRONG_DAEMON;

/// @brief The registered table: ID, text, ID, text, …, then a null pointer.
const char* const* message_table();

}  // namespace provstation::kea
