// SPDX-License-Identifier: Apache-2.0
#include <provstation/scanner/scan_session.hpp>

#include "log.hpp"
#include "resolver.hpp"
#include "text.hpp"

#include <algorithm>

namespace provstation::scanner {

namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\r' && text[i] != '\n' && text[i] != '\t') continue;
    const std::string_view line = detail::trim(text.substr(start, i - start));
    start = i + 1;
    if (!line.empty()) out.emplace_back(line);
  }
  return out;
}

}  // namespace

std::string_view to_string(scan_status status) {
  switch (status) {
    case scan_status::partial:
      return "partial";
    case scan_status::complete:
      return "complete";
    case scan_status::repeated:
      return "repeated";
    case scan_status::rejected:
      return "rejected";
    case scan_status::conflict:
      break;
  }
  return "conflict";
}

scan_session::scan_session(scan_session_config config) : config_(config) {}

bool scan_session::timed_out(clock::time_point now) const {
  return !values_.empty() && now - last_ >= config_.timeout;
}

bool scan_session::repeats_last(std::span<const std::string> line, clock::time_point now,
                                const label_context& context) const {
  if (!last_complete_ || now - last_complete_at_ >= config_.timeout || !values_.empty()) {
    return false;
  }
  label_context ctx = context;
  if (last_complete_->model) ctx.model = last_complete_->model;
  const detail::resolution r = detail::resolve(line, ctx);
  if (!r.ok() || r.parts.empty()) return false;
  // Every field the line holds must equal the box just completed.
  const scan_fields& box = *last_complete_;
  for (const auto& p : r.parts) {
    switch (p.kind) {
      case field_kind::mac:
      case field_kind::mac_serial:
        if (!box.mac || box.mac->str() != p.value) return false;
        break;
      case field_kind::serial:
        if (!box.serial || *box.serial != p.value) return false;
        break;
      case field_kind::model:
        if (!box.model || *box.model != p.value) return false;
        break;
      case field_kind::version:
        if (!box.version || *box.version != p.value) return false;
        break;
      case field_kind::ignored:
        break;
      default:
        return false;
    }
  }
  return true;
}

scan_update scan_session::feed(std::string_view line, clock::time_point now,
                               const label_context& context) {
  scan_update up;
  if (timed_out(now)) up.expired = expire(now, context);

  if (line.size() > max_scan_text_bytes) {
    up.status = scan_status::rejected;
    up.error = "scan text is longer than " + std::to_string(max_scan_text_bytes) + " bytes";
    return up;
  }
  const std::vector<std::string> fresh = split_lines(line);
  auto current = [&] {
    if (values_.empty()) return scan_fields{};
    return detail::resolve(values_, context).fields;
  };
  if (fresh.empty()) {
    up.status = scan_status::rejected;
    up.error = "empty scan";
    up.fields = current();
    return up;
  }
  // A line that is malformed on its own is refused without touching the box.
  {
    const detail::resolution alone = detail::resolve(fresh, context);
    if (!alone.malformed.empty() || !alone.conflicts.empty()) {
      up.status = scan_status::rejected;
      up.error = alone.message();
      up.fields = current();
      return up;
    }
  }
  if (repeats_last(fresh, now, context)) {
    up.status = scan_status::repeated;
    up.fields = *last_complete_;
    return up;
  }
  std::vector<std::string> all = values_;
  all.insert(all.end(), fresh.begin(), fresh.end());
  if (all.size() > config_.max_values) {
    up.status = scan_status::conflict;
    up.error = "more than " + std::to_string(config_.max_values) +
               " values without a complete box; the box was discarded, scan it again";
    up.fields = current();
    values_.clear();
    line_sizes_.clear();
    return up;
  }
  detail::resolution r = detail::resolve(all, context);
  if (!r.malformed.empty() || !r.conflicts.empty()) {
    up.status = scan_status::conflict;
    up.error = r.message() + "; the box was discarded, scan it again";
    up.fields = std::move(r.fields);
    values_.clear();
    line_sizes_.clear();
    return up;
  }
  values_ = std::move(all);
  line_sizes_.push_back(fresh.size());
  last_ = now;
  up.pending = r.ambiguous;
  up.fields = std::move(r.fields);
  if (up.fields.complete() && up.pending.empty()) {
    up.status = scan_status::complete;
    last_complete_ = up.fields;
    last_complete_at_ = now;
    values_.clear();
    line_sizes_.clear();
  } else {
    up.status = scan_status::partial;
  }
  return up;
}

