// SPDX-License-Identifier: Apache-2.0
#include <provstation/tracker.hpp>

#include <provstation/evidence.hpp>
#include <provstation/log.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace provstation {

time_ms system_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void tracker_txn::fact(const unit_record* u, std::string_view kind, const nlohmann::json& detail,
                       time_ms at, std::string_view ip) {
  db_.append_fact(u != nullptr ? u->id : 0, u != nullptr ? u->mac.str() : std::string{},
                  ip.empty() && u != nullptr ? std::string_view(u->ip) : ip, kind,
                  detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), at);
}

void tracker_txn::save(unit_record& u, time_ms at) {
  const stage before = u.current;
  const stage after = derive_stage(u);
  const bool inserted = u.id == 0;
  if (inserted) {
    u.created_at = at;
    u.current = after;
    u.stage_at = at;
  }
  if (after != before || inserted) {
    u.current = after;
    u.stage_at = at;
    if (after == stage::verified && u.verified_at == 0) u.verified_at = at;
    if (after == stage::ready && u.ready_at == 0) u.ready_at = at;
  }
  u.updated_at = at;
  if (inserted) {
    db_.insert_unit(u);
  } else {
    db_.update_unit(u);
  }
  if (after != before || inserted) {
    nlohmann::json detail{{"to", to_string(after)}};
    if (!inserted) detail["from"] = to_string(before);
    if (after == stage::failed) detail["reason"] = u.failure_reason;
    fact(&u, "stage", detail, at);
  }
  changed_units_.push_back(u);
}

void tracker_txn::lease_changed(const std::string& ip, std::optional<mac_address> mac) {
  lease_changes_.emplace_back(ip, mac);
}

tracker::tracker(std::unique_ptr<store> db, clock now, options opts)
    : db_(std::move(db)), now_(std::move(now)), opts_(opts) {}

tracker::~tracker() {
  stop();
}

void tracker::start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  reload();
  data_version_ = db_->data_version();
  started_ = true;
  thread_ = std::thread([this] { loop(); });
}

void tracker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool tracker::submit(operation op, ack done, urgency u) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= opts_.max_queue) return false;
    // The tracker thread sleeps only on an empty queue or while gathering; it needs waking for
    // the first item, for one somebody waits for, and when a group is full.
    wake = queue_.empty() || u == urgency::now || queue_.size() + 1 >= opts_.max_group;
    if (queue_.empty()) gather_until_ = steady::now() + opts_.gather;
    if (u == urgency::now) ++urgent_queued_;
    queue_.push_back(item{std::move(op), std::move(done), u == urgency::now});
  }
  if (wake) cv_.notify_one();
  return true;
}

void tracker::expedite() {
  {
    std::lock_guard lock(mu_);
    if (queue_.empty() || expedite_) return;
    expedite_ = true;
  }
  cv_.notify_one();
}

result<nlohmann::json> tracker::run(operation op) {
  std::mutex m;
  std::condition_variable cv;
  std::optional<result<nlohmann::json>> out;
  const bool queued = submit(std::move(op), [&](result<nlohmann::json> r) {
    std::lock_guard lock(m);
    out.emplace(std::move(r));
    cv.notify_one();
  });
  if (!queued) return make_error("the station is busy or stopping; try again");
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return out.has_value(); });
  return std::move(*out);
}

void tracker::subscribe(listener l) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(l));
}

std::uint64_t tracker::committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

std::uint64_t tracker::transactions() const {
  std::lock_guard lock(mu_);
  return transactions_;
}

void tracker::reload() {
  const time_ms now = now_();
  // Leases still open a day later are stale rows of a station that was down: keep them anyway,
  // Kea's lease file reconciliation closes what is no longer true.
  auto leases = db_->leases_since(now - 24LL * 3600 * 1000);
  board_.replace_all(db_->units(), std::move(leases), db_->batches(), db_->firmware());
}

void tracker::loop() {
  auto log = logger("tracker");
  auto next_tick = std::chrono::steady_clock::now() + opts_.tick;
  for (;;) {
    std::vector<item> group;
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next_tick, [&] { return stopping_ || !queue_.empty(); });
      // Only lease events queued: let more join them (one commit, one fsync for all) until
      // the first has waited `gather`, something urgent arrives or the group is full.
      if (!queue_.empty() && urgent_queued_ == 0 && opts_.gather.count() > 0) {
        cv_.wait_until(lock, gather_until_, [&] {
          return stopping_ || urgent_queued_ > 0 || expedite_ || queue_.size() >= opts_.max_group;
        });
      }
      expedite_ = false;
      while (!queue_.empty() && group.size() < opts_.max_group) {
        if (queue_.front().urgent) --urgent_queued_;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      // What is left over from a full group has waited long enough already.
      if (!queue_.empty()) gather_until_ = steady::now();
      if (group.empty() && stopping_) break;
    }
    if (!group.empty()) run_group(group);
    if (std::chrono::steady_clock::now() >= next_tick) {
      next_tick = std::chrono::steady_clock::now() + opts_.tick;
      try {
        const std::int64_t v = db_->data_version();
        if (v != data_version_) {
          data_version_ = v;
          log->debug("another process changed the store; reloading the read model");
          reload();
          std::vector<listener> ls;
          {
            std::lock_guard lock(mu_);
            ls = listeners_;
          }
          auto all = board_.units();
          for (auto& l : ls) l(all);
        }
        if (opts_.check_timeouts) check_timeouts(now_());
      } catch (const std::exception& e) {
        log->error("periodic check failed: {}", e.what());
      }
    }
  }
}

