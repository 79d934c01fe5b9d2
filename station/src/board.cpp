// SPDX-License-Identifier: Apache-2.0
#include <provstation/board.hpp>

#include <provstation/text.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace provstation {

std::optional<unit_record> board::unit(const mac_address& mac) const {
  std::shared_lock lock(mu_);
  auto it = units_.find(mac);
  if (it == units_.end()) return std::nullopt;
  return it->second;
}

std::vector<unit_record> board::units() const {
  std::shared_lock lock(mu_);
  std::vector<unit_record> out;
  out.reserve(units_.size());
  for (const auto& [mac, u] : units_) out.push_back(u);
  return out;
}

void board::for_each_unit(const std::function<void(const unit_record&)>& fn) const {
  std::shared_lock lock(mu_);
  for (const auto& [mac, u] : units_) fn(u);
}

std::optional<mac_address> board::mac_at_ip(const std::string& ip) const {
  std::shared_lock lock(mu_);
  auto it = leases_.find(ip);
  if (it == leases_.end()) return std::nullopt;
  return it->second;
}

std::vector<batch_row> board::batches() const {
  std::shared_lock lock(mu_);
  return batches_;
}

std::optional<batch_row> board::batch(std::int64_t id) const {
  std::shared_lock lock(mu_);
  for (const auto& b : batches_) {
    if (b.id == id) return b;
  }
  return std::nullopt;
}

std::int64_t board::current_batch_id() const {
  std::shared_lock lock(mu_);
  for (auto it = batches_.rbegin(); it != batches_.rend(); ++it) {
    if (it->active) return it->id;
  }
  return 0;
}

std::vector<firmware_row> board::firmware() const {
  std::shared_lock lock(mu_);
  return firmware_;
}

std::optional<firmware_row> board::firmware_by_id(std::int64_t id) const {
  std::shared_lock lock(mu_);
  for (const auto& f : firmware_) {
    if (f.id == id) return f;
  }
  return std::nullopt;
}

std::optional<firmware_row> board::firmware_by_file(std::string_view file_name) const {
  std::shared_lock lock(mu_);
  for (auto it = firmware_.rbegin(); it != firmware_.rend(); ++it) {
    if (iequals(it->file_name, file_name)) return *it;
  }
  return std::nullopt;
}

std::optional<firmware_row> board::target_firmware(std::int64_t batch_id,
                                                   std::string_view model) const {
  std::shared_lock lock(mu_);
  const batch_row* chosen = nullptr;
  for (const auto& b : batches_) {
    if (batch_id != 0 ? b.id == batch_id : b.active) chosen = &b;
  }
  if (chosen == nullptr) return std::nullopt;
  for (const auto& [m, firmware_id] : chosen->targets) {
    if (!same_model(m, model)) continue;
    for (const auto& f : firmware_) {
      if (f.id == firmware_id) return f;
    }
  }
  return std::nullopt;
}

void board::set_progress(const mac_address& mac, transfer_progress p) {
  std::unique_lock lock(mu_);
  progress_[mac] = p;
  ++version_;
}

void board::clear_progress(const mac_address& mac) {
  std::unique_lock lock(mu_);
  progress_.erase(mac);
  ++version_;
}

std::optional<transfer_progress> board::progress(const mac_address& mac) const {
  std::shared_lock lock(mu_);
  auto it = progress_.find(mac);
  if (it == progress_.end()) return std::nullopt;
  return it->second;
}

std::uint64_t board::version() const {
  std::shared_lock lock(mu_);
  return version_;
}

void board::replace_all(std::vector<unit_record> units, std::vector<lease_row> open_leases,
                        std::vector<batch_row> batches, std::vector<firmware_row> firmware) {
  std::unique_lock lock(mu_);
  units_.clear();
  for (auto& u : units) units_[u.mac] = std::move(u);
  leases_.clear();
  lease_of_.clear();
  for (const auto& l : open_leases) {
    if (l.to == 0) set_lease_locked(l.ip, l.mac);
  }
  batches_ = std::move(batches);
  firmware_ = std::move(firmware);
  ++version_;
}

void board::upsert_unit(const unit_record& u) {
  std::unique_lock lock(mu_);
  units_[u.mac] = u;
  ++version_;
}

void board::set_lease(const std::string& ip, const mac_address& mac) {
  std::unique_lock lock(mu_);
  set_lease_locked(ip, mac);
  ++version_;
}

// One MAC holds one address and one address one MAC: a new binding ends whatever either side
// held before. Logarithmic, whatever the number of leases on the bench.
void board::set_lease_locked(const std::string& ip, const mac_address& mac) {
  if (auto old = lease_of_.find(mac); old != lease_of_.end() && old->second != ip) {
    leases_.erase(old->second);
  }
  if (auto held = leases_.find(ip); held != leases_.end() && held->second != mac) {
    lease_of_.erase(held->second);
  }
  leases_[ip] = mac;
  lease_of_[mac] = ip;
}

void board::end_lease(const std::string& ip) {
  std::unique_lock lock(mu_);
  if (auto it = leases_.find(ip); it != leases_.end()) {
    lease_of_.erase(it->second);
    leases_.erase(it);
  }
  ++version_;
}

void board::set_catalogue(std::vector<batch_row> batches, std::vector<firmware_row> firmware) {
  std::unique_lock lock(mu_);
  batches_ = std::move(batches);
  firmware_ = std::move(firmware);
  ++version_;
}

}  // namespace provstation
