// The `indexer` service: drains the durable queue of schema/020 in batches
// into the Xapian indexes (search/engine), and answers IMAP's text keys
// (core/search/text_search.hpp) and the search API from them after catching
// up on the queue of what is asked. All draining, background or caught up,
// runs one batch at a time on the indexer's strand, so two drains never
// race on the same message.
#pragma once

#include "core/db/pool.hpp"
#include "core/search/text_search.hpp"
#include "search/engine/mail_index.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <optional>
#include <string>

namespace posta::mail::store {
class mailbox_store;
}

namespace posta::mail::index {

class indexer final : public search::text_search {
 public:
  indexer(asio::any_io_executor ex, db::pool& pool, store::mailbox_store& mailboxes,
          search::engine::mail_indexes& indexes);

  // The service hooks: the background loop, which polls the queue.
  asio::awaitable<result<std::string>> start();
  asio::awaitable<void> stop();
  bool running() const { return running_; }
  void wake();

  // IMAP (text_search): nullopt when the service is stopped or the index
  // lacks some candidate, so IMAP scans.
  asio::awaitable<result<std::optional<std::vector<std::uint32_t>>>> matching(search::text_query query) override;

  // The search API: catches up on the account's queue (when running), then asks.
  asio::awaitable<result<search::engine::hits>> search(search::engine::search_request request);

  // `posta search reindex`: queues a reset and every message again, in one
  // transaction, for one account or all. Returns the messages queued.
  asio::awaitable<result<std::int64_t>> reindex(std::optional<std::int64_t> account_id);

 private:
  struct scope {
    std::optional<std::int64_t> account_id;
    std::optional<std::int64_t> mailbox_id;
  };
  asio::awaitable<result<void>> catch_up(scope s);     // on the strand, exclusive
  asio::awaitable<result<bool>> drain_batch(scope s);  // true when rows were done
  asio::awaitable<void> run();
  asio::awaitable<void> lock();
  void unlock();

  asio::strand<asio::any_io_executor> strand_;
  db::pool& pool_;
  store::mailbox_store& mailboxes_;
  search::engine::mail_indexes& indexes_;
  asio::steady_timer wake_timer_;
  asio::steady_timer gate_timer_;
  bool busy_ = false;
  std::atomic<bool> running_{false};  // read by sessions on other strands
  bool loop_alive_ = false;
  bool failing_ = false;  // logged once per failure spell
};

}  // namespace posta::mail::index
