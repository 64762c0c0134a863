// The job queue of the committer: a concurrent channel of waiting jobs, each
// with a one-slot channel that carries its outcome back to the session, and
// the retry rules of a failed batch.
#include "mail/delivery/committer.hpp"

#include "core/journal/log.hpp"
#include "mail/delivery/idempotency.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::mail::delivery {

using namespace boost::asio::experimental::awaitable_operators;
using done_channel = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
using clock = std::chrono::steady_clock;

// Shared by the session and the worker: a session that stopped waiting
// (its bound passed) must not leave the worker a dangling job.
struct committer::job {
  request req;
  clock::time_point start_by;  // not started after this: answered `unavailable`
  bool tried = false;          // in a transaction before: check for an earlier commit
  std::optional<result<report>> outcome;
  done_channel done;
  job(asio::any_io_executor ex, request r, clock::time_point t) : req(std::move(r)), start_by(t), done(ex, 1) {}
};

struct committer::queue {
  asio::experimental::concurrent_channel<void(boost::system::error_code, job_ptr)> channel;
  explicit queue(asio::any_io_executor ex) : channel(ex, 4096) {}
};

request const& committer::job_request(job const* j) { return j->req; }
bool committer::job_was_tried(job const* j) { return j->tried; }

committer::committer(db::pool& pool, blob::store const& blobs, std::size_t max_batch)
    : pool_(pool), blobs_(blobs), max_batch_(max_batch) {}

committer::~committer() = default;

void committer::start(asio::any_io_executor executor, std::size_t workers) {
  queue_ = std::make_unique<queue>(executor);
  for (std::size_t i = 0; i < workers; ++i)
    asio::co_spawn(executor, worker(), [](std::exception_ptr e) {
      if (e) journal::log(journal::level::error, "delivery worker ended by an exception");
    });
}

void committer::stop() {
  if (queue_) queue_->channel.close();
}

asio::awaitable<result<report>> committer::deliver(request req) {
  if (!queue_) co_return make_error(errc::unavailable, "delivery is not running");
  if (auto refused = unstorable_field(req)) co_return *refused;
  if (req.delivery_id.empty()) {
    POSTA_CO_TRY_ASSIGN(req.delivery_id, new_delivery_id());
  }
  auto ex = co_await asio::this_coro::executor;
  auto bound = pool_.transaction_bound();
  auto j = std::make_shared<job>(ex, std::move(req), clock::now() + bound);
  auto [ec] = co_await queue_->channel.async_send(boost::system::error_code{}, j, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return make_error(errc::unavailable, "delivery is stopping");
  asio::steady_timer timer(ex, 3 * bound);
  auto waited = co_await (j->done.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                          timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (waited.index() == 1) {
    journal::log(journal::level::warning, "delivery {}: no outcome within {} ms; answering as a temporary failure", j->req.delivery_id,
                 (3 * bound).count());
    co_return make_error(errc::unavailable, "delivery did not finish in time");
  }
  co_return std::move(*j->outcome);
}

// A worker must answer every job it took, or its sessions would wait forever:
// an exception (a bug) becomes an error outcome for the batch.
asio::awaitable<result<std::vector<report>>> committer::commit_guarded(std::vector<job*> const& batch) {
  for (auto* j : batch) j->tried = true;
  try {
    auto outcome = co_await commit(batch);
    co_return outcome;
  } catch (std::exception const& e) {
    journal::log(journal::level::error, "delivery: {}", e.what());
    co_return make_error(errc::internal, "delivery failed");
  }
}

// Commits `batch`; after a failure the jobs are retried together, never one
// by one: a transient failure (connection lost, timeout, whose COMMIT may
// have happened: the retry finds it, see idempotency.hpp) or a duplicate
// delivery id retries the same
// set once; any other failure splits the batch in halves, so a job that
// cannot be stored is isolated in log2(n) transactions and the rest commit.
asio::awaitable<void> committer::settle(std::vector<job*> batch, bool retried) {
  // A first attempt starts within one transaction bound of the hand-over, a
  // retry within two: every attempt then ends before the session stops waiting.
  auto bound = pool_.transaction_bound();
  std::vector<job*> live;
  for (auto* j : batch) {
    clock::duration grace = j->tried ? clock::duration(bound) : clock::duration::zero();
    if (clock::now() > j->start_by + grace)
      j->outcome = make_error(errc::unavailable, "delivery not started in time");
    else
      live.push_back(j);
  }
  if (live.empty()) co_return;
  auto outcome = co_await commit_guarded(live);
  if (outcome) {
    bool queued = false;
    for (std::size_t i = 0; i < live.size(); ++i) {
      queued = queued || !(*outcome)[i].queued.empty();
      live[i]->outcome = std::move((*outcome)[i]);
    }
    if (queued && on_queued_) on_queued_();
    co_return;
  }
  // A duplicate delivery id (the unique keys of schema/004) means an earlier
  // attempt committed: the retry finds it and answers with its report.
  bool transient = outcome.error().code == make_error_code(errc::unavailable) ||
                   outcome.error().code == make_error_code(errc::already_exists);
  if (transient && !retried) {
    co_await settle(live, true);
    co_return;
  }
  if (transient || live.size() == 1) {
    for (auto* j : live) j->outcome = outcome.error();
    co_return;
  }
  auto middle = live.begin() + static_cast<std::ptrdiff_t>(live.size() / 2);
  std::vector<job*> first(live.begin(), middle), second(middle, live.end());
  co_await settle(std::move(first), retried);
  co_await settle(std::move(second), retried);
}

asio::awaitable<void> committer::worker() {
  for (;;) {
    auto received = co_await queue_->channel.async_receive(asio::as_tuple(asio::use_awaitable));
    if (std::get<0>(received)) co_return;
    std::vector<job_ptr> held;  // keeps the jobs alive while a session may have stopped waiting
    held.push_back(std::get<1>(received));
    while (held.size() < max_batch_) {
      job_ptr more;
      if (!queue_->channel.try_receive([&](boost::system::error_code, job_ptr j) { more = std::move(j); }) || !more)
        break;
      held.push_back(std::move(more));
    }
    std::vector<job*> batch;
    for (auto const& j : held) batch.push_back(j.get());
    co_await settle(batch, false);
    for (auto* j : batch) {
      if (!j->outcome) j->outcome = make_error(errc::internal, "delivery left unanswered");
      j->done.try_send(boost::system::error_code{});
    }
  }
}

}  // namespace posta::mail::delivery
