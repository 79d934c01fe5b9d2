// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/board.hpp>
#include <provstation/result.hpp>
#include <provstation/store.hpp>
#include <provstation/unit.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace provstation {

/// @brief Thrown by an operation to refuse it (a duplicate scan, an unknown batch). The
/// operation's changes are rolled back and its caller gets the message; other operations in the
/// same group are unaffected.
class refusal : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// @brief The view an operation has of the store while it runs inside the tracker's
/// transaction. Changes to the read model are collected and published only after commit.
class tracker_txn {
 public:
  tracker_txn(store& db, const board& read_model, time_ms now)
      : db_(db), board_(read_model), now_(now) {}

  store& db() { return db_; }
  const board& read_model() const { return board_; }
  time_ms now() const { return now_; }

  /// @brief Appends a fact (unit may be null for facts about no known unit).
  void fact(const unit_record* u, std::string_view kind, const nlohmann::json& detail, time_ms at,
            std::string_view ip = {});

  /// @brief Derives the unit's stage from its evidence, records a "stage" fact when it changed,
  /// and writes the unit (insert when u.id == 0).
  void save(unit_record& u, time_ms at);

  /// @brief Records that `ip` is now leased to `mac` (or no longer leased when nullopt).
  void lease_changed(const std::string& ip, std::optional<mac_address> mac);
  /// @brief Records that batches or firmware changed.
  void catalogue_changed() { catalogue_changed_ = true; }

 private:
  friend class tracker;
  store& db_;
  const board& board_;
  time_ms now_;
  std::vector<unit_record> changed_units_;
  std::vector<std::pair<std::string, std::optional<mac_address>>> lease_changes_;
  bool catalogue_changed_ = false;
};

/// @brief The only code that changes unit state (DESIGN.md "The tracker").
///
/// Operations (functions over a tracker_txn) are queued from any thread and run on the
/// tracker's own thread. Each runs inside its own savepoint, so a refused or failing operation
/// is undone alone. Whatever is queued while one commit is under way forms the next group: one
/// transaction, one fsync (synchronous=FULL), then every operation of the group is acknowledged
/// — never before its commit. After each commit the read model (board) is updated and
/// subscribers are told which units changed. The tracker also fails units stuck in a stage
/// longer than their batch's timeout, and reloads the read model when another process (the CLI)
/// committed to the same store.
class tracker {
 public:
  using operation = std::function<nlohmann::json(tracker_txn&)>;
  using ack = std::function<void(result<nlohmann::json>)>;
  using clock = std::function<time_ms()>;
  using listener = std::function<void(const std::vector<unit_record>&)>;

  struct options {
    std::size_t max_queue = 20000;         ///< submit() refuses beyond this.
    std::size_t max_group = 512;           ///< Operations per transaction at most.
    std::chrono::milliseconds tick{1000};  ///< Timeout and external-change checks.
    /// How long an operation nobody waits for (a lease event) may wait for others to share
    /// its commit. Anything else queued commits at once and takes the waiting ones along.
    std::chrono::milliseconds gather{50};
    bool check_timeouts = true;
  };

  /// @brief Whether someone waits for the acknowledgement (a scan at the bench) or not (a
  /// lease event, whose sender never waits).
  enum class urgency { now, can_wait };

  tracker(std::unique_ptr<store> db, clock now, options opts);
  ~tracker();
  tracker(const tracker&) = delete;
  tracker& operator=(const tracker&) = delete;

  /// @brief Loads the read model and starts the thread.
  void start();
  /// @brief Runs what is queued, then stops the thread. Idempotent.
  void stop();

  /// @brief Queues an operation; `done` is called on the tracker thread after the commit (or
  /// the refusal). Returns false, without calling `done`, when the queue is full.
  bool submit(operation op, ack done, urgency u = urgency::now);
  /// @brief Commits what is queued without waiting for more (someone waits for a lease event).
  void expedite();
  /// @brief Queues an operation and waits for its acknowledgement.
  result<nlohmann::json> run(operation op);

  /// @brief The read model.
  const board& read_model() const { return board_; }
  board& read_model() { return board_; }

  /// @brief Called on the tracker thread after each commit with the units that changed.
  void subscribe(listener l);

  /// @brief Operations committed since start.
  std::uint64_t committed() const;
  /// @brief Transactions (fsyncs) since start.
  std::uint64_t transactions() const;

 private:
  struct item {
    operation op;
    ack done;
    bool urgent = true;
  };
  using steady = std::chrono::steady_clock;

  void loop();
  void run_group(std::vector<item>& group);
  void check_timeouts(time_ms now);
  void reload();

  std::unique_ptr<store> db_;
  clock now_;
  options opts_;
  board board_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<item> queue_;
  std::size_t urgent_queued_ = 0;   // items in queue_ someone waits for
  bool expedite_ = false;           // commit what is queued now
  steady::time_point gather_until_; // when the oldest waiting item must be committed
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
  std::vector<listener> listeners_;
  std::int64_t data_version_ = 0;
  std::uint64_t committed_ = 0;
  std::uint64_t transactions_ = 0;
};

/// @brief Milliseconds since the Unix epoch from the system clock.
time_ms system_now();

}  // namespace provstation
