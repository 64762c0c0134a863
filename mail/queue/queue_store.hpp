// The queue rows a runner works on: claimed under a lease (FOR UPDATE SKIP
// LOCKED, so two nodes never take the same row), the leases extended while
// deliveries run, and each outcome written with its attempt record. Every
// time is the database's now(), so node clocks do not matter.
#pragma once

#include "core/db/pool.hpp"
#include "mail/queue/queued.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace posta::mail::queue {

enum class outcome_kind { delivered, deferred, bounced, expired };

struct outcome {
  std::int64_t id = 0;
  outcome_kind kind = outcome_kind::deferred;
  int code = 0;                   // the reply that decided it
  std::string reply;              // "550 5.1.1 no such user" (one line per reply line, joined by spaces)
  std::string host;               // "mx.example.net [192.0.2.25]:25", or "" when none answered
  std::chrono::seconds retry_in{0};  // deferred: the next attempt is this long from now
  bool delay_notice_sent = false;    // deferred: its sender has now been told of the delay
};

class queue_store {
 public:
  // `node` names this runner in leased_by: unique per process, so the
  // leases of a crashed predecessor lapse instead of being taken over.
  queue_store(db::pool& pool, std::string node_name, std::string node)
      : pool_(pool), node_name_(std::move(node_name)), node_(std::move(node)) {}

  // Takes back the leases of earlier runs of this node (node_name/*, a
  // crash or SIGKILL): nobody else renews them, so waiting for them to lapse
  // would only delay that mail. Node names must be unique among the nodes
  // sharing a database (they are: each node's hostname). Returns how many.
  asio::awaitable<result<std::int64_t>> reclaim_earlier_leases();

  // Up to `limit` due recipients that no live lease holds, oldest due first,
  // none of the `skipped` domains (destinations backing off), leased to this
  // node for `lease`.
  asio::awaitable<result<std::vector<queued_recipient>>> claim(std::size_t limit, std::vector<std::string> skipped,
                                                               std::chrono::seconds lease);

  // Renews this node's leases on `ids` (deliveries still running).
  asio::awaitable<result<void>> extend(std::vector<std::int64_t> ids, std::chrono::seconds lease);

  // Writes the outcomes in one transaction: an attempt row for each; a
  // delivered, bounced or expired recipient leaves the queue, a deferred one
  // waits for its next attempt, unleased. Rows no longer leased to this node
  // (deleted by an administrator, or our lease lapsed and another node took
  // them) are left alone.
  asio::awaitable<result<void>> settle(std::vector<outcome> const& outcomes);

  // Gives rows back unattempted (shutdown): due again at once, for anyone.
  asio::awaitable<result<void>> release(std::vector<std::int64_t> ids);

  // Seconds until the next row claim() could take is due (0 when one is due
  // now), or nullopt when nothing waits: how long the runner may sleep.
  asio::awaitable<result<std::optional<std::chrono::seconds>>> next_due_in(std::vector<std::string> skipped);

  std::string const& node() const noexcept { return node_; }

 private:
  db::pool& pool_;
  std::string node_name_;
  std::string node_;
};

std::string_view outcome_name(outcome_kind k);

}  // namespace posta::mail::queue
