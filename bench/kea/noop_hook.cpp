// SPDX-License-Identifier: Apache-2.0
// A reference for bench/kea/run: the least a Kea hook that adds options can be, one pkt4_send
// callout that does nothing. Its cost is Kea's own per-packet price for calling hooks, which
// no option-adding library can go below. Built by the script, never installed.
#include <hooks/hooks.h>

extern "C" {

int version() { return KEA_HOOKS_VERSION; }
int load(isc::hooks::LibraryHandle&) { return 0; }
int unload() { return 0; }
int multi_threading_compatible() { return 1; }
int pkt4_send(isc::hooks::CalloutHandle&) { return 0; }

}  // extern "C"
