// The node-local c2s routing table (RFC 6120 7, RFC 6121 8.5).
#include "jabber/server/router.hpp"

namespace posta::jabber::server {

std::shared_ptr<outbox> router::bind(std::string const& bare, std::string const& resource,
                                     std::shared_ptr<outbox> box) {
  std::lock_guard lock(mutex_);
  auto& slot = accounts_[bare][resource];
  auto old = std::move(slot.box);
  slot = entry{std::move(box), false, 0, false, false, {}};
  return old;
}

void router::unbind(std::string const& bare, std::string const& resource, outbox const* box) {
  std::lock_guard lock(mutex_);
  auto account = accounts_.find(bare);
  if (account == accounts_.end()) return;
  auto it = account->second.find(resource);
  if (it == account->second.end() || it->second.box.get() != box) return;
  account->second.erase(it);
  if (account->second.empty()) accounts_.erase(account);
}

void router::set_presence(std::string const& bare, std::string const& resource, outbox const* box, bool available,
                          int priority, std::string stanza) {
  std::lock_guard lock(mutex_);
  auto* e = slot_of(bare, resource, box);
  if (!e) return;
  e->available = available;
  e->priority = priority;
  e->presence = available ? std::move(stanza) : std::string();
}

std::vector<std::shared_ptr<outbox>> router::available(std::string const& bare) const {
  std::vector<std::shared_ptr<outbox>> out;
  std::lock_guard lock(mutex_);
  for (auto const& [resource, e] : resources_of(bare))
    if (e.available) out.push_back(e.box);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<outbox>>> router::available_resources(
    std::string const& bare) const {
  std::vector<std::pair<std::string, std::shared_ptr<outbox>>> out;
  std::lock_guard lock(mutex_);
  for (auto const& [resource, e] : resources_of(bare))
    if (e.available) out.emplace_back(resource, e.box);
  return out;
}

std::vector<std::string> router::presences(std::string const& bare) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (auto const& [resource, e] : resources_of(bare))
    if (e.available) out.push_back(e.presence);
  return out;
}

void router::set_roster_requested(std::string const& bare, std::string const& resource, outbox const* box) {
  std::lock_guard lock(mutex_);
  if (auto* e = slot_of(bare, resource, box)) e->roster_requested = true;
}

std::vector<std::pair<std::string, std::shared_ptr<outbox>>> router::roster_interested(std::string const& bare) const {
  return flagged(bare, &entry::roster_requested);
}

std::vector<std::pair<std::string, std::shared_ptr<outbox>>> router::flagged(std::string const& bare,
                                                                             bool entry::*flag) const {
  std::vector<std::pair<std::string, std::shared_ptr<outbox>>> out;
  std::lock_guard lock(mutex_);
  for (auto const& [resource, e] : resources_of(bare))
    if (e.*flag) out.emplace_back(resource, e.box);
  return out;
}

bool router::replace_box(std::string const& bare, std::string const& resource, outbox const* old,
                         std::shared_ptr<outbox> box) {
  std::lock_guard lock(mutex_);
  auto* e = slot_of(bare, resource, old);
  if (!e) return false;
  e->box = std::move(box);
  return true;
}

void router::set_carbons(std::string const& bare, std::string const& resource, outbox const* box, bool enabled) {
  std::lock_guard lock(mutex_);
  if (auto* e = slot_of(bare, resource, box)) e->carbons = enabled;
}

std::vector<std::pair<std::string, std::shared_ptr<outbox>>> router::carbons_enabled(std::string const& bare) const {
  return flagged(bare, &entry::carbons);
}

std::shared_ptr<outbox> router::find(std::string const& bare, std::string const& resource) const {
  std::lock_guard lock(mutex_);
  auto account = accounts_.find(bare);
  if (account == accounts_.end()) return nullptr;
  auto it = account->second.find(resource);
  return it == account->second.end() ? nullptr : it->second.box;
}

std::vector<std::shared_ptr<outbox>> router::for_bare_jid(std::string const& bare) const {
  std::vector<std::shared_ptr<outbox>> out;
  std::lock_guard lock(mutex_);
  auto account = accounts_.find(bare);
  if (account == accounts_.end()) return out;
  for (auto const& [resource, e] : account->second)
    if (e.available && e.priority >= 0) out.push_back(e.box);
  return out;
}

bool router::has_resource(std::string const& bare, std::string const& resource) const {
  return find(bare, resource) != nullptr;
}

router::entry* router::slot_of(std::string const& bare, std::string const& resource, outbox const* box) {
  auto account = accounts_.find(bare);
  if (account == accounts_.end()) return nullptr;
  auto it = account->second.find(resource);
  return it == account->second.end() || it->second.box.get() != box ? nullptr : &it->second;
}

std::map<std::string, router::entry> const& router::resources_of(std::string const& bare) const {
  static std::map<std::string, entry> const none;
  auto account = accounts_.find(bare);
  return account == accounts_.end() ? none : account->second;
}

std::size_t router::size() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (auto const& [bare, resources] : accounts_) n += resources.size();
  return n;
}

}  // namespace posta::jabber::server
