// One asynchronous PostgreSQL connection: libpq in non-blocking mode, its
// socket awaited through Asio. Used by one coroutine at a time (the pool's
// lease guarantees it), so it needs no locking.
#pragma once

#include "core/db/params.hpp"
#include "core/db/rows.hpp"
#include "core/util/async.hpp"
#include "core/util/result.hpp"

#include <chrono>
#include <functional>
#include <unordered_map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace posta::db {

struct statement {
  std::string sql;
  params args;
};

using notify_handler = std::function<void(std::string const& channel, std::string const& payload)>;

// Bounds applied to every connection (the pool passes db.statement_timeout_ms).
struct connection_options {
  // SECURITY: every statement (server-side statement_timeout) and every idle
  // gap inside a transaction (idle_in_transaction_session_timeout) is bounded
  // by this; the client gives up waiting for an answer a margin later, so a
  // stopped or unreachable server cannot hold a caller either.
  std::chrono::milliseconds statement_timeout{30000};
};

// How long the client waits for one operation (connect, statement, pipeline)
// before it closes the connection: the server's own bound plus a margin, so
// that the server's error (SQLSTATE 57014) normally arrives first.
std::chrono::milliseconds client_wait_bound(std::chrono::milliseconds statement_timeout);

class connection {
 public:
  explicit connection(asio::any_io_executor executor);
  ~connection();
  connection(connection const&) = delete;
  connection& operator=(connection const&) = delete;

  // Connects and applies `options` plus synchronous_commit = on (DURABILITY:
  // set explicitly, so a server default of off cannot weaken our commits).
  asio::awaitable<result<void>> connect(std::string conninfo, connection_options options = {});
  // Re-applies the bounds on an open, idle connection (a settings change).
  asio::awaitable<result<void>> apply(connection_options options);
  connection_options const& options() const noexcept { return options_; }
  // A bound for everything until clear_deadline(): a transaction's end.
  void set_deadline(std::chrono::steady_clock::time_point at) noexcept { deadline_ = at; }
  void clear_deadline() noexcept { deadline_.reset(); }
  bool is_open() const noexcept;
  // Open, with no transaction or command in progress: safe to hand to another user.
  bool is_idle() const noexcept;
  void close() noexcept;

  // A transaction's BEGIN (or `begin_sql`), sent with the first statement
  // that follows (in the same round trip) instead of on its own. A COMMIT
  // or ROLLBACK with nothing sent since ends nothing and sends nothing.
  void begin_lazily(std::string begin_sql = "BEGIN") { pending_begin_ = std::move(begin_sql); }

  // One parameterised statement (extended protocol, text format).
  asio::awaitable<result<rows>> query(std::string sql, params args = {});
  // The same with results in binary format: for a bytea column (a message
  // body) read as raw bytes, with no escaped text to build and undo. Only
  // rows::bytes() and is_null() read such results.
  asio::awaitable<result<rows>> query_binary(std::string sql, params args = {});
  template <class... Args>
  asio::awaitable<result<rows>> q(std::string sql, Args&&... args) {
    return query(std::move(sql), make_params(std::forward<Args>(args)...));
  }

  // Statements without parameters, possibly several separated by ';' (simple
  // protocol): migrations, BEGIN/COMMIT, LISTEN.
  asio::awaitable<result<void>> execute(std::string sql);

  // Many statements in one round trip (libpq pipeline mode). Stops at the
  // first failing statement and returns its error; the caller's transaction
  // decides what that means.
  asio::awaitable<result<std::vector<rows>>> pipeline(std::vector<statement> statements);

  // LISTEN/NOTIFY: notifications that arrive with any result are handed to
  // this handler; wait_for_notification() awaits input when idle.
  void on_notify(notify_handler handler) { notify_handler_ = std::move(handler); }
  asio::awaitable<result<void>> wait_for_notification();

 private:
  asio::awaitable<result<rows>> run_query(std::string sql, params args, int result_format);
  struct socket_holder;
  // Named prepared statement for `sql` on this connection (parsed and planned
  // once); empty when the cache is full and the statement runs unnamed.
  asio::awaitable<result<std::string>> prepared_name(std::string const& sql, int parameters);
  asio::awaitable<result<void>> flush();
  asio::awaitable<result<void>> wait_readable();
  // Awaits the socket (read, or read-or-write while flushing) until the
  // current operation's deadline; a timeout closes the connection.
  enum class ready { read, write };
  asio::awaitable<result<ready>> wait_socket(bool read, bool write);
  void begin_operation();
  error timed_out();
  asio::awaitable<result<rows>> collect_results();
  result<void> consume_input();
  void refresh_socket();
  void dispatch_notifications();
  error last_error(std::string_view what) const;
  error refuse(error e) const;  // a parameter refused before SQL
  void note(error const& e) const;  // logs the operation's first error

  asio::any_io_executor executor_;
  pg_conn* conn_ = nullptr;
  std::unique_ptr<socket_holder> socket_;
  notify_handler notify_handler_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  connection_options options_;
  std::chrono::steady_clock::time_point operation_deadline_{};
  std::optional<std::chrono::steady_clock::time_point> deadline_;  // a transaction's
  mutable bool failure_logged_ = false;
  std::optional<std::string> pending_begin_;  // begin_lazily()
};

// Quote an SQL identifier (for LISTEN channel names, which take no parameters).
std::string quote_identifier(std::string_view name);

}  // namespace posta::db
