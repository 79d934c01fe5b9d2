// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/evidence.hpp>
#include <provstation/mapped_file.hpp>
#include <provstation/profiles.hpp>
#include <provstation/tracker.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace provstation {

/// @brief The bytes of one answer: a rendered profile or a mapped firmware image.
struct payload {
  std::string text;
  std::shared_ptr<const mapped_file> file;
  std::span<const std::byte> bytes() const {
    return file ? file->bytes() : std::as_bytes(std::span(text.data(), text.size()));
  }
};

/// @brief The answer to a phone's request, whatever the transport.
struct phone_answer {
  enum class status {
    ok,              ///< Serve `body`.
    not_found,       ///< TFTP error 1 / HTTP 404.
    forbidden,       ///< TFTP error 2 / HTTP 403: a per-device file for another address.
    unknown_client,  ///< Nobody leases the address (yet): wait for the lease, then ask again.
  };
  status st = status::not_found;
  std::shared_ptr<const payload> body;
  std::string reason;              ///< For refusals: short, for the log and the client.
  std::string content_type;        ///< For HTTP.
  profile_path path;               ///< What was asked for.
  std::optional<mac_address> mac;  ///< The unit it is for.
};

/// @brief What phones may fetch and what it tells the tracker (DESIGN.md "Identity").
///
/// Answers come from memory (the board, the profile builder, mapped firmware), never from a
/// synchronous SQLite query: this runs on the I/O threads. A request is attributed to the unit
/// leasing the client's address. Per-device files go only to that address; a seed for an
/// address nobody leases is answered only after a short wait for the lease event (the caller
/// waits and asks again with `final_attempt`). Deliveries, starts, progress and refusals become
/// evidence submitted to the tracker.
class phone_files {
 public:
  phone_files(tracker& t, const profile_builder& profiles, bool quarantine_unscanned);

  /// @brief Resolves a request path from `ip` (User-Agent empty over TFTP).
  phone_answer resolve(std::string_view path, const std::string& ip, std::string_view user_agent,
                       bool final_attempt);

  /// @brief The MAC leasing `ip` now, if any.
  std::optional<mac_address> holder(const std::string& ip) const {
    return tracker_.read_model().mac_at_ip(ip);
  }

  /// @brief The answer reached the phone (confirmed: the final ACK or the HTTP write completed).
  void delivered(const phone_answer& a, const std::string& ip, std::string_view user_agent,
                 bool confirmed, std::uint64_t bytes);
  /// @brief A firmware transfer began.
  void started(const phone_answer& a, const std::string& ip, std::uint64_t total);
  /// @brief Bytes acknowledged so far of a firmware transfer (memory only).
  void progress(const phone_answer& a, std::uint64_t bytes, std::uint64_t total);
  /// @brief A transfer broke off.
  void failed(const phone_answer& a, const std::string& ip, const std::string& reason);
  /// @brief A refusal: logged at warning and kept as an alert fact.
  void refused(const phone_answer& a, const std::string& ip, std::string_view requested);

  /// @brief Refusals since start (for /metrics).
  std::uint64_t refusals() const { return refusals_; }

 private:
  void submit(evidence e);
  tracker& tracker_;
  const profile_builder& profiles_;
  bool quarantine_unscanned_;
  mapped_file_cache firmware_files_;
  std::atomic<std::uint64_t> refusals_{0};
};

}  // namespace provstation
