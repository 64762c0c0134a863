// Fan-out of NOTIFY posta_mailbox to the sessions watching a mailbox. The
// notifier's handler runs on its own coroutine: it only marks the waiters
// and posts a timer cancel to each one's strand, where the wait runs.
#include "mail/store/watcher.hpp"

#include "mail/store/change_feed.hpp"
#include "mail/store/errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <utility>

namespace posta::mail::store {

struct mailbox_watcher::waiter {
  waiter(std::int64_t id, asio::any_io_executor ex) : mailbox(id), executor(ex), timer(ex) {}
  std::int64_t mailbox;
  asio::any_io_executor executor;
  std::atomic<bool> pending{false};
  asio::steady_timer timer;  // touched on `executor` only
};

mailbox_watcher::mailbox_watcher(db::notifier& notifier, std::size_t max_watches)
    : max_watches_(max_watches), alive_(std::make_shared<bool>(true)) {
  // The notifier cannot unsubscribe: its handlers hold a weak view of us.
  std::weak_ptr<bool> alive = alive_;
  notifier.subscribe(mailbox_channel, [this, alive](std::string const&, std::string const& payload) {
    if (alive.expired()) return;
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), id);
    if (ec == std::errc() && end == payload.data() + payload.size()) changed(id);
  });
  notifier.on_connected([this, alive] {
    if (!alive.expired()) changed_all();
  });
}

// SECURITY of the lifetime: the watcher must outlive the notifier's run()
// or be destroyed on the notifier's thread; app/ destroys the notifier's
// io_context first, as it does for every other handler.
mailbox_watcher::~mailbox_watcher() { alive_.reset(); }

result<mailbox_watcher::watch> mailbox_watcher::watch_mailbox(std::int64_t mailbox_id, asio::any_io_executor executor) {
  auto w = std::make_shared<waiter>(mailbox_id, std::move(executor));
  std::lock_guard lock(mutex_);
  if (count_ >= max_watches_) return make_error(store_errc::limit, "too many mailbox watches");
  by_mailbox_[mailbox_id].push_back(w);
  ++count_;
  return watch(this, std::move(w));
}

void mailbox_watcher::wake(std::shared_ptr<waiter> const& w) {
  w->pending.store(true);
  asio::post(w->executor, [w] { w->timer.cancel(); });
}

void mailbox_watcher::changed(std::int64_t mailbox_id) {
  if (feed_) feed_->invalidate(mailbox_id);
  std::lock_guard lock(mutex_);
  auto it = by_mailbox_.find(mailbox_id);
  if (it == by_mailbox_.end()) return;
  for (auto const& w : it->second) wake(w);
}

void mailbox_watcher::changed_all() {
  if (feed_) feed_->invalidate_all();
  std::lock_guard lock(mutex_);
  for (auto const& [id, list] : by_mailbox_)
    for (auto const& w : list) wake(w);
}

std::size_t mailbox_watcher::watches() const {
  std::lock_guard lock(mutex_);
  return count_;
}

void mailbox_watcher::remove(std::shared_ptr<waiter> const& w) noexcept {
  std::lock_guard lock(mutex_);
  auto it = by_mailbox_.find(w->mailbox);
  if (it == by_mailbox_.end()) return;
  auto& list = it->second;
  auto at = std::find(list.begin(), list.end(), w);
  if (at == list.end()) return;
  list.erase(at);
  --count_;
  if (!list.empty()) return;
  by_mailbox_.erase(it);
  if (feed_) feed_->drop(w->mailbox);  // lock order: the watcher's, then the feed's
}

void mailbox_watcher::watch::release() noexcept {
  if (owner_ && waiter_) owner_->remove(waiter_);
  owner_ = nullptr;
  waiter_.reset();
}

mailbox_watcher::watch& mailbox_watcher::watch::operator=(watch&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    waiter_ = std::move(other.waiter_);
  }
  return *this;
}

mailbox_watcher::watch::~watch() { release(); }

bool mailbox_watcher::watch::take_change() noexcept { return waiter_ && waiter_->pending.exchange(false); }

void mailbox_watcher::watch::cancel_wait() noexcept {
  if (waiter_) waiter_->timer.cancel();
}

asio::awaitable<bool> mailbox_watcher::watch::wait(std::chrono::steady_clock::duration max) {
  if (!waiter_) co_return false;
  auto w = waiter_;  // kept alive across the wait
  if (w->pending.exchange(false)) co_return true;
  w->timer.expires_after(max);
  auto [ec] = co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ec;
  co_return w->pending.exchange(false);
}

}  // namespace posta::mail::store
