// One asynchronous PostgreSQL connection: libpq in non-blocking mode, its
// socket awaited through Asio. Used by one coroutine at a time (the pool's
// lease guarantees it), so it needs no locking.
#pragma once

#include "core/db/params.hpp"
#include "core/db/rows.hpp"
#include "core/util/async.hpp"
#include "core/util/result.hpp"

#include <functional>
#include <unordered_map>
#include <memory>
#include <string>
#include <vector>

struct pg_conn;

namespace posta::db {

struct statement {
  std::string sql;
  params args;
};

using notify_handler = std::function<void(std::string const& channel, std::string const& payload)>;

class connection {
 public:
  explicit connection(asio::any_io_executor executor);
  ~connection();
  connection(connection const&) = delete;
  connection& operator=(connection const&) = delete;

  asio::awaitable<result<void>> connect(std::string conninfo);
  bool is_open() const noexcept;
  // Open, with no transaction or command in progress: safe to hand to another user.
  bool is_idle() const noexcept;
  void close() noexcept;

  // One parameterised statement (extended protocol, text format).
  asio::awaitable<result<rows>> query(std::string sql, params args = {});
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
  struct socket_holder;
  // Named prepared statement for `sql` on this connection (parsed and planned
  // once); empty when the cache is full and the statement runs unnamed.
  asio::awaitable<result<std::string>> prepared_name(std::string const& sql, int parameters);
  asio::awaitable<result<void>> flush();
  asio::awaitable<result<void>> wait_readable();
  asio::awaitable<result<rows>> collect_results();
  result<void> consume_input();
  void refresh_socket();
  void dispatch_notifications();
  error last_error(std::string_view what) const;

  asio::any_io_executor executor_;
  pg_conn* conn_ = nullptr;
  std::unique_ptr<socket_holder> socket_;
  notify_handler notify_handler_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// Quote an SQL identifier (for LISTEN channel names, which take no parameters).
std::string quote_identifier(std::string_view name);

}  // namespace posta::db
