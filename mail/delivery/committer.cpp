// The job queue of the committer: a concurrent channel of waiting jobs, each
// with a one-slot channel that carries its outcome back to the session.
#include "mail/delivery/committer.hpp"

#include "core/journal/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace posta::mail::delivery {

using done_channel = asio::experimental::concurrent_channel<void(boost::system::error_code)>;

struct committer::job {
  request req;
  std::optional<result<report>> outcome;
  done_channel done;
  job(asio::any_io_executor ex, request r) : req(std::move(r)), done(ex, 1) {}
};

struct committer::queue {
  asio::experimental::concurrent_channel<void(boost::system::error_code, job*)> channel;
  explicit queue(asio::any_io_executor ex) : channel(ex, 4096) {}
};

request const& committer::job_request(job const* j) { return j->req; }

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
  auto ex = co_await asio::this_coro::executor;
  job j(ex, std::move(req));
  auto [ec] = co_await queue_->channel.async_send(boost::system::error_code{}, &j, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return make_error(errc::unavailable, "delivery is stopping");
  // The job lives in this frame until the worker has signalled completion.
  co_await j.done.async_receive(asio::as_tuple(asio::use_awaitable));
  co_return std::move(*j.outcome);
}

// A worker must answer every job it took, or its sessions would wait forever:
// an exception (a bug) becomes an error outcome for the batch.
asio::awaitable<result<std::vector<report>>> committer::commit_guarded(std::vector<job*> const& batch) {
  try {
    auto outcome = co_await commit(batch);
    co_return outcome;
  } catch (std::exception const& e) {
    journal::log(journal::level::error, "delivery: {}", e.what());
    co_return make_error(errc::internal, "delivery failed");
  }
}

asio::awaitable<void> committer::worker() {
  for (;;) {
    auto received = co_await queue_->channel.async_receive(asio::as_tuple(asio::use_awaitable));
    if (std::get<0>(received)) co_return;
    std::vector<job*> batch;
    batch.push_back(std::get<1>(received));
    while (batch.size() < max_batch_) {
      job* more = nullptr;
      if (!queue_->channel.try_receive([&](boost::system::error_code, job* j) { more = j; }) || !more) break;
      batch.push_back(more);
    }
    auto outcome = co_await commit_guarded(batch);
    if (outcome) {
      for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->outcome = std::move((*outcome)[i]);
    } else if (batch.size() == 1) {
      batch[0]->outcome = outcome.error();
    } else {
      // One request may be the cause: each is retried alone, so the others
      // still get through and only the guilty one fails.
      for (auto* j : batch) {
        std::vector<job*> alone(1, j);  // g++ 12: no braced temporaries in co_await
        auto single = co_await commit_guarded(alone);
        j->outcome = single ? result<report>(std::move(single->front())) : result<report>(single.error());
      }
    }
    for (auto* j : batch) j->done.try_send(boost::system::error_code{});
  }
}

}  // namespace posta::mail::delivery
