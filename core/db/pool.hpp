// A fixed-size pool of database connections, opened lazily and re-opened after
// failures (with backoff). A lease returns its connection to the pool when
// destroyed. Every wait here is bounded (db.statement_timeout_ms).
#pragma once

#include "core/db/connection.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

namespace posta::db {

class pool;

class lease {
 public:
  lease(pool* owner, std::unique_ptr<connection> conn) : owner_(owner), conn_(std::move(conn)) {}
  lease(lease&&) noexcept = default;
  lease& operator=(lease&&) noexcept = default;
  ~lease();
  connection* operator->() const noexcept { return conn_.get(); }
  connection& operator*() const noexcept { return *conn_; }

 private:
  pool* owner_;
  std::unique_ptr<connection> conn_;
};

// A whole transaction (BEGIN … COMMIT) may take this many statement bounds
// before the client abandons it (PostgreSQL 15 has no transaction_timeout).
inline constexpr int statements_per_transaction_bound = 3;

class pool {
 public:
  pool(asio::any_io_executor executor, std::string conninfo, std::size_t size);
  ~pool();

  // SECURITY: waits at most one statement bound for a free connection; while
  // the database is unreachable, reconnects are spaced out (backoff) and
  // acquire fails at once with `unavailable` in between.
  asio::awaitable<result<lease>> acquire();

  // Applies to connections from their next acquire on (settings change live).
  void set_options(connection_options options);
  connection_options options() const;
  // The bound of one whole transaction (see statements_per_transaction_bound).
  std::chrono::milliseconds transaction_bound() const;

  asio::awaitable<result<rows>> query(std::string sql, params args = {});
  template <class... Args>
  asio::awaitable<result<rows>> q(std::string sql, Args&&... args) {
    return query(std::move(sql), make_params(std::forward<Args>(args)...));
  }

  // Runs `body(connection&)` (returning awaitable<result<T>>) between BEGIN and
  // COMMIT; a failed body, or a failed COMMIT, rolls back and returns the error.
  // The whole transaction is bounded by transaction_bound(); past it the
  // connection is closed, which rolls back whatever had not committed.
  // DURABILITY: when this returns success, the transaction is committed (and,
  // with synchronous_commit on, flushed to the WAL on disk). A failed COMMIT
  // (connection lost) has an unknown outcome: callers that must not apply a
  // change twice make their writes idempotent.
  template <class Body>
  auto transaction(Body body) -> decltype(body(std::declval<connection&>())) {
    auto conn = co_await acquire();
    if (!conn) co_return conn.error();
    (*conn)->set_deadline(std::chrono::steady_clock::now() + transaction_bound());
    auto out = co_await run_transaction(**conn, body);
    (*conn)->clear_deadline();
    co_return out;
  }

  std::string const& conninfo() const noexcept { return conninfo_; }

 private:
  friend class lease;
  void give_back(std::unique_ptr<connection> conn) noexcept;
  asio::awaitable<result<void>> open(connection& conn);
  asio::awaitable<result<lease>> receive();

  template <class Body>
  static auto run_transaction(connection& c, Body& body) -> decltype(body(std::declval<connection&>())) {
    c.begin_lazily();  // sent with the body's first statement
    auto r = co_await body(c);
    if (!r) {
      co_await c.execute("ROLLBACK");
      co_return r;
    }
    if (auto done = co_await c.execute("COMMIT"); !done) co_return done.error();
    co_return r;
  }

  struct slots;
  asio::any_io_executor executor_;
  std::string conninfo_;
  std::unique_ptr<slots> slots_;
  std::atomic<std::int64_t> statement_timeout_ms_{30000};

  // Reconnect backoff, shared by every slot (one outage, one schedule).
  mutable std::mutex backoff_mutex_;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
  bool outage_logged_ = false;
};

}  // namespace posta::db