scan_update scan_session::undo(clock::time_point now, const label_context& context) {
  scan_update up;
  if (timed_out(now)) up.expired = expire(now, context);
  if (line_sizes_.empty()) {
    up.status = scan_status::rejected;
    up.error = "nothing to undo";
    return up;
  }
  const std::size_t n = std::min(line_sizes_.back(), values_.size());
  values_.resize(values_.size() - n);
  line_sizes_.pop_back();
  up.status = scan_status::partial;
  if (!values_.empty()) {
    detail::resolution r = detail::resolve(values_, context);
    up.pending = r.ambiguous;
    up.fields = std::move(r.fields);
  }
  return up;
}

std::optional<scan_fields> scan_session::expire(clock::time_point now,
                                                const label_context& context) {
  if (!timed_out(now)) return std::nullopt;
  scan_fields dropped = detail::resolve(values_, context).fields;
  detail::log()->info("scan session timed out with an incomplete box ({} values); dropped",
                      values_.size());
  values_.clear();
  line_sizes_.clear();
  return dropped;
}

void scan_session::reset() {
  values_.clear();
  line_sizes_.clear();
  last_complete_.reset();
}

scan_sessions::scan_sessions(config cfg) : config_(cfg) {}

scan_session* scan_sessions::session_for(std::string_view id) {
  if (id.size() > config_.max_id_bytes) return nullptr;
  auto it = sessions_.find(id);
  if (it != sessions_.end()) return &it->second;
  if (sessions_.size() >= config_.max_sessions) {
    // Drop the session idle the longest to stay within the limit.
    auto oldest = sessions_.begin();
    for (auto s = sessions_.begin(); s != sessions_.end(); ++s) {
      if (s->second.last_activity() < oldest->second.last_activity()) oldest = s;
    }
    detail::log()->warn("too many scan sessions ({}); dropping the one idle the longest",
                        sessions_.size());
    sessions_.erase(oldest);
  }
  return &sessions_.emplace(std::string(id), scan_session(config_.session)).first->second;
}

scan_update scan_sessions::feed(std::string_view id, std::string_view line, clock::time_point now,
                                const label_context& context) {
  scan_session* s = session_for(id);
  if (s == nullptr) {
    scan_update up;
    up.status = scan_status::rejected;
    up.error = "scan session id is too long";
    return up;
  }
  return s->feed(line, now, context);
}

scan_update scan_sessions::undo(std::string_view id, clock::time_point now,
                                const label_context& context) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    scan_update up;
    up.status = scan_status::rejected;
    up.error = "nothing to undo";
    return up;
  }
  return it->second.undo(now, context);
}

std::vector<std::pair<std::string, scan_fields>> scan_sessions::expire(
    clock::time_point now, const label_context& context) {
  std::vector<std::pair<std::string, scan_fields>> out;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (auto dropped = it->second.expire(now, context)) out.emplace_back(it->first, *dropped);
    // An idle session with no box in progress holds nothing worth keeping.
    if (it->second.values().empty() &&
        now - it->second.last_activity() >= config_.session.timeout) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void scan_sessions::reset(std::string_view id) {
  auto it = sessions_.find(id);
  if (it != sessions_.end()) sessions_.erase(it);
}

}  // namespace provstation::scanner
