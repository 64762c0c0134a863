// The administrator's view of this node's c2s sessions and the resources
// per account bound (RFC 6120 7.6.2.1).
#include "jabber/server/session_table.hpp"

#include <algorithm>

namespace posta::jabber::server {

bool session_table::add(session_view view, std::weak_ptr<outbox> box, std::size_t max) {
  std::lock_guard lock(mutex_);
  if (max > 0) {
    std::size_t others = 0;
    auto const prefix = view.account + "/";
    for (auto it = by_jid_.lower_bound(prefix); it != by_jid_.end() && it->first.starts_with(prefix); ++it)
      if (it->second.view.resource != view.resource) ++others;
    if (others >= max) return false;
  }
  auto jid = view.jid;
  by_jid_[jid] = entry{std::move(view), std::move(box)};
  return true;
}

void session_table::remove(std::string const& jid, outbox const* box) {
  std::lock_guard lock(mutex_);
  auto it = by_jid_.find(jid);
  if (it == by_jid_.end()) return;
  auto const held = it->second.box.lock();
  if (held && held.get() != box) return;
  by_jid_.erase(it);
}

void session_table::set_client(std::string const& jid, outbox const* box, std::string client) {
  std::lock_guard lock(mutex_);
  auto it = by_jid_.find(jid);
  if (it == by_jid_.end() || it->second.box.lock().get() != box) return;
  it->second.view.client = std::move(client);
}

std::vector<session_view> session_table::list(std::optional<std::string> const& account) const {
  std::vector<session_view> out;
  std::lock_guard lock(mutex_);
  for (auto const& [jid, e] : by_jid_)
    if (!account || e.view.account == *account) out.push_back(e.view);
  return out;
}

std::size_t session_table::kick(std::string const& jid, proto::stream_condition c, std::string const& why) const {
  std::vector<std::shared_ptr<outbox>> boxes;
  {
    std::lock_guard lock(mutex_);
    for (auto const& [full, e] : by_jid_)
      if (full == jid || e.view.account == jid)
        if (auto box = e.box.lock()) boxes.push_back(std::move(box));
  }
  // Outside the lock: a kick posts to the session's strand.
  for (auto const& box : boxes) box->kick(c, why);
  return boxes.size();
}

std::vector<std::string> session_table::accounts() const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (auto const& [jid, e] : by_jid_)
    if (out.empty() || out.back() != e.view.account) out.push_back(e.view.account);
  return out;
}

}  // namespace posta::jabber::server
