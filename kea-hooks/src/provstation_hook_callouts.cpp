// SPDX-License-Identifier: Apache-2.0
// The extern "C" entry points Kea calls: load, unload, multi_threading_compatible and the
// callouts. Each callout checks the status, checks for the Impl, reads its arguments and hands
// them to the Impl inside try/catch: nothing may escape into Kea.
//
// Hook points and why: pkt4_send adds the options, and reports commit/renew for each ACK to a
// REQUEST (Kea sends an ACK only for a lease it has committed). lease4_renew only marks the
// packet, so pkt4_send can tell a renewal from a new lease. lease4_release and lease4_decline
// report releases and declines (they run only for those rare packets), lease4_expire reclaimed
// leases (on Kea's main thread). leases4_committed is not used: merely registering it makes
// Kea 2.2 park and unpark every REQUEST, which measured as the largest part of a hook's cost.

#include "provstation_hook.hpp"
#include "provstation_hook_log.hpp"

#include <hooks/hooks.h>
#include <process/daemon.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace {

// Set by load() and reset by unload(); Kea calls both with the packet threads stopped.
std::unique_ptr<provstation::kea::provstation_hook> impl;

// The per-packet context item that lease4_renew leaves for pkt4_send.
const char* const renew_context = "provstation-renew";

// Logs a failed callout (rate-limited). Called from catch blocks, so it must not throw.
void log_callout_error(const char* hook, const isc::dhcp::Pkt4Ptr& query, const char* error) {
  try {
    if (provstation::kea::error_log_allowed()) {
      LOG_ERROR(provstation::kea::hook_logger, provstation::kea::PROVSTATION_HOOK_CALLOUT_ERROR)
          .arg(hook)
          .arg(query ? query->getLabel() : std::string("a lease"))
          .arg(error);
    }
  } catch (const std::exception&) {
    // The logger itself failed; there is nowhere left to report to, and Kea must go on.
    return;
  }
}

// True when lease4_renew ran for this packet. getContext() would throw for every new lease
// (nothing was set), and an exception per lease costs more than this lookup: deleteContext() of
// a name never set changes nothing but creates this library's context, after which
// getContextNames() cannot throw.
bool renewed_in_this_packet(isc::hooks::CalloutHandle& handle) {
  handle.deleteContext("provstation-probe");
  const std::vector<std::string> names = handle.getContextNames();
  return std::find(names.begin(), names.end(), renew_context) != names.end();
}

// Shared by lease4_release and lease4_decline: report the lease unless an earlier library told
// Kea not to act on it.
template <class Report>
int report_lease(isc::hooks::CalloutHandle& handle, const char* hook, Report report) {
  const isc::hooks::CalloutHandle::CalloutNextStep status = handle.getStatus();
  if (status == isc::hooks::CalloutHandle::NEXT_STEP_SKIP ||
      status == isc::hooks::CalloutHandle::NEXT_STEP_DROP) {
    return 0;
  }
  if (!impl || !impl->sends_events()) return 0;
  isc::dhcp::Pkt4Ptr query;
  try {
    isc::dhcp::Lease4Ptr lease;
    handle.getArgument("query4", query);
    handle.getArgument("lease4", lease);
    if (query && lease) report(*query, *lease);
  } catch (const std::exception& ex) {
    log_callout_error(hook, query, ex.what());
  } catch (...) {
    // Kea catches only std::exception around callouts; anything else would end it.
    log_callout_error(hook, query, "an exception of unknown type");
  }
  return 0;
}

}  // namespace

using isc::hooks::CalloutHandle;
using isc::hooks::LibraryHandle;
using provstation::kea::hook_logger;

