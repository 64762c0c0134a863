// The notifier's loop: connect, LISTEN to every channel, await input, deliver.
#include "core/db/notifier.hpp"

#include "core/journal/log.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

#include <chrono>

namespace posta::db {

notifier::notifier(asio::any_io_executor executor, std::string conninfo)
    : executor_(std::move(executor)), conninfo_(std::move(conninfo)) {}

void notifier::subscribe(std::string channel, notify_handler handler) {
  std::lock_guard lock(mutex_);
  handlers_.emplace(std::move(channel), std::move(handler));
  pending_listen_ = true;
}

void notifier::deliver(std::string const& channel, std::string const& payload) {
  std::vector<notify_handler> targets;
  {
    std::lock_guard lock(mutex_);
    auto [from, to] = handlers_.equal_range(channel);
    for (auto it = from; it != to; ++it) targets.push_back(it->second);
  }
  for (auto& h : targets) h(channel, payload);
}

void notifier::on_connected(std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  connected_callbacks_.push_back(std::move(callback));
}

asio::awaitable<result<void>> notifier::listen_all(connection& conn) {
  std::string sql;
  {
    std::lock_guard lock(mutex_);
    for (auto it = handlers_.begin(); it != handlers_.end(); it = handlers_.upper_bound(it->first))
      sql += "LISTEN " + quote_identifier(it->first) + ";";
    pending_listen_ = false;
  }
  if (sql.empty()) co_return result<void>{};
  co_return co_await conn.execute(sql);
}

asio::awaitable<void> notifier::run() {
  asio::steady_timer backoff(executor_);
  for (;;) {
    connection conn(executor_);
    conn.on_notify([this](std::string const& c, std::string const& p) { deliver(c, p); });
    auto r = co_await conn.connect(conninfo_);
    if (r) r = co_await listen_all(conn);
    if (r) {
      std::vector<std::function<void()>> callbacks;
      {
        std::lock_guard lock(mutex_);
        callbacks = connected_callbacks_;
      }
      for (auto& cb : callbacks) cb();
    }
    while (r) {
      r = co_await conn.wait_for_notification();
      bool relisten;
      {
        std::lock_guard lock(mutex_);
        relisten = pending_listen_;
      }
      if (r && relisten) r = co_await listen_all(conn);
    }
    journal::log(journal::level::warning, "notifier: {}; reconnecting", r.error().message());
    backoff.expires_after(std::chrono::seconds(1));
    auto [ec] = co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

asio::awaitable<result<void>> notify(connection& conn, std::string const& channel, std::string const& payload) {
  auto r = co_await conn.q("SELECT pg_notify($1, $2)", channel, payload);
  if (!r) co_return r.error();
  co_return result<void>{};
}

}  // namespace posta::db
