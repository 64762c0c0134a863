// Pool slots are a concurrent channel pre-filled with `size` connections:
// acquiring receives one (waiting while all are leased), releasing sends it back.
#include "core/db/pool.hpp"

#include "core/journal/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace posta::db {

using namespace boost::asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

namespace {
// SECURITY: reconnect attempts during an outage are spaced from 100 ms,
// doubling, up to 5 s: a dead database is not hammered by every session.
constexpr std::chrono::milliseconds first_backoff{100};
constexpr std::chrono::milliseconds max_backoff{5000};
}  // namespace

struct pool::slots {
  asio::experimental::concurrent_channel<void(boost::system::error_code, std::unique_ptr<connection>)> channel;
  std::atomic<bool> closing{false};
  slots(asio::any_io_executor ex, std::size_t size) : channel(ex, size) {}
};

// One bounded wait for a slot. The pool channel's receive is never cancelled
// (a cancelled receive can leave the channel refusing sends): a helper
// coroutine receives, and hands the connection over, or back to the pool
// when the waiter has given up meanwhile.
struct handoff {
  asio::experimental::concurrent_channel<void(boost::system::error_code)> arrived;
  std::mutex mutex;
  std::unique_ptr<connection> conn;
  bool abandoned = false;
  bool failed = false;
  explicit handoff(asio::any_io_executor ex) : arrived(ex, 1) {}
};

lease::~lease() {
  if (owner_ && conn_) owner_->give_back(std::move(conn_));
}

pool::pool(asio::any_io_executor executor, std::string conninfo, std::size_t size)
    : executor_(executor), conninfo_(std::move(conninfo)), slots_(std::make_unique<slots>(executor, size)) {
  for (std::size_t i = 0; i < size; ++i)
    slots_->channel.try_send(boost::system::error_code{}, std::make_unique<connection>(executor));
}

pool::~pool() {
  slots_->closing = true;
  slots_->channel.close();  // helpers still waiting end with an error
}

void pool::set_options(connection_options options) { statement_timeout_ms_ = options.statement_timeout.count(); }

connection_options pool::options() const {
  return connection_options{std::chrono::milliseconds(statement_timeout_ms_.load())};
}

std::chrono::milliseconds pool::transaction_bound() const {
  return statements_per_transaction_bound * client_wait_bound(options().statement_timeout);
}

void pool::give_back(std::unique_ptr<connection> conn) noexcept {
  // A connection in an unknown state (broken, or left mid-transaction by an
  // error) is closed; the next acquire re-opens it.
  if (slots_->closing) return;
  if (!conn->is_idle()) conn->close();
  conn->clear_deadline();
  slots_->channel.try_send(boost::system::error_code{}, std::move(conn));
}

asio::awaitable<result<lease>> pool::receive() {
  std::unique_ptr<connection> free;
  slots_->channel.try_receive([&](boost::system::error_code, std::unique_ptr<connection> c) { free = std::move(c); });
  if (free) co_return lease(this, std::move(free));
  // Every connection is leased: wait, at most one wait bound.
  auto h = std::make_shared<handoff>(executor_);
  asio::co_spawn(executor_, [this, h]() -> asio::awaitable<void> {
    auto [ec, c] = co_await slots_->channel.async_receive(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(h->mutex);
    if (ec) h->failed = true;
    else if (h->abandoned) give_back(std::move(c));
    else h->conn = std::move(c);
    h->arrived.try_send(boost::system::error_code{});
  }, asio::detached);
  asio::steady_timer timer(executor_, client_wait_bound(options().statement_timeout));
  co_await (h->arrived.async_receive(asio::as_tuple(asio::use_awaitable)) ||
            timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  std::lock_guard lock(h->mutex);
  if (h->conn) co_return lease(this, std::move(h->conn));
  h->abandoned = true;
  if (h->failed) co_return make_error(errc::unavailable, "database pool is closed");
  co_return make_error(errc::unavailable, "database pool: no free connection in time (every one is busy)");
}

// Opens a closed slot, unless the last attempt failed moments ago.
asio::awaitable<result<void>> pool::open(connection& conn) {
  {
    std::lock_guard lock(backoff_mutex_);
    if (clock::now() < next_attempt_)
      co_return make_error(errc::unavailable, "database unavailable (reconnecting with backoff)");
  }
  auto r = co_await conn.connect(conninfo_, options());
  std::lock_guard lock(backoff_mutex_);
  if (!r) {
    backoff_ = std::min(max_backoff, std::max(first_backoff, backoff_ * 2));
    next_attempt_ = clock::now() + backoff_;
    if (!outage_logged_) journal::log(journal::level::warning, "database: {}; reconnecting with backoff", r.error().context);
    outage_logged_ = true;
    co_return r.error();
  }
  if (outage_logged_) journal::log(journal::level::info, "database: connection restored");
  outage_logged_ = false;
  backoff_ = std::chrono::milliseconds(0);
  co_return result<void>{};
}

asio::awaitable<result<lease>> pool::acquire() {
  POSTA_CO_TRY_ASSIGN(auto held, co_await receive());
  auto wanted = options();
  if (!held->is_open()) {
    POSTA_CO_TRY(co_await open(*held));
  } else if (held->options().statement_timeout != wanted.statement_timeout) {
    POSTA_CO_TRY(co_await held->apply(wanted));
  }
  co_return held;
}

asio::awaitable<result<rows>> pool::query(std::string sql, params args) {
  auto conn = co_await acquire();
  if (!conn) co_return conn.error();
  co_return co_await (*conn)->query(std::move(sql), std::move(args));
}

}  // namespace posta::db