extern "C" {

int load(LibraryHandle& handle) {
  using namespace provstation::kea;
  try {
    const std::string& daemon = isc::process::Daemon::getProcName();
    if (daemon != "kea-dhcp4") {
      LOG_ERROR(hook_logger, PROVSTATION_HOOK_WRONG_DAEMON).arg(daemon);
      return 1;
    }
    parsed_config parsed = parse_hook_config(handle.getParameters());
    if (!parsed.errors.empty()) {
      for (const std::string& e : parsed.errors) {
        LOG_ERROR(hook_logger, PROVSTATION_HOOK_BAD_PARAMETER).arg(e);
      }
      return 1;
    }
    auto hook = std::make_unique<provstation_hook>(std::move(parsed.config),
                                                   provstation_hook::system_environment());
    hook->start();
    impl = std::move(hook);
  } catch (const std::exception& ex) {
    LOG_ERROR(hook_logger, PROVSTATION_HOOK_LOAD_FAILED).arg(ex.what());
    impl.reset();
    return 1;
  }
  return 0;
}

int unload() {
  using namespace provstation::kea;
  // Kea calls unload() after a failed load() too: there may be nothing to stop.
  if (!impl) return 0;
  try {
    impl->stop();
    const event_sender::counters c = impl->event_counters();
    LOG_INFO(hook_logger, PROVSTATION_HOOK_UNLOADED).arg(c.submitted).arg(c.sent).arg(c.dropped());
  } catch (const std::exception& ex) {
    LOG_ERROR(hook_logger, PROVSTATION_HOOK_CALLOUT_ERROR)
        .arg("unload")
        .arg("the hook")
        .arg(ex.what());
  }
  impl.reset();
  return 0;
}

int multi_threading_compatible() {
  // The Impl is immutable after load() except for an atomic policy pointer and the event
  // queue behind its mutex; see provstation_hook.hpp.
  return 1;
}

int pkt4_send(CalloutHandle& handle) {
  if (!impl) return 0;
  const CalloutHandle::CalloutNextStep status = handle.getStatus();
  isc::dhcp::Pkt4Ptr query;
  isc::dhcp::Pkt4Ptr response;
  try {
    handle.getArgument("query4", query);
    handle.getArgument("response4", response);
    if (!query || !response) return 0;
    // DROP: no response goes out. SKIP: another library has packed the response already.
    if (status == CalloutHandle::NEXT_STEP_CONTINUE) impl->process(*query, *response);
    // The lease behind an ACK is committed whatever happens to the packet now.
    if (impl->sends_events() && response->getType() == isc::dhcp::DHCPACK &&
        query->getType() == isc::dhcp::DHCPREQUEST) {
      impl->on_response(*query, *response, renewed_in_this_packet(handle));
    }
  } catch (const std::exception& ex) {
    log_callout_error("pkt4_send", query, ex.what());
  } catch (...) {
    // Kea catches only std::exception around callouts; anything else would end it.
    log_callout_error("pkt4_send", query, "an exception of unknown type");
  }
  return 0;
}

int lease4_renew(CalloutHandle& handle) {
  if (!impl) return 0;
  try {
    handle.setContext(renew_context, true);
  } catch (const std::exception& ex) {
    log_callout_error("lease4_renew", nullptr, ex.what());
  } catch (...) {
    // Kea catches only std::exception around callouts; anything else would end it.
    log_callout_error("lease4_renew", nullptr, "an exception of unknown type");
  }
  return 0;
}

int lease4_release(CalloutHandle& handle) {
  return report_lease(handle, "lease4_release", [](isc::dhcp::Pkt4& q, const isc::dhcp::Lease4& l) {
    impl->on_lease_released(q, l);
  });
}

int lease4_decline(CalloutHandle& handle) {
  return report_lease(handle, "lease4_decline", [](isc::dhcp::Pkt4& q, const isc::dhcp::Lease4& l) {
    impl->on_lease_declined(q, l);
  });
}

int lease4_expire(CalloutHandle& handle) {
  if (!impl) return 0;
  isc::dhcp::Lease4Ptr lease;
  try {
    handle.getArgument("lease4", lease);
    if (lease) impl->on_lease_expired(*lease);
  } catch (const std::exception& ex) {
    log_callout_error("lease4_expire", nullptr, ex.what());
  } catch (...) {
    // Kea catches only std::exception around callouts; anything else would end it.
    log_callout_error("lease4_expire", nullptr, "an exception of unknown type");
  }
  return 0;
}

}  // extern "C"
