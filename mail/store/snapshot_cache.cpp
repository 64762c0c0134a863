// A bounded, least-recently-used map of mailbox snapshots.
#include "mail/store/snapshot_cache.hpp"

namespace posta::mail::store {

snapshot_cache::snapshot_cache(std::size_t max_messages, std::size_t min_messages)
    : max_messages_(max_messages), min_messages_(min_messages) {}

std::shared_ptr<snapshot const> snapshot_cache::find(std::int64_t mailbox_id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(mailbox_id);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.snap;
}

void snapshot_cache::put(std::shared_ptr<snapshot const> s) {
  auto const id = s->mailbox_id;
  auto const size = s->uids.size();
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(id); it != entries_.end()) remove_locked(it);
  if (size < min_messages_ || size > max_messages_) return;
  while (messages_ + size > max_messages_ && !lru_.empty()) remove_locked(entries_.find(lru_.back()));
  lru_.push_front(id);
  entries_.emplace(id, entry{std::move(s), lru_.begin()});
  messages_ += size;
}

void snapshot_cache::forget(std::int64_t mailbox_id) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(mailbox_id); it != entries_.end()) remove_locked(it);
}

void snapshot_cache::remove_locked(std::unordered_map<std::int64_t, entry>::iterator it) {
  messages_ -= it->second.snap->uids.size();
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

}  // namespace posta::mail::store
