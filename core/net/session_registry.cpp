// Telling sessions to stop, on their own strands: see session_registry.hpp.
#include "core/net/session_registry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

namespace posta::net {
namespace asio = boost::asio;

void session_registry::handle::reset() {
  if (owner_) owner_->remove(id_);
  owner_ = nullptr;
}

session_registry::handle session_registry::add(asio::any_io_executor strand, stop_fn on_stop) {
  std::lock_guard lock(mutex_);
  auto const id = next_id_++;
  entries_.emplace(id, entry{strand, std::move(on_stop)});
  if (stopping_) tell(id, strand, false);
  return handle(this, id);
}

void session_registry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  entries_.erase(id);
}

// The callback is looked up again on the strand: a session that ended in
// between is gone from the map, and one still there cannot end meanwhile,
// since it ends on that same strand.
void session_registry::tell(std::uint64_t id, asio::any_io_executor const& strand, bool force) {
  asio::post(strand, [this, id, force] {
    stop_fn fn;
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(id);
      if (it == entries_.end()) return;
      fn = it->second.on_stop;
    }
    fn(force);
  });
}

void session_registry::begin_shutdown() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  for (auto const& [id, e] : entries_) tell(id, e.strand, false);
}

void session_registry::force_close() {
  std::lock_guard lock(mutex_);
  for (auto const& [id, e] : entries_) tell(id, e.strand, true);
}

bool session_registry::is_stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

std::size_t session_registry::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

asio::awaitable<bool> session_registry::wait_until_empty(std::chrono::steady_clock::duration timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (size() != 0) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return true;
}

}  // namespace posta::net
