// SPDX-License-Identifier: Apache-2.0
/// @file Loads the built libprovstation_kea.so the way Kea does (dlopen, then Kea's
/// HooksManager with parameters) and drives its callouts with real packets and leases.
#include <provstation/test/temp_dir.hpp>

#include <asiolink/io_address.h>
#include <cc/data.h>
#include <dhcp/dhcp4.h>
#include <dhcp/option_string.h>
#include <dhcp/pkt4.h>
#include <dhcpsrv/lease.h>
#include <hooks/callout_handle.h>
#include <hooks/hooks.h>
#include <hooks/hooks_manager.h>
#include <hooks/server_hooks.h>
#include <log/logger_support.h>
#include <process/daemon.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include <dlfcn.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using isc::data::Element;
using isc::dhcp::HWAddr;
using isc::dhcp::HWAddrPtr;
using isc::dhcp::Lease4;
using isc::dhcp::Lease4Ptr;
using isc::dhcp::Option;
using isc::dhcp::OptionPtr;
using isc::dhcp::Pkt4;
using isc::dhcp::Pkt4Ptr;
using isc::hooks::CalloutHandlePtr;
using isc::hooks::HookLibsCollection;
using isc::hooks::HooksManager;

class kea_environment : public ::testing::Environment {
 public:
  void SetUp() override {
    ::setenv("KEA_LOCKFILE_DIR", "none", 1);
    isc::log::initLogger("provstation-libload-test", isc::log::DEBUG, 99);
    // The hook points Kea's DHCPv4 server registers before it loads libraries.
    for (const char* hook :
         {"pkt4_send", "lease4_renew", "lease4_release", "lease4_decline", "lease4_expire"}) {
      HooksManager::registerHook(hook);
    }
  }
};
const auto* const env = ::testing::AddGlobalTestEnvironment(new kea_environment);

class datagram_listener {
 public:
  explicit datagram_listener(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  }
  ~datagram_listener() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  std::optional<std::string> receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n < 0 ? std::nullopt : std::optional(std::string(buf, static_cast<std::size_t>(n)));
  }

 private:
  std::string path_;
  int fd_ = -1;
};

bool load_with(const std::string& parameters_json) {
  HookLibsCollection libs;
  libs.emplace_back(PROVSTATION_HOOK_SO, Element::fromJSON(parameters_json));
  return HooksManager::loadLibraries(libs);
}

Pkt4Ptr make_query(std::uint8_t type, const std::string& vendor_class) {
  Pkt4Ptr q(new Pkt4(type, 0x4242));
  q->setHWAddr(HWAddrPtr(new HWAddr({0x00, 0x23, 0xab, 0x00, 0x00, 0x01}, isc::dhcp::HTYPE_ETHER)));
  if (!vendor_class.empty()) {
    q->addOption(OptionPtr(new isc::dhcp::OptionString(
        Option::V4, isc::dhcp::DHO_VENDOR_CLASS_IDENTIFIER, vendor_class)));
  }
  return q;
}

int skip_callout(isc::hooks::CalloutHandle& handle) {
  handle.setStatus(isc::hooks::CalloutHandle::NEXT_STEP_SKIP);
  return 0;
}

int drop_callout(isc::hooks::CalloutHandle& handle) {
  handle.setStatus(isc::hooks::CalloutHandle::NEXT_STEP_DROP);
  return 0;
}

class KeaHookLibload : public ::testing::Test {
 protected:
  void SetUp() override { isc::process::Daemon::setProcName("kea-dhcp4"); }
  void TearDown() override { HooksManager::unloadLibraries(); }
  provstation::test::temp_dir dir_;
};

