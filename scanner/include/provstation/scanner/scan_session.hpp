// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/scanner/field.hpp>
#include <provstation/scanner/scan_text.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace provstation::scanner {

/// @brief Limits of one pairing session.
struct scan_session_config {
  /// @brief A partial box older than this (since its last accepted line) is dropped.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// @brief Most values one box may take before it is discarded.
  std::size_t max_values = 16;
};

/// @brief What a line did to the session.
enum class scan_status {
  partial,   ///< Accepted; the box is not complete yet.
  complete,  ///< Accepted and the box is complete (`fields`); the session starts afresh.
  repeated,  ///< Only repeats the box completed just before; ignored.
  rejected,  ///< Not accepted (malformed); earlier lines of the box are kept.
  conflict,  ///< Contradicts earlier lines (a second MAC …); the whole box was discarded.
};

/// @brief The name of a status as used in JSON ("partial" …).
std::string_view to_string(scan_status status);

/// @brief The answer to one line.
struct scan_update {
  scan_status status = scan_status::partial;
  /// @brief The box so far (partial), the completed box (complete), the box that was discarded
  /// (conflict), or the box as it stays (rejected, repeated).
  scan_fields fields;
  /// @brief For rejected/conflict: why, written for the operator.
  std::string error;
  /// @brief Values read but not decided yet (could be the MAC or the serial): the next line
  /// may decide them.
  std::vector<std::string> pending;
  /// @brief A partial box dropped by the timeout before this line was taken.
  std::optional<scan_fields> expired;
};

/// @brief One operator's scanning, paired into boxes.
///
/// How it works: the session keeps the raw values of the current box and re-reads all of them
/// together (parse_scan_values()) after every line, so a value that is ambiguous alone (a
/// 12-hex Linksys serial or MAC) is decided by the values that follow. A box is complete when
/// MAC, serial and model (from the label or `label_context::model`, the batch default) are
/// known and nothing is left undecided; the session then starts the next box. A line that
/// contradicts the box discards the box (the operator rescans it); a malformed line is refused
/// alone. Time is passed in (`now`), so the session is a pure state machine.
class scan_session {
 public:
  using clock = std::chrono::steady_clock;

  explicit scan_session(scan_session_config config = {});

  /// @brief Takes one line (or several separated by CR/LF/TAB) typed at time `now`.
  scan_update feed(std::string_view line, clock::time_point now, const label_context& context = {});

  /// @brief Removes the last accepted line of the current box ("undo last scan").
  /// @return the box as it is afterwards; status rejected when there was nothing to undo.
  scan_update undo(clock::time_point now, const label_context& context = {});

  /// @brief Drops the current box when it timed out.
  /// @return the dropped partial box, if any.
  std::optional<scan_fields> expire(clock::time_point now, const label_context& context = {});

  /// @brief Forgets the current box and the last completed one.
  void reset();

  /// @brief The raw values of the current box.
  std::span<const std::string> values() const { return values_; }
  /// @brief Time of the last accepted line (meaningless when values() is empty).
  clock::time_point last_activity() const { return last_; }

 private:
  bool timed_out(clock::time_point now) const;
  bool repeats_last(std::span<const std::string> line, clock::time_point now,
                    const label_context& context) const;

  scan_session_config config_;
  std::vector<std::string> values_;
  std::vector<std::size_t> line_sizes_;  // values per accepted line, for undo
  clock::time_point last_{};
  std::optional<scan_fields> last_complete_;
  clock::time_point last_complete_at_{};
};

/// @brief The pairing sessions of all operators, keyed by session id, so that two operators
/// scanning at once never pair each other's fields.
class scan_sessions {
 public:
  using clock = scan_session::clock;

  /// @brief Limits of the table.
  struct config {
    scan_session_config session;
    /// @brief Most concurrent sessions; the least recently used one is dropped beyond it.
    std::size_t max_sessions = 64;
    /// @brief Longest session id accepted.
    std::size_t max_id_bytes = 128;
  };

  explicit scan_sessions(config cfg);
  scan_sessions() : scan_sessions(config{}) {}

  /// @brief scan_session::feed() on the session `id` (created on first use).
  scan_update feed(std::string_view id, std::string_view line, clock::time_point now,
                   const label_context& context = {});
  /// @brief scan_session::undo() on the session `id`.
  scan_update undo(std::string_view id, clock::time_point now, const label_context& context = {});
  /// @brief Drops every timed-out partial box.
  /// @return (session id, dropped box) for each.
  std::vector<std::pair<std::string, scan_fields>> expire(clock::time_point now,
                                                          const label_context& context = {});
  /// @brief Forgets session `id`.
  void reset(std::string_view id);
  /// @brief Number of sessions held.
  std::size_t size() const { return sessions_.size(); }

 private:
  scan_session* session_for(std::string_view id);

  config config_;
  std::map<std::string, scan_session, std::less<>> sessions_;
};

}  // namespace provstation::scanner
