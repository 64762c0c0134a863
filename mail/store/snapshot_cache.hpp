// The node's last SELECT snapshots of its large mailboxes, so that SELECT of
// a 100,000-message mailbox reads only what changed since (one statement)
// instead of every row again. An entry is never trusted on its own: the
// store always asks PostgreSQL for the changes after its HIGHESTMODSEQ, so a
// change made on another node is never missed.
#pragma once

#include "mail/store/types.hpp"

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace posta::mail::store {

class snapshot_cache {
 public:
  // SECURITY: at most `max_messages` messages in all (16 bytes each: 32 MB
  // for 2,000,000), least recently selected mailboxes dropped first;
  // mailboxes under `min_messages` are cheap to read and not kept.
  snapshot_cache(std::size_t max_messages, std::size_t min_messages);

  // The kept snapshot of the mailbox, or nullptr. Any thread.
  std::shared_ptr<snapshot const> find(std::int64_t mailbox_id);
  // Keeps `s` (replacing the mailbox's older one) when it is large enough.
  void put(std::shared_ptr<snapshot const> s);
  void forget(std::int64_t mailbox_id);
  std::size_t min_messages() const noexcept { return min_messages_; }

 private:
  struct entry {
    std::shared_ptr<snapshot const> snap;
    std::list<std::int64_t>::iterator lru;
  };
  void remove_locked(std::unordered_map<std::int64_t, entry>::iterator it);

  std::size_t const max_messages_;
  std::size_t const min_messages_;
  std::mutex mutex_;
  std::size_t messages_ = 0;
  std::list<std::int64_t> lru_;  // most recently used first
  std::unordered_map<std::int64_t, entry> entries_;
};

}  // namespace posta::mail::store
