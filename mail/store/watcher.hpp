// "Mailbox N changed" for sessions (IMAP IDLE and the points where RFC 3501
// lets a session report changes; POP3 needs none): one subscription to the
// NOTIFY posta_mailbox channel of core/db's notifier (one LISTEN
// connection, reconnecting), fanned out to the sessions watching that
// mailbox. Payload: the mailbox id (delivery and every store change).
#pragma once

#include "core/db/notifier.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace posta::mail::store {

class change_feed;  // mail/store/change_feed.hpp

inline constexpr char const* mailbox_channel = "posta_mailbox";

class mailbox_watcher {
  struct waiter;

 public:
  // SECURITY: watches in the whole process; past it watch() fails with
  // store_errc::limit (sessions per account are bounded by IMAP itself).
  explicit mailbox_watcher(db::notifier& notifier, std::size_t max_watches = 100000);
  ~mailbox_watcher();
  mailbox_watcher(mailbox_watcher const&) = delete;
  mailbox_watcher& operator=(mailbox_watcher const&) = delete;

  // One session's interest in one mailbox; unregisters when destroyed.
  // Used on the session's strand (`executor`) only.
  class watch {
   public:
    watch() = default;
    watch(watch&&) noexcept = default;
    watch& operator=(watch&&) noexcept;
    ~watch();
    // True (and cleared) when a change arrived since the last check.
    bool take_change() noexcept;
    // Waits until the mailbox changes (true) or `max` passes (false); also
    // false when the wait is cancelled. A change that arrived before the
    // call returns at once.
    asio::awaitable<bool> wait(std::chrono::steady_clock::duration max);
    // Ends a wait() in progress now (it returns whether a change came); on
    // the watch's executor. IDLE's DONE uses it, so nothing polls.
    void cancel_wait() noexcept;

   private:
    friend class mailbox_watcher;
    watch(mailbox_watcher* owner, std::shared_ptr<waiter> w) : owner_(owner), waiter_(std::move(w)) {}
    void release() noexcept;
    mailbox_watcher* owner_ = nullptr;
    std::shared_ptr<waiter> waiter_;
  };

  result<watch> watch_mailbox(std::int64_t mailbox_id, asio::any_io_executor executor);

  // The node's shared change reads, made stale by every change before the
  // sessions are woken (so none of them is answered from before it). Set
  // once, before sessions start; nullptr: sessions read for themselves.
  void share_reads_through(change_feed* feed) noexcept { feed_ = feed; }
  change_feed* feed() const noexcept { return feed_; }

  // Wakes the watchers of `mailbox_id` (what a notification does; exposed so
  // a node can wake its own sessions without the database round trip).
  void changed(std::int64_t mailbox_id);
  // Wakes every watcher: after a reconnection, when notifications were lost.
  void changed_all();
  std::size_t watches() const;

 private:
  void remove(std::shared_ptr<waiter> const& w) noexcept;
  static void wake(std::shared_ptr<waiter> const& w);

  std::size_t max_watches_;
  change_feed* feed_ = nullptr;
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, std::vector<std::shared_ptr<waiter>>> by_mailbox_;
  std::size_t count_ = 0;
  std::shared_ptr<bool> alive_;  // the notifier's handlers outlive us; they check this
};

}  // namespace posta::mail::store
