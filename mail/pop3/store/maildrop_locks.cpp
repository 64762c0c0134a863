// POP3 maildrop leases (RFC 1939 4): taken with one INSERT … ON CONFLICT that
// only replaces a lapsed lease, extended per node, deleted at the end of the
// session. Every time is the database's now(), so node clocks do not matter.
#include "mail/pop3/store/maildrop_locks.hpp"

#include "core/db/arrays.hpp"
#include "core/journal/journal.hpp"
#include "core/util/crypto_random.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <unistd.h>

namespace posta::mail::pop3::store {

struct maildrop_locks::state {
  std::string node;
  std::atomic<std::int64_t> next_session{1};
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::set<std::int64_t> live;  // sessions whose leases this node extends
};

maildrop_locks::held& maildrop_locks::held::operator=(held&& other) noexcept {
  if (this != &other) {
    forget();
    state_ = std::move(other.state_);
    account_id_ = other.account_id_;
    session_ = other.session_;
  }
  return *this;
}

maildrop_locks::held::~held() { forget(); }

void maildrop_locks::held::forget() noexcept {
  if (!state_) return;
  std::lock_guard lock(state_->mutex);
  state_->live.erase(session_);
  state_.reset();
}

maildrop_locks::maildrop_locks(db::pool& pool, std::string const& node_name, lock_timing timing)
    : pool_(pool), timing_(timing), state_(std::make_shared<state>()) {
  auto token = util::random_token(9);
  state_->node = node_name + "/" + (token ? *token : std::to_string(::getpid()));
}

std::string const& maildrop_locks::node() const noexcept { return state_->node; }

asio::awaitable<result<std::optional<maildrop_locks::held>>> maildrop_locks::try_acquire(std::string address,
                                                                                       std::string client_ip) {
  auto const session = state_->next_session.fetch_add(1);
  // The row is inserted, or replaces a lease that lapsed; a live lease of
  // anyone else (this node included) stays and nothing is returned. Two
  // nodes racing for one account: the unique key lets only one insert win.
  std::string sql =
      "WITH a AS (SELECT id FROM accounts WHERE address = $1), "
      "taken AS (INSERT INTO pop3_maildrop_locks AS l (account_id, node, session, client_ip, expires_at) "
      "  SELECT id, $2, $3, $4, now() + $5::int * interval '1 second' FROM a "
      "  ON CONFLICT (account_id) DO UPDATE SET node = EXCLUDED.node, session = EXCLUDED.session, "
      "    client_ip = EXCLUDED.client_ip, acquired_at = now(), expires_at = EXCLUDED.expires_at "
      "  WHERE l.expires_at < now() RETURNING l.account_id) "
      "SELECT (SELECT id FROM a), (SELECT account_id FROM taken)";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool_.q(std::move(sql), address, state_->node, session, client_ip,
                                                   static_cast<std::int64_t>(timing_.lease.count())));
  if (rows.empty() || rows.is_null(0, 0)) co_return make_error(errc::not_found, "no account " + address);
  if (rows.is_null(0, 1)) co_return std::optional<held>{};
  {
    std::lock_guard lock(state_->mutex);
    state_->live.insert(session);
  }
  co_return std::optional<held>(held(state_, rows.i64(0, 1), session));
}

asio::awaitable<void> maildrop_locks::release(held lock) {
  if (!lock.state_) co_return;
  auto gone = co_await pool_.q("DELETE FROM pop3_maildrop_locks WHERE account_id = $1 AND node = $2 AND session = $3",
                               lock.account_id_, state_->node, lock.session_);
  if (!gone)
    journal::record(journal::level::warning, "pop3", "maildrop lock not released, it lapses",
                    {{"account_id", lock.account_id_}, {"error", gone.error().message()}});
  // `lock` is destroyed here: no longer extended, even if the delete failed.
}

asio::awaitable<result<void>> maildrop_locks::refresh_now() {
  std::vector<std::int64_t> live;
  {
    std::lock_guard lock(state_->mutex);
    live.assign(state_->live.begin(), state_->live.end());
  }
  if (live.empty()) co_return result<void>{};
  // One statement for every session of the node, however many there are.
  POSTA_CO_TRY(co_await pool_.q("UPDATE pop3_maildrop_locks SET expires_at = now() + $3::int * interval '1 second' "
                                "WHERE node = $1 AND session = ANY($2::bigint[])",
                                state_->node, db::int_array(live), static_cast<std::int64_t>(timing_.lease.count())));
  co_return result<void>{};
}

asio::awaitable<void> maildrop_locks::keep_alive() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!state_->stopping.load()) {
    timer.expires_after(timing_.refresh);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || state_->stopping.load()) co_return;
    auto refreshed = co_await refresh_now();
    if (!refreshed)
      journal::record(journal::level::warning, "pop3", "maildrop leases not extended",
                      {{"error", refreshed.error().message()}});
  }
}

void maildrop_locks::stop() { state_->stopping.store(true); }

}  // namespace posta::mail::pop3::store
