#include "directory/sync/scheduler.hpp"

#include "core/db/pool.hpp"
#include "core/journal/journal.hpp"
#include "directory/sync/engine.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace posta::directory::sync {
namespace {

// How often the scheduler looks for sources that are due; a source's own
// interval is counted from the start of its last pass.
// One second: a settings change reaches persist mode's watches within it,
// and without content synchronisation's persistent search a source may ask
// for sync_interval_seconds = 1 (a pass that finds nothing costs a bind, a
// short search and three small writes).
constexpr auto tick = std::chrono::seconds(1);
// A running pass is waited for this long at shutdown (it is bounded by the
// source's timeouts and applies in transactions, so leaving it is safe).
constexpr auto stop_grace = std::chrono::seconds(30);

}  // namespace

struct scheduler::state {
  explicit state(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  bool stopping = false;
  bool finished = false;
};

asio::awaitable<result<std::string>> scheduler::start(asio::any_io_executor executor) {
  state_ = std::make_shared<state>(asio::make_strand(executor));
  asio::co_spawn(state_->timer.get_executor(), loop(state_, pool_, engine_, watches_), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (std::exception const& ex) {
      journal::record(journal::level::error, "directory", "directory scheduler failed", {{"error", ex.what()}});
    }
  });
  co_return "syncing sources at their intervals";
}

asio::awaitable<void> scheduler::stop() {
  auto s = state_;
  if (!s) co_return;
  // On the loop's strand, where the watches and the loop's flags live.
  auto const strand = s->timer.get_executor();
  co_await asio::co_spawn(strand, stop_on_strand(s, watches_), asio::use_awaitable);
  state_.reset();
}

asio::awaitable<void> scheduler::stop_on_strand(std::shared_ptr<state> s, persist_watches& watches) {
  s->stopping = true;
  s->timer.cancel();
  watches.stop_all();
  asio::steady_timer wait(s->timer.get_executor());
  for (auto waited = std::chrono::milliseconds(0); !(s->finished && watches.all_finished()) && waited < stop_grace;
       waited += std::chrono::milliseconds(100)) {
    wait.expires_after(std::chrono::milliseconds(100));
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> scheduler::loop(std::shared_ptr<state> s, db::pool& pool, engine& engine,
                                      persist_watches& watches) {
  while (!s->stopping) {
    s->timer.expires_after(tick);
    co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (s->stopping) break;
    auto const strand = s->timer.get_executor();
    co_await watches.reconcile(strand);
    if (s->stopping) break;
    auto due = co_await pool.q(
        "SELECT s.name FROM directory_sources s LEFT JOIN directory_sync_state st ON st.source_id = s.id "
        "WHERE s.enabled AND (s.config->>'sync_interval_seconds')::int > 0 AND (st.last_started_at IS NULL OR "
        "st.last_started_at < now() - make_interval(secs => (s.config->>'sync_interval_seconds')::int)) "
        "ORDER BY s.name");
    if (!due) continue;  // the database is away: the next tick tries again
    for (int i = 0; i < due->size() && !s->stopping; ++i) {
      auto const name = due->str(i, 0);
      co_await engine.sync(name, {});  // failures are in the journal and the source's status
    }
  }
  s->finished = true;
}

}  // namespace posta::directory::sync