// Verify version() and multi_threading_compatible() through plain dlopen(), and that unload()
// copes with being called twice without a load().
TEST_F(KeaHookLibload, EntryPointsByDlopen) {
  void* so = ::dlopen(PROVSTATION_HOOK_SO, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(so, nullptr) << ::dlerror();
  using int_fn = int (*)();
  auto version = reinterpret_cast<int_fn>(::dlsym(so, "version"));
  auto mt = reinterpret_cast<int_fn>(::dlsym(so, "multi_threading_compatible"));
  auto unload = reinterpret_cast<int_fn>(::dlsym(so, "unload"));
  ASSERT_NE(version, nullptr);
  ASSERT_NE(mt, nullptr);
  ASSERT_NE(unload, nullptr);
  EXPECT_NE(::dlsym(so, "load"), nullptr);
  for (const char* callout :
       {"pkt4_send", "lease4_renew", "lease4_release", "lease4_decline", "lease4_expire"}) {
    EXPECT_NE(::dlsym(so, callout), nullptr) << callout;
  }
  // Registering it would cost Kea a park and unpark per REQUEST.
  EXPECT_EQ(::dlsym(so, "leases4_committed"), nullptr);
  EXPECT_EQ(version(), KEA_HOOKS_VERSION);
  EXPECT_EQ(mt(), 1);
  EXPECT_EQ(unload(), 0);
  EXPECT_EQ(unload(), 0);
  ::dlclose(so);
}

// Verify that good parameters load, and that unloading twice is harmless.
TEST_F(KeaHookLibload, LoadsAndUnloadsTwice) {
  EXPECT_TRUE(load_with(R"({"station-address": "192.0.2.1"})"));
  EXPECT_EQ(HooksManager::getLibraryNames().size(), 1u);
  EXPECT_TRUE(HooksManager::unloadLibraries());
  EXPECT_TRUE(HooksManager::unloadLibraries());
  EXPECT_TRUE(load_with(R"({"station-address": "192.0.2.1"})"));
}

// Verify that bad parameters make load() fail.
TEST_F(KeaHookLibload, BadParametersFail) {
  EXPECT_FALSE(load_with(R"({"station-address": "not a name"})"));
  EXPECT_FALSE(load_with(R"({})"));
  EXPECT_FALSE(load_with(R"({"station-address": "192.0.2.1", "policy-missing": "maybe"})"));
  EXPECT_FALSE(load_with(R"({"station-address": "192.0.2.1", "unknown": 1})"));
}

// Verify that the library refuses to load in another daemon.
TEST_F(KeaHookLibload, RefusesOtherDaemon) {
  isc::process::Daemon::setProcName("kea-dhcp6");
  EXPECT_FALSE(load_with(R"({"station-address": "192.0.2.1"})"));
}

// Verify that pkt4_send through Kea's callout manager adds the options.
TEST_F(KeaHookLibload, Pkt4SendAddsOptions) {
  ASSERT_TRUE(
      load_with(R"({"station-address": "192.0.2.1", "provisioning-url": "http://x.test/"})"));
  const int index = HooksManager::registerHook("pkt4_send");
  ASSERT_TRUE(HooksManager::calloutsPresent(index));
  CalloutHandlePtr handle = HooksManager::createCalloutHandle();
  Pkt4Ptr query = make_query(isc::dhcp::DHCPDISCOVER, "Cisco SPA525G2");
  Pkt4Ptr response(new Pkt4(isc::dhcp::DHCPOFFER, 0x4242));
  handle->setArgument("query4", query);
  handle->setArgument("response4", response);
  HooksManager::callCallouts(index, *handle);
  ASSERT_TRUE(response->getOption(66));
  EXPECT_EQ(response->getOption(66)->toBinary(false),
            (std::vector<std::uint8_t>{'1', '9', '2', '.', '0', '.', '2', '.', '1'}));
  EXPECT_TRUE(response->getOption(150));
  EXPECT_TRUE(response->getOption(160));

  // A response an earlier callout dropped is left alone (callCallouts() resets the status, so
  // the drop comes from a pre-callout, as from a library listed before ours).
  HooksManager::preCalloutsLibraryHandle().registerCallout("pkt4_send", drop_callout);
  Pkt4Ptr dropped(new Pkt4(isc::dhcp::DHCPOFFER, 0x4243));
  handle->setArgument("response4", dropped);
  HooksManager::callCallouts(index, *handle);
  HooksManager::preCalloutsLibraryHandle().deregisterAllCallouts("pkt4_send");
  EXPECT_FALSE(dropped->getOption(66));
}

// Verify that a callout given a wrong argument type logs and returns, never throwing into Kea.
TEST_F(KeaHookLibload, WrongArgumentsDoNotThrow) {
  ASSERT_TRUE(load_with(R"({"station-address": "192.0.2.1"})"));
  const int index = HooksManager::registerHook("pkt4_send");
  CalloutHandlePtr handle = HooksManager::createCalloutHandle();
  handle->setArgument("query4", std::string("not a packet"));
  handle->setArgument("response4", 42);
  EXPECT_NO_THROW(HooksManager::callCallouts(index, *handle));
  EXPECT_EQ(handle->getStatus(), isc::hooks::CalloutHandle::NEXT_STEP_CONTINUE);
}

Pkt4Ptr make_ack(const std::string& address) {
  Pkt4Ptr r(new Pkt4(isc::dhcp::DHCPACK, 0x4242));
  r->setYiaddr(isc::asiolink::IOAddress(address));
  r->addOption(OptionPtr(new Option(Option::V4, isc::dhcp::DHO_DHCP_LEASE_TIME,
                                    std::vector<std::uint8_t>{0, 0, 2, 0x58})));
  return r;
}

// Verify the events of every lease callout on the station's socket: commit and renew from
// pkt4_send (renew after lease4_renew on the same packet), expire, release, decline, and that
// a reload starts a new boot_id.
TEST_F(KeaHookLibload, LeaseCalloutsSendEvents) {
  datagram_listener station(dir_.file("ev.sock"));
  const std::string params =
      R"({"station-address": "192.0.2.1", "event-socket": ")" + dir_.file("ev.sock") + "\"}";
  ASSERT_TRUE(load_with(params));
  const int send = HooksManager::registerHook("pkt4_send");
  const int renew = HooksManager::registerHook("lease4_renew");
  const int expire = HooksManager::registerHook("lease4_expire");
  const int release = HooksManager::registerHook("lease4_release");
  const int decline = HooksManager::registerHook("lease4_decline");
  Lease4Ptr lease(new Lease4(
      isc::asiolink::IOAddress("192.0.2.100"),
      HWAddrPtr(new HWAddr({0x00, 0x23, 0xab, 0x00, 0x00, 0x01}, isc::dhcp::HTYPE_ETHER)), nullptr,
      0, 600, 1764230000, 1));
  auto expect_event = [&](const std::string& fragment) {
    const auto d = station.receive(2s);
    ASSERT_TRUE(d) << "no event with " << fragment;
    EXPECT_NE(d->find(fragment), std::string::npos) << *d;
  };
  std::vector<CalloutHandlePtr> handles;

  // A new lease: the ACK to a REQUEST.
  handles.push_back(HooksManager::createCalloutHandle());
  handles.back()->setArgument("query4", make_query(isc::dhcp::DHCPREQUEST, "Cisco SPA525G2"));
  handles.back()->setArgument("response4", make_ack("192.0.2.100"));
  HooksManager::callCallouts(send, *handles.back());
  expect_event(R"("seq":1,"type":"commit","mac":"0023ab000001","ip":"192.0.2.100")");

  // An OFFER, a NAK and an ACK to an INFORM are no leases.
  for (const auto& [qtype, rtype] : {std::pair{isc::dhcp::DHCPDISCOVER, isc::dhcp::DHCPOFFER},
                                     std::pair{isc::dhcp::DHCPREQUEST, isc::dhcp::DHCPNAK},
                                     std::pair{isc::dhcp::DHCPINFORM, isc::dhcp::DHCPACK}}) {
    handles.push_back(HooksManager::createCalloutHandle());
    handles.back()->setArgument("query4", make_query(qtype, "Cisco SPA525G2"));
    Pkt4Ptr r(new Pkt4(rtype, 0x4242));
    handles.back()->setArgument("response4", r);
    HooksManager::callCallouts(send, *handles.back());
  }

  // A renewal: lease4_renew ran first for the same packet (the same handle).
  handles.push_back(HooksManager::createCalloutHandle());
  handles.back()->setArgument("lease4", lease);
  HooksManager::callCallouts(renew, *handles.back());
  handles.back()->deleteAllArguments();
  handles.back()->setArgument("query4", make_query(isc::dhcp::DHCPREQUEST, "Cisco SPA525G2"));
  handles.back()->setArgument("response4", make_ack("192.0.2.100"));
  HooksManager::callCallouts(send, *handles.back());
  expect_event(R"("seq":2,"type":"renew")");

  // Reclamation.
  handles.push_back(HooksManager::createCalloutHandle());
  handles.back()->setArgument("lease4", lease);
  handles.back()->setArgument("remove_lease", true);
  HooksManager::callCallouts(expire, *handles.back());
  expect_event(R"("seq":3,"type":"expire")");

  // RELEASE and DECLINE.
  handles.push_back(HooksManager::createCalloutHandle());
  handles.back()->setArgument("query4", make_query(isc::dhcp::DHCPRELEASE, ""));
  handles.back()->setArgument("lease4", lease);
  HooksManager::callCallouts(release, *handles.back());
  expect_event(R"("seq":4,"type":"release","mac":"0023ab000001","ip":"192.0.2.100")");
  handles.push_back(HooksManager::createCalloutHandle());
  handles.back()->setArgument("query4", make_query(isc::dhcp::DHCPDECLINE, ""));
  handles.back()->setArgument("lease4", lease);
  HooksManager::callCallouts(decline, *handles.back());
  expect_event(R"("seq":5,"type":"decline")");
  EXPECT_FALSE(station.receive(200ms)) << "an event for a non-lease response";

  // A release another library told Kea to skip is not reported.
  HooksManager::preCalloutsLibraryHandle().registerCallout("lease4_release", skip_callout);
  handles.push_back(HooksManager::createCalloutHandle());
  handles.back()->setArgument("query4", make_query(isc::dhcp::DHCPRELEASE, ""));
  handles.back()->setArgument("lease4", lease);
  HooksManager::callCallouts(release, *handles.back());
  HooksManager::preCalloutsLibraryHandle().deregisterAllCallouts("lease4_release");
  EXPECT_FALSE(station.receive(200ms));

  // A reload is a new boot: new boot_id, seq from 1.
  handles.clear();  // Kea refuses to unload while handles that may refer to it are alive.
  ASSERT_TRUE(HooksManager::unloadLibraries());
  ASSERT_TRUE(load_with(params));
  handles.push_back(HooksManager::createCalloutHandle());
  handles.back()->setArgument("lease4", lease);
  handles.back()->setArgument("remove_lease", true);
  HooksManager::callCallouts(HooksManager::registerHook("lease4_expire"), *handles.back());
  expect_event(R"("seq":1,"type":"expire")");
  handles.clear();
}

}  // namespace
