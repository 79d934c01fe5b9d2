// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>
#include <provstation/store.hpp>
#include <provstation/tracker.hpp>
#include <provstation/web/http_types.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace provstation::web {

/// @brief The office side: the board page, the REST API, live events and metrics.
///
/// Reads come from the tracker's read model (units, leases, catalogue) and, for a unit's
/// history, from a separate read-only store connection; every change goes through the tracker
/// and is answered only after its commit. Scans are paired per scan session (one operator's
/// input), so two operators scanning at once never pair each other's fields.
class dashboard_router final : public router {
 public:
  /// @brief Reads the barcodes of a label photo (isolated from the station's process) and
  /// returns them as a keyboard-wedge scanner with AIM identifiers would type them.
  using image_reader = std::function<result<std::vector<std::string>>(std::string_view bytes)>;

  /// @param reads a second connection to the store, used for fact queries only.
  /// @param metrics appends extra Prometheus lines (listener counters) to the /metrics text.
  dashboard_router(boost::asio::any_io_executor ex, tracker& t, std::unique_ptr<store> reads,
                   std::function<void(std::string&)> metrics, image_reader images = nullptr);
  ~dashboard_router() override;

  void handle(request req, responder respond) override;
  /// @brief Ends every live event stream (shutdown).
  void stop();

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace provstation::web
