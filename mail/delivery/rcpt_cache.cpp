#include "mail/delivery/rcpt_cache.hpp"

namespace posta::mail::delivery {

void rcpt_cache::set_ttl(std::chrono::seconds ttl) {
  std::lock_guard lock(mutex_);
  ttl_ = ttl;
  if (ttl_.count() <= 0) entries_.clear();
}

std::optional<rcpt_check> rcpt_cache::find(std::string const& key, clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.check;
}

void rcpt_cache::remember(std::string key, rcpt_check const& check, clock::time_point now) {
  // An account with a quota is answered from its current usage (452 4.2.2
  // once full), which changes with every delivery and expunge and sends no
  // notification: never from the cache.
  if (check.status == rcpt_status::over_quota || check.quota > 0) return;
  std::lock_guard lock(mutex_);
  if (ttl_.count() <= 0) return;
  if (entries_.size() >= max_entries) {
    std::erase_if(entries_, [now](auto const& kv) { return kv.second.expires <= now; });
    if (entries_.size() >= max_entries) entries_.clear();
  }
  entries_.insert_or_assign(std::move(key), entry{check, now + ttl_});
}

void rcpt_cache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace posta::mail::delivery
