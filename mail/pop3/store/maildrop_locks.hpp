// The POP3 maildrop lock (RFC 1939 4 "exclusive-access lock on the
// maildrop", RFC 2449 8.1.1 [IN-USE]) across every node that shares the
// database: a lease row per locked account (schema/012_pop3_maildrop_locks.sql).
//
// Why a lease row and not pg_advisory_lock: a session-level advisory lock
// lives as long as the database session that took it, so each POP3 session
// in TRANSACTION state would pin one pooled connection for its whole life
// (minutes, mostly idle): 16 idle fetchmail sessions would exhaust the pool
// for everyone, and a dedicated connection each costs a PostgreSQL backend
// per POP3 session. A lease costs one short statement on a pooled connection
// to take it and one to drop it; the node extends all of its live leases in
// one statement every `refresh` (not one per session); a crashed node stops
// extending and its leases lapse after `lease`, so no lock outlives its
// holder by more than that.
#pragma once

#include "core/db/pool.hpp"
#include "core/util/async.hpp"
#include "core/util/result.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace posta::mail::pop3::store {

struct lock_timing {
  // How long a lease lasts without being extended: the longest a crashed
  // node's sessions keep their accounts locked.
  std::chrono::seconds lease{120};
  // How often the node extends its leases: several tries fit in one lease.
  std::chrono::seconds refresh{30};
};

class maildrop_locks {
  struct state;

 public:
  // One session's lock. Destroyed without release() (a session torn down
  // abruptly), its lease is no longer extended and lapses. Move-only.
  class held {
   public:
    held() = default;
    held(held&&) noexcept = default;
    held& operator=(held&&) noexcept;
    held(held const&) = delete;
    ~held();

    std::int64_t account_id() const noexcept { return account_id_; }

   private:
    friend class maildrop_locks;
    held(std::shared_ptr<state> s, std::int64_t account, std::int64_t session)
        : state_(std::move(s)), account_id_(account), session_(session) {}
    void forget() noexcept;
    std::shared_ptr<state> state_;
    std::int64_t account_id_ = 0;
    std::int64_t session_ = 0;
  };

  // `node_name` says in the table which server holds a lease (for
  // administrators); a random suffix keeps a restarted node apart from its
  // crashed predecessor, whose leases must lapse rather than be extended.
  maildrop_locks(db::pool& pool, std::string const& node_name, lock_timing timing = {});

  // The lock of the account with this (normalised) address; nullopt when
  // another session (on any node) holds an unexpired lease. Errors are
  // trouble (database unreachable, account gone).
  asio::awaitable<result<std::optional<held>>> try_acquire(std::string address, std::string client_ip);
  // Deletes the lease. A failure is only logged: the lease lapses.
  asio::awaitable<void> release(held lock);

  // Extends the leases of this node's live sessions until stop().
  asio::awaitable<void> keep_alive();
  asio::awaitable<result<void>> refresh_now();
  void stop();

  std::string const& node() const noexcept;

 private:
  db::pool& pool_;
  lock_timing timing_;
  std::shared_ptr<state> state_;
};

}  // namespace posta::mail::pop3::store
