// A fixed-size pool of database connections, opened lazily and re-opened after
// failures. A lease returns its connection to the pool when destroyed.
#pragma once

#include "core/db/connection.hpp"

#include <memory>

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

class pool {
 public:
  pool(asio::any_io_executor executor, std::string conninfo, std::size_t size);
  ~pool();

  asio::awaitable<result<lease>> acquire();

  asio::awaitable<result<rows>> query(std::string sql, params args = {});
  template <class... Args>
  asio::awaitable<result<rows>> q(std::string sql, Args&&... args) {
    return query(std::move(sql), make_params(std::forward<Args>(args)...));
  }

  // Runs `body(connection&)` (returning awaitable<result<T>>) between BEGIN and
  // COMMIT; a failed body, or a failed COMMIT, rolls back and returns the error.
  // DURABILITY: when this returns success, the transaction is committed (and,
  // with synchronous_commit on, flushed to the WAL on disk).
  template <class Body>
  auto transaction(Body body) -> decltype(body(std::declval<connection&>())) {
    auto conn = co_await acquire();
    if (!conn) co_return conn.error();
    if (auto b = co_await (*conn)->execute("BEGIN"); !b) co_return b.error();
    auto r = co_await body(**conn);
    if (!r) {
      co_await (*conn)->execute("ROLLBACK");
      co_return r;
    }
    if (auto c = co_await (*conn)->execute("COMMIT"); !c) co_return c.error();
    co_return r;
  }

  std::string const& conninfo() const noexcept { return conninfo_; }

 private:
  friend class lease;
  void give_back(std::unique_ptr<connection> conn) noexcept;

  struct slots;
  asio::any_io_executor executor_;
  std::string conninfo_;
  std::unique_ptr<slots> slots_;
};

}  // namespace posta::db
