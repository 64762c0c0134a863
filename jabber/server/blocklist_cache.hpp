// The XEP-0191 blocklists of this node's accounts in memory, so that routing
// a stanza checks both sides' lists without a database query (section 3.4:
// from a blocked JID, 3.5: to one), and the resources that asked for their
// account's blocklist, which get its pushes (3.3). Owned by the router;
// thread-safe. A miss is loaded by the caller (store/blocklist_store.hpp)
// and offered back with the generation it read under, so a change that
// committed meanwhile is never overwritten by an older read.
#pragma once

#include "jabber/proto/blocking.hpp"
#include "jabber/server/outbox.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace posta::jabber::server {

class blocklist_cache {
 public:
  using list_ptr = std::shared_ptr<proto::blocklist const>;

  // SECURITY: at most `max_accounts` lists are kept; past it one is dropped
  // (and read again from the database when needed).
  explicit blocklist_cache(std::size_t max_accounts = 10000);

  // nullptr: not cached, load it.
  list_ptr find(std::string const& account) const;
  // Taken before reading the database for a miss.
  std::uint64_t generation() const;
  // The list read from the database under `read_at`: cached unless a change
  // was applied since; returned either way for the caller's use.
  list_ptr offer(std::string const& account, proto::blocklist list, std::uint64_t read_at);
  // A committed change; a cached list follows it, an absent one stays absent.
  void apply(std::string const& account, proto::block_action action, std::vector<std::string> const& jids);

  // XEP-0191 3.2: a resource that retrieved the blocklist gets the pushes.
  void set_interested(std::string const& account, std::string const& resource, std::weak_ptr<outbox> box);
  std::vector<std::pair<std::string, std::shared_ptr<outbox>>> interested(std::string const& account);

  std::size_t size() const;

 private:
  struct listener {
    std::string resource;
    std::weak_ptr<outbox> box;
  };
  void prune_listeners();  // with mutex_ held

  std::size_t max_accounts_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  list_ptr empty_;  // shared by every account without blocked JIDs (most of them)
  std::unordered_map<std::string, list_ptr> lists_;
  std::unordered_map<std::string, std::vector<listener>> listeners_;
  std::size_t listeners_pruned_at_ = 0;
};

}  // namespace posta::jabber::server
