// Cached XEP-0191 blocklists and the resources owed their pushes.
#include "jabber/server/blocklist_cache.hpp"

#include <algorithm>

namespace posta::jabber::server {

blocklist_cache::blocklist_cache(std::size_t max_accounts)
    : max_accounts_(std::max<std::size_t>(max_accounts, 1)), empty_(std::make_shared<proto::blocklist const>()) {}

blocklist_cache::list_ptr blocklist_cache::find(std::string const& account) const {
  std::lock_guard lock(mutex_);
  auto it = lists_.find(account);
  return it == lists_.end() ? nullptr : it->second;
}

std::uint64_t blocklist_cache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

blocklist_cache::list_ptr blocklist_cache::offer(std::string const& account, proto::blocklist list,
                                                 std::uint64_t read_at) {
  auto ptr = list.empty() ? empty_ : std::make_shared<proto::blocklist const>(std::move(list));
  std::lock_guard lock(mutex_);
  if (generation_ != read_at) return ptr;  // a change may be missing from this read
  if (auto it = lists_.find(account); it != lists_.end()) return it->second;
  if (lists_.size() >= max_accounts_) lists_.erase(lists_.begin());
  lists_.emplace(account, ptr);
  return ptr;
}

void blocklist_cache::apply(std::string const& account, proto::block_action action,
                            std::vector<std::string> const& jids) {
  std::lock_guard lock(mutex_);
  ++generation_;
  auto it = lists_.find(account);
  if (it == lists_.end()) return;
  // Copy on write: a session may still hold the old list while it routes.
  proto::blocklist next = *it->second;
  proto::apply_block(next, action, jids);
  it->second = next.empty() ? empty_ : std::make_shared<proto::blocklist const>(std::move(next));
}

void blocklist_cache::set_interested(std::string const& account, std::string const& resource,
                                     std::weak_ptr<outbox> box) {
  std::lock_guard lock(mutex_);
  auto& list = listeners_[account];
  std::erase_if(list, [&](listener const& l) { return l.box.expired() || l.resource == resource; });
  list.push_back({resource, std::move(box)});
  // SECURITY: entries of ended sessions are dropped whenever the map doubles.
  if (listeners_.size() > 2 * listeners_pruned_at_ + 64) prune_listeners();
}

std::vector<std::pair<std::string, std::shared_ptr<outbox>>> blocklist_cache::interested(std::string const& account) {
  std::vector<std::pair<std::string, std::shared_ptr<outbox>>> out;
  std::lock_guard lock(mutex_);
  auto it = listeners_.find(account);
  if (it == listeners_.end()) return out;
  for (auto const& l : it->second)
    if (auto box = l.box.lock()) out.emplace_back(l.resource, std::move(box));
  return out;
}

void blocklist_cache::prune_listeners() {
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    std::erase_if(it->second, [](listener const& l) { return l.box.expired(); });
    it = it->second.empty() ? listeners_.erase(it) : std::next(it);
  }
  listeners_pruned_at_ = listeners_.size();
}

std::size_t blocklist_cache::size() const {
  std::lock_guard lock(mutex_);
  return lists_.size();
}

}  // namespace posta::jabber::server
