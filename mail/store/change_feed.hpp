// One node's shared reads of mailbox changes for its IMAP sessions. When a
// change to a mailbox is announced (NOTIFY posta_mailbox, fanned out by
// mailbox_watcher, which calls invalidate() before it wakes anyone), the
// first session to ask reads what changed since the node's last read, once;
// the node's other sessions on that mailbox are answered from memory
// (change_log) instead of each asking PostgreSQL the same question.
#pragma once

#include "mail/store/change_log.hpp"
#include "mail/store/mailbox_store.hpp"

#include <memory>
#include <mutex>
#include <unordered_map>

namespace posta::mail::store {

class change_feed {
 public:
  // SECURITY: mailboxes and changes per mailbox kept in memory (about
  // 120 bytes a change: at most ~128 MB, typically a few changes each);
  // past them sessions read for themselves.
  explicit change_feed(mailbox_store& store, std::size_t max_mailboxes = 4096, std::size_t max_changes = 256);
  ~change_feed();
  change_feed(change_feed const&) = delete;
  change_feed& operator=(change_feed const&) = delete;

  // What mailbox_store::changes_since(box, since) would answer if asked
  // now: from memory when nothing was announced since the last read that
  // covers `since`, else from one read shared with the sessions asking at
  // the same time. Errors as changes_since's.
  asio::awaitable<result<changes>> changes_since(mailbox_ref box, std::int64_t since);

  // A change to the mailbox was committed (announced or made here): what
  // was read before it is stale. Any thread.
  void invalidate(std::int64_t mailbox_id);
  void invalidate_all();
  // No session of this node has the mailbox selected any more.
  void drop(std::int64_t mailbox_id);

 private:
  struct entry;
  struct waiter;
  struct step;

  std::shared_ptr<entry> entry_for(mailbox_ref box);
  step plan(mailbox_ref box, std::int64_t since, bool may_wait, asio::any_io_executor const& executor);
  asio::awaitable<result<changes>> read_into(std::shared_ptr<entry> e, mailbox_ref box, std::int64_t since,
                                             std::int64_t after);
  void forget(std::int64_t mailbox_id, std::shared_ptr<entry> const& e);

  mailbox_store& store_;
  std::size_t max_mailboxes_;
  std::size_t max_changes_;
  std::mutex mutex_;
  std::unordered_map<std::int64_t, std::shared_ptr<entry>> entries_;
};

}  // namespace posta::mail::store