void tracker::run_group(std::vector<item>& group) {
  auto log = logger("tracker");
  const time_ms now = now_();
  tracker_txn txn(*db_, board_, now);
  std::vector<result<nlohmann::json>> results;
  results.reserve(group.size());
  bool committed = false;
  try {
    db_->begin();
    for (auto& it : group) {
      // Each operation gets a savepoint so that its refusal undoes only its own writes.
      const auto units_mark = txn.changed_units_.size();
      const auto leases_mark = txn.lease_changes_.size();
      const bool catalogue_mark = txn.catalogue_changed_;
      db_->savepoint("op");
      try {
        nlohmann::json value = it.op(txn);
        db_->release("op");
        results.emplace_back(std::move(value));
      } catch (const refusal& r) {
        db_->rollback_to("op");
        txn.changed_units_.resize(units_mark);
        txn.lease_changes_.resize(leases_mark);
        txn.catalogue_changed_ = catalogue_mark;
        results.emplace_back(make_error(r.what()));
      } catch (const std::exception& e) {
        db_->rollback_to("op");
        txn.changed_units_.resize(units_mark);
        txn.lease_changes_.resize(leases_mark);
        txn.catalogue_changed_ = catalogue_mark;
        log->error("operation failed and was rolled back: {}", e.what());
        results.emplace_back(make_error(fmt::format("internal error: {}", e.what())));
      }
    }
    db_->commit();
    committed = true;
  } catch (const std::exception& e) {
    log->error("commit of {} operations failed: {}", group.size(), e.what());
    try {
      db_->rollback();
    } catch (const std::exception& e2) {
      log->error("rollback failed: {}", e2.what());
    }
  }
  if (!committed) {
    for (auto& it : group) {
      if (it.done) it.done(make_error("the store could not commit; nothing was recorded"));
    }
    return;
  }
  // Our own commit changes data_version for nobody but other connections; remember it anyway
  // so a reload is triggered only by others.
  data_version_ = db_->data_version();
  for (const auto& u : txn.changed_units_) board_.upsert_unit(u);
  for (const auto& [ip, mac] : txn.lease_changes_) {
    if (mac) {
      board_.set_lease(ip, *mac);
    } else {
      board_.end_lease(ip);
    }
  }
  if (txn.catalogue_changed_) board_.set_catalogue(db_->batches(), db_->firmware());
  std::vector<listener> ls;
  {
    std::lock_guard lock(mu_);
    committed_ += group.size();
    ++transactions_;
    ls = listeners_;
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (group[i].done) {
      try {
        group[i].done(std::move(results[i]));
      } catch (const std::exception& e) {
        log->error("acknowledgement handler threw: {}", e.what());
      }
    }
  }
  if (!txn.changed_units_.empty()) {
    for (auto& l : ls) {
      try {
        l(txn.changed_units_);
      } catch (const std::exception& e) {
        log->error("change listener threw: {}", e.what());
      }
    }
  }
}

void tracker::check_timeouts(time_ms now) {
  std::vector<mac_address> stuck;
  const auto batches = board_.batches();
  board_.for_each_unit([&](const unit_record& u) {
    if (u.current == stage::scanned || u.current == stage::verified || u.current == stage::ready ||
        u.current == stage::shipped || u.current == stage::failed) {
      return;
    }
    std::int64_t timeout_s = 600;
    for (const auto& b : batches) {
      if (b.id == u.batch_id) timeout_s = b.stage_timeout_s;
    }
    if (timeout_s > 0 && now - u.stage_at > timeout_s * 1000) stuck.push_back(u.mac);
  });
  if (stuck.empty()) return;
  std::vector<item> group;
  for (const auto& mac : stuck) {
    group.push_back(item{[mac](tracker_txn& txn) -> nlohmann::json {
                           auto u = txn.db().unit_by_mac(mac);
                           if (!u || !u->failure_reason.empty()) return nullptr;
                           const stage s = u->current;
                           set_failure(*u, "timeout",
                                       fmt::format("timeout: no progress in {}", to_string(s)),
                                       txn.now());
                           txn.fact(&*u, "timeout", {{"stage", to_string(s)}}, txn.now());
                           txn.save(*u, txn.now());
                           return nullptr;
                         },
                         nullptr});
  }
  run_group(group);
}

}  // namespace provstation
