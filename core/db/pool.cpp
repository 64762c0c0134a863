// Pool slots are a concurrent channel pre-filled with `size` connections:
// acquiring receives one (waiting while all are leased), releasing sends it back.
#include "core/db/pool.hpp"

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::db {

struct pool::slots {
  asio::experimental::concurrent_channel<void(boost::system::error_code, std::unique_ptr<connection>)> channel;
  slots(asio::any_io_executor ex, std::size_t size) : channel(ex, size) {}
};

lease::~lease() {
  if (owner_ && conn_) owner_->give_back(std::move(conn_));
}

pool::pool(asio::any_io_executor executor, std::string conninfo, std::size_t size)
    : executor_(executor), conninfo_(std::move(conninfo)), slots_(std::make_unique<slots>(executor, size)) {
  for (std::size_t i = 0; i < size; ++i)
    slots_->channel.try_send(boost::system::error_code{}, std::make_unique<connection>(executor));
}

pool::~pool() = default;

void pool::give_back(std::unique_ptr<connection> conn) noexcept {
  // A connection in an unknown state (broken, or left mid-transaction by an
  // error) is closed; the next acquire re-opens it.
  if (!conn->is_idle()) conn->close();
  slots_->channel.try_send(boost::system::error_code{}, std::move(conn));
}

asio::awaitable<result<lease>> pool::acquire() {
  auto [ec, conn] = co_await slots_->channel.async_receive(asio::as_tuple(asio::use_awaitable));
  if (ec) co_return make_error(ec, "database pool");
  lease held(this, std::move(conn));
  if (!held->is_open()) {
    if (auto r = co_await held->connect(conninfo_); !r) co_return r.error();
  }
  co_return held;
}

asio::awaitable<result<rows>> pool::query(std::string sql, params args) {
  auto conn = co_await acquire();
  if (!conn) co_return conn.error();
  co_return co_await (*conn)->query(std::move(sql), std::move(args));
}

}  // namespace posta::db
