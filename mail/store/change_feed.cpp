// Shared change reads: generations say whether what was read is still
// fresh; one read at a time per mailbox, the sessions asking meanwhile wait
// for it (bounded) on their own strands.
#include "mail/store/change_feed.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace posta::mail::store {
namespace {
// A session waits this long for another's read, then reads itself.
constexpr auto shared_read_wait = std::chrono::seconds(2);
}  // namespace

struct change_feed::waiter {
  explicit waiter(asio::any_io_executor ex) : executor(ex), timer(ex) {}
  asio::any_io_executor executor;
  asio::steady_timer timer;  // touched on `executor` only
};

struct change_feed::entry {
  std::int64_t account_id = 0;
  change_log log;
  std::uint64_t generation = 0;       // bumped by every invalidation
  std::uint64_t read_generation = 0;  // the generation the log is fresh for
  bool fresh = false;                 // read_generation is meaningful
  bool reading = false;
  std::uint64_t reading_generation = 0;  // the generation the read in flight started at
  std::vector<std::shared_ptr<waiter>> waiters;

  explicit entry(std::int64_t account, std::size_t max_changes) : account_id(account), log(max_changes) {}
  bool is_fresh() const noexcept { return fresh && read_generation == generation; }
  // A read in flight that started after the newest invalidation answers
  // whoever asks now as well as a read of their own would.
  bool read_in_flight_is_fresh() const noexcept { return reading && reading_generation == generation; }
};

change_feed::change_feed(mailbox_store& store, std::size_t max_mailboxes, std::size_t max_changes)
    : store_(store), max_mailboxes_(max_mailboxes), max_changes_(max_changes) {}

change_feed::~change_feed() = default;

std::shared_ptr<change_feed::entry> change_feed::entry_for(mailbox_ref box) {
  auto it = entries_.find(box.mailbox_id);
  if (it != entries_.end()) return it->second;
  if (entries_.size() >= max_mailboxes_) {
    // Any idle entry goes; the bound matters, the choice hardly does.
    for (auto i = entries_.begin(); i != entries_.end(); ++i)
      if (!i->second->reading) {
        entries_.erase(i);
        break;
      }
    if (entries_.size() >= max_mailboxes_) return nullptr;
  }
  auto e = std::make_shared<entry>(box.account_id, max_changes_);
  entries_.emplace(box.mailbox_id, e);
  return e;
}

// What one question needs, decided under the lock.
struct change_feed::step {
  enum kind_t { answered, read, wait, alone } kind = alone;
  changes answer;                 // answered
  std::shared_ptr<entry> target;  // read
  std::int64_t after = 0;         // read: changes after this MODSEQ
  std::shared_ptr<waiter> w;      // wait
};

change_feed::step change_feed::plan(mailbox_ref box, std::int64_t since, bool may_wait,
                                    asio::any_io_executor const& executor) {
  std::lock_guard lock(mutex_);
  auto e = entry_for(box);
  // Another account's question about this id is not answered from here.
  if (!e || e->account_id != box.account_id) return {};
  if (e->is_fresh() && e->log.covers(since)) return {step::answered, e->log.since(since)};
  if (e->reading) {
    if (!may_wait || !e->read_in_flight_is_fresh()) return {};  // a stale read in flight: read alone
    auto w = std::make_shared<waiter>(executor);
    e->waiters.push_back(w);
    return {step::wait, {}, nullptr, 0, std::move(w)};
  }
  // The log continues where it ends when this session is within it; a
  // session behind it asks for itself.
  std::int64_t after = since;
  if (!e->log.empty()) {
    if (since < e->log.base()) return {};
    after = e->log.highestmodseq();
  }
  e->reading = true;
  e->reading_generation = e->generation;
  return {step::read, {}, std::move(e), after, nullptr};
}

asio::awaitable<result<changes>> change_feed::changes_since(mailbox_ref box, std::int64_t since) {
  auto const executor = co_await asio::this_coro::executor;
  for (bool may_wait : {true, false}) {
    auto s = plan(box, since, may_wait, executor);
    if (s.kind == step::answered) co_return std::move(s.answer);
    if (s.kind == step::read) co_return co_await read_into(std::move(s.target), box, since, s.after);
    if (s.kind != step::wait) break;
    // Bounded; woken early when the read ends (its cancel is posted to
    // this strand, so it cannot run before the wait has begun).
    s.w->timer.expires_after(shared_read_wait);
    auto [ec] = co_await s.w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
  }
  co_return co_await store_.changes_since(box, since);
}

asio::awaitable<result<changes>> change_feed::read_into(std::shared_ptr<entry> e, mailbox_ref box,
                                                        std::int64_t since, std::int64_t after) {
  auto r = co_await store_.changes_since(box, after);
  {
    std::lock_guard lock(mutex_);
    e->reading = false;
    for (auto const& w : e->waiters) asio::post(w->executor, [w] { w->timer.cancel(); });
    e->waiters.clear();
    if (!r) {
      // A mailbox that is gone is forgotten; trouble leaves the log as it was.
      if (is(r.error(), store_errc::nonexistent)) forget(box.mailbox_id, e);
      co_return r;
    }
    e->log.fold(*r, after);
    // Fresh only if nothing was announced while the read was in flight.
    e->fresh = true;
    e->read_generation = e->reading_generation;
    if (e->log.covers(since)) co_return e->log.since(since);
    if (since == after) co_return r;
  }
  // The log forgot what this session had not seen yet (its bound).
  co_return co_await store_.changes_since(box, since);
}

void change_feed::forget(std::int64_t mailbox_id, std::shared_ptr<entry> const& e) {
  auto it = entries_.find(mailbox_id);
  if (it != entries_.end() && it->second == e) entries_.erase(it);
}

void change_feed::invalidate(std::int64_t mailbox_id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(mailbox_id);
  if (it != entries_.end()) ++it->second->generation;
}

void change_feed::drop(std::int64_t mailbox_id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(mailbox_id);
  if (it != entries_.end() && !it->second->reading) entries_.erase(it);
}

void change_feed::invalidate_all() {
  std::lock_guard lock(mutex_);
  for (auto& [id, e] : entries_) ++e->generation;
}

}  // namespace posta::mail::store
