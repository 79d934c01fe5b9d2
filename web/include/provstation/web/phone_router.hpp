// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/phone_files.hpp>
#include <provstation/web/http_types.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>

namespace provstation::web {

/// @brief The bench side's only routes: seed profiles, per-device profiles and firmware
/// (GET/HEAD). There is no /api here, by construction.
class phone_router final : public router {
 public:
  phone_router(boost::asio::any_io_executor ex, phone_files& files,
               std::chrono::milliseconds lease_wait = std::chrono::seconds(2));
  void handle(request req, responder respond) override;

 private:
  void try_resolve(request req, responder respond, std::chrono::steady_clock::time_point deadline);
  boost::asio::any_io_executor ex_;
  phone_files& files_;
  std::chrono::milliseconds lease_wait_;
};

}  // namespace provstation::web
