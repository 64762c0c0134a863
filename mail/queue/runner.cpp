// The queue runner's loop: claim due rows, hand them to destinations, keep
// connections per destination and in all within bounds, back off from a
// destination that failed, and renew the leases of what is in hand.
#include "mail/queue/runner.hpp"

#include "core/blob/blob_store.hpp"
#include "core/db/pool.hpp"
#include "core/journal/journal.hpp"
#include "core/settings/settings.hpp"
#include "core/util/crypto_random.hpp"
#include "mail/dkim/outbound.hpp"
#include "mail/queue/envelope.hpp"
#include "mail/queue/notices.hpp"
#include "mail/queue/outcomes.hpp"
#include "mail/queue/queue_store.hpp"
#include "mail/queue/retry.hpp"
#include "mail/queue/route.hpp"
#include "mail/queue/sender_reports.hpp"
#include "mail/queue/runner_config.hpp"
#include "mail/smtp/client/proto/transaction.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unistd.h>

namespace posta::mail::queue {
namespace {

using clock = std::chrono::steady_clock;
using smtp::proto::reply;

// A lease outlives several refreshes: a node that stops renewing (crashed)
// gives its rows back within `lease`.
constexpr std::chrono::seconds lease{300};
constexpr std::chrono::seconds lease_refresh{60};
constexpr std::size_t claim_batch = 500;
// SECURITY: rows held in memory at once (claimed, waiting for a connection).
constexpr std::size_t max_held = 5000;
// Outcomes written in one statement at the most.
constexpr std::size_t max_settle_batch = 500;
// Rows queued by other nodes are seen within this, without a notification.
constexpr std::chrono::seconds idle_poll{30};
// SECURITY: destinations in backoff named in a claim (the rest are claimed
// and deferred without a connection).
constexpr std::size_t max_skipped = 1000;
// Connections one worker opens again after its connection dropped.
constexpr int reopen_limit = 3;
constexpr std::chrono::seconds stop_grace{30};

using config = runner_config;

struct destination {
  std::deque<outbound_transaction> pending;
  int workers = 0;
  clock::time_point backoff_until{};
  int failures = 0;  // connection failures in a row
  std::optional<reply> last_failure;
};


}  // namespace

struct runner::impl : std::enable_shared_from_this<impl> {
  impl(runner_context c, std::string node_name, std::string node)
      : ctx(std::move(c)), store(ctx.pool, std::move(node_name), std::move(node)), signer(ctx.dkim) {}

  runner_context ctx;
  queue_store store;
  dkim::outbound_signer signer;
  std::optional<asio::strand<asio::any_io_executor>> strand;
  std::optional<asio::steady_timer> wake_timer;
  std::optional<asio::steady_timer> lease_timer;
  bool running = false;
  bool stopping = false;
  bool wake_requested = false;
  int loops = 0;  // the claim loop and the lease loop, while they run
  int connections = 0;
  std::map<std::string, destination> destinations;
  std::set<std::int64_t> held;
  std::vector<outcome> settle_backlog;  // outcomes waiting for the batch being written
  bool settling = false;
  std::string route_key;
  tls_contexts tls;

  // --- configuration ------------------------------------------------------

  config read_config() {
    auto c = read_runner_config(ctx.settings, ctx.hostname);
    tls.apply(c.route);
    return c;
  }

  // --- waking and sleeping -------------------------------------------------

  void request_wake() {
    wake_requested = true;
    if (wake_timer) wake_timer->cancel();
  }

  asio::awaitable<void> sleep(clock::duration d) {
    if (wake_requested || stopping) co_return;
    wake_timer->expires_after(d);
    co_await wake_timer->async_wait(asio::as_tuple(asio::use_awaitable));
  }

  void forget_backoffs() {
    for (auto& [name, d] : destinations) {
      d.backoff_until = {};
      d.failures = 0;
    }
  }

  bool in_backoff(destination const& d, clock::time_point now) const { return d.backoff_until > now; }

  std::vector<std::string> backed_off(clock::time_point now) const {
    std::vector<std::string> out;
    for (auto const& [name, d] : destinations)
      if (in_backoff(d, now) && name != relay_destination && out.size() < max_skipped) out.push_back(name);
    return out;
  }

  // The soonest end of a backoff, so the loop wakes when a destination may be tried.
  std::optional<clock::time_point> next_backoff_end(clock::time_point now) const {
    std::optional<clock::time_point> soonest;
    for (auto const& [name, d] : destinations)
      if (in_backoff(d, now) && (!soonest || d.backoff_until < *soonest)) soonest = d.backoff_until;
    return soonest;
  }

  // --- the claim loop ------------------------------------------------------

  // `keep`: the loops hold the runner's state alive until they end.
  asio::awaitable<void> claim_loop(std::shared_ptr<impl> keep) {
    (void)keep;
    ++loops;
    while (!stopping) {
      wake_requested = false;
      co_await tls.refresh(ctx.settings.get_string("relay.tls_ca_file"));
      auto cfg = read_config();
      if (cfg.route_key != route_key) {
        // An administrator changed the route (a relay, its CA, a port):
        // destinations that failed under the old one are tried again now.
        route_key = cfg.route_key;
        forget_backoffs();
      }
      auto now = clock::now();
      clock::duration pause = idle_poll;
      auto relay = destinations.find(relay_destination);
      bool const relay_waits = cfg.route.relay && relay != destinations.end() && in_backoff(relay->second, now);
      if (cfg.relay_invalid) {
        // Validation refuses such a value; a bad stored one holds mail rather than sending it elsewhere.
        journal::record(journal::level::error, "queue", "relay.smarthost or relay.smarthost_tls is invalid: mail waits");
      } else if (held.size() < max_held && !relay_waits) {
        auto skipped = cfg.route.relay ? std::vector<std::string>{} : backed_off(now);
        auto const limit = std::min(claim_batch, max_held - held.size());
        auto rows = co_await store.claim(limit, skipped, lease);
        if (!rows) {
          journal::record(journal::level::warning, "queue", "cannot claim queued mail",
                          {{"error", rows.error().message()}});
          pause = std::chrono::seconds(5);
        } else {
          bool const more = rows->size() == limit;
          distribute(std::move(*rows), cfg);
          if (more && held.size() < max_held) continue;
          auto due = co_await store.next_due_in(skipped);
          if (due && *due) pause = std::clamp<clock::duration>(**due, std::chrono::seconds(1), idle_poll);
        }
      }
      if (auto end = next_backoff_end(now)) pause = std::min<clock::duration>(pause, *end - now + std::chrono::milliseconds(10));
      co_await sleep(std::max<clock::duration>(pause, std::chrono::milliseconds(10)));
    }
    --loops;
  }

  asio::awaitable<void> lease_loop(std::shared_ptr<impl> keep) {
    (void)keep;
    ++loops;
    while (!stopping) {
      lease_timer->expires_after(lease_refresh);
      co_await lease_timer->async_wait(asio::as_tuple(asio::use_awaitable));
      if (stopping || held.empty()) continue;
      auto renewed = co_await store.extend(std::vector<std::int64_t>(held.begin(), held.end()), lease);
      if (!renewed)
        journal::record(journal::level::warning, "queue", "queue leases not renewed",
                        {{"error", renewed.error().message()}});
    }
    --loops;
  }

  void distribute(std::vector<queued_recipient> rows, config const& cfg) {
    auto const now = clock::now();
    auto groups = group_by_destination(
        std::move(rows), [&](queued_recipient const& r) { return destination_of(cfg.route, r.domain); },
        smtp::client::proto::max_pipelined_recipients);
    for (auto& [name, transactions] : groups) {
      for (auto const& t : transactions)
        for (auto const& r : t.recipients) held.insert(r.id);
      auto& d = destinations[name];
      if (in_backoff(d, now) && d.last_failure) {
        // Claimed although backing off (past max_skipped, or queued
        // meanwhile): deferred with the failure, no connection.
        for (auto& t : transactions) spawn(conclude_all(std::move(t), *d.last_failure, ""));
        continue;
      }
      for (auto& t : transactions) d.pending.push_back(std::move(t));
    }
    start_workers(cfg);
  }

  void spawn(asio::awaitable<void> work) {
    asio::co_spawn(*strand, std::move(work), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (std::exception const& ex) {
        journal::record(journal::level::error, "queue", "delivery task failed", {{"error", ex.what()}});
      }
    });
  }

  void start_workers(config const& cfg) {
    for (auto& [name, d] : destinations) {
      while (!stopping && connections < cfg.max_connections && d.workers < cfg.per_destination &&
             static_cast<std::size_t>(d.workers) < d.pending.size()) {
        ++d.workers;
        ++connections;
        spawn(worker(shared_from_this(), name, cfg));
      }
    }
  }

  // --- one destination ------------------------------------------------------

  asio::awaitable<void> worker(std::shared_ptr<impl> keep, std::string name, config cfg) {
    (void)keep;
    for (int opens = 0; !stopping && !destinations[name].pending.empty(); ++opens) {
      if (opens == reopen_limit) {
        // The server keeps dropping us: what waits is deferred with why.
        auto waiting = take_pending(name);
        // Built outside the co_await: g++ 12 miscompiles braced temporaries there.
        reply lost;
        lost.code = 451;
        lost.enhanced = "4.4.2";
        lost.lines.push_back("connection to " + name + " lost repeatedly");
        for (auto& t : waiting) co_await conclude_all(std::move(t), lost, "");
        break;
      }
      // Not inside the co_await: g++ 12 destroys a ?: temporary there twice.
      std::string domain;
      if (name != relay_destination) domain = name;
      auto opened = co_await open_route(ctx.resolver, cfg.route, std::move(domain));
      if (!opened) {
        co_await destination_failed(name, opened.error(), cfg);
        break;
      }
      auto& d = destinations[name];
      d.failures = 0;
      d.last_failure.reset();
      auto connection = std::move(opened->connection);
      while (connection->is_usable() && !stopping && !destinations[name].pending.empty()) {
        auto t = std::move(destinations[name].pending.front());
        destinations[name].pending.pop_front();
        co_await deliver(*connection, std::move(t), opened->host, cfg);
      }
      co_await connection->quit();
      if (stopping) break;
    }
    auto& d = destinations[name];
    --d.workers;
    --connections;
    if (d.workers == 0 && d.pending.empty() && !in_backoff(d, clock::now())) destinations.erase(name);
    start_workers(read_config());
    request_wake();
  }

  std::deque<outbound_transaction> take_pending(std::string const& name) {
    return std::exchange(destinations[name].pending, {});
  }

  // No connection could be made: everything waiting for this destination
  // gets the reply, and a temporary failure starts (or lengthens) a backoff.
  asio::awaitable<void> destination_failed(std::string const& name, reply failure, config const& cfg) {
    auto& d = destinations[name];
    // Workers that were connecting at once fail together: one failure, one
    // backoff (not one doubling per worker).
    if (failure.is_transient() && !in_backoff(d, clock::now())) {
      ++d.failures;
      auto wait = after_temporary_failure(cfg.retry, d.failures, std::chrono::seconds(0)).wait;
      d.backoff_until = clock::now() + wait;
      d.last_failure = failure;
      journal::record(journal::level::warning, "queue", "destination unreachable, backing off",
                      {{"destination", name}, {"reply", reply_text(failure)}, {"retry_in_seconds", wait.count()}});
    }
    auto waiting = take_pending(name);
    for (auto& t : waiting) co_await conclude_all(std::move(t), failure, "");
  }

  asio::awaitable<void> deliver(smtp::client::connection& connection, outbound_transaction t, std::string host,
                                config const& cfg) {
    auto const& m = t.message();
    auto body = smtp::client::stored_body(ctx.blobs, ctx.pool, m.blob_hash, m.size);
    if (ctx.settings.get_bool("dkim.sign")) {
      bool const rewritten = m.smtputf8 && !connection.peer().smtputf8 && cfg.route.base.encode_utf8_headers;
      dkim::outbound_message signing{m.id, m.sender, m.may_sign, rewritten};
      body = co_await signer.sign(std::move(body), signing);
    }
    auto env = envelope_of(t, body.get());
    std::vector<reply> replies(t.recipients.size());
    std::vector<bool> delivered(t.recipients.size(), false);
    if (env.sender_refused) {
      std::fill(replies.begin(), replies.end(), *env.sender_refused);
    } else {
      for (auto& [index, why] : env.refused) replies[index] = why;
      if (!env.message.recipients.empty()) {
        auto results = co_await connection.send(env.message);
        for (std::size_t k = 0; k < results.size() && k < env.sent.size(); ++k) {
          replies[env.sent[k]] = results[k].reply;
          delivered[env.sent[k]] = results[k].delivered;
        }
      }
    }
    co_await conclude(std::move(t), replies, delivered, host, cfg, connection.peer().dsn);
  }

  asio::awaitable<void> conclude_all(outbound_transaction t, reply r, std::string host) {
    std::vector<reply> replies(t.recipients.size(), r);
    std::vector<bool> delivered(t.recipients.size(), false);
    co_await conclude(std::move(t), replies, delivered, std::move(host), read_config(), false);
  }

  // The outcome of each recipient (outcomes.hpp); reports to the sender
  // first, then the rows.
  asio::awaitable<void> conclude(outbound_transaction t, std::vector<reply> const& replies,
                                 std::vector<bool> const& delivered, std::string host, config const& cfg,
                                 bool peer_reports) {
    auto d = decide_outcomes(t, replies, delivered, host, {cfg.retry, cfg.delay_warning}, peer_reports);
    if (!d.failed.empty()) {
      auto reported = co_await send_report(ctx, t, d.failed);
      if (!reported) {
        // The row stays until its sender can be told: tried again later.
        journal::record(journal::level::warning, "queue", "report to the sender not delivered, retrying later",
                        {{"queue_id", t.message().id}, {"error", reported.error().message()}});
        keep_failed_for_retry(d.outcomes, cfg.retry.first_retry);
      } else {
        for (auto const& f : d.failed)
          journal::record(journal::level::warning, "queue", f.expired ? "delivery expired, returned to sender" : "delivery failed, returned to sender",
                          {{"queue_id", f.recipient->id}, {"sender", f.recipient->sender},
                           {"recipient", f.recipient->recipient}, {"reply", reply_text(f.reply)}, {"host", f.host}});
      }
    }
    // Informational: a lost relayed report changes nothing; a lost delay
    // warning is tried again at the next attempt.
    co_await send_report_or_journal(ctx, t, d.relayed, "relayed report to the sender not delivered");
    bool const warned = co_await send_report_or_journal(ctx, t, d.delayed, "delay report to the sender not delivered");
    if (!warned)
      for (auto& o : d.outcomes) o.delay_notice_sent = false;
    settle(d.outcomes);
  }

  // Group commit of outcomes: while one batch is being written, the outcomes
  // of the deliveries that end meanwhile wait and go together in the next
  // statement (one commit for many rows under load, none added when idle).
  // The worker goes on with its next message meanwhile; until its rows are
  // written they stay leased to this node, so a crash in that instant only
  // delivers them again (see DURABILITY in runner.hpp).
  void settle(std::vector<outcome> const& outcomes) {
    settle_backlog.insert(settle_backlog.end(), outcomes.begin(), outcomes.end());
    if (settling) return;
    settling = true;
    ++loops;  // stop() waits for the backlog to be written
    asio::co_spawn(*strand, drain_settles(shared_from_this()), asio::detached);
  }

  // `keep` holds the runner's state until the backlog is written.
  asio::awaitable<void> drain_settles(std::shared_ptr<impl> keep) {
    (void)keep;
    while (!settle_backlog.empty()) {
      auto const n = std::min(settle_backlog.size(), max_settle_batch);
      std::vector<outcome> batch(settle_backlog.begin(), settle_backlog.begin() + static_cast<std::ptrdiff_t>(n));
      settle_backlog.erase(settle_backlog.begin(), settle_backlog.begin() + static_cast<std::ptrdiff_t>(n));
      co_await write_outcomes(batch);
    }
    --loops;
    settling = false;
  }

  // The outcomes reach the database, or the rows' leases lapse and they are
  // tried again (a delivered one then twice: logged).
  asio::awaitable<void> write_outcomes(std::vector<outcome> const& outcomes) {
    asio::steady_timer timer(*strand);
    for (int attempt = 0;; ++attempt) {
      auto written = co_await store.settle(outcomes);
      if (written) break;
      if (attempt == 2) {
        journal::record(journal::level::error, "queue", "delivery outcomes not recorded; the rows are tried again when their leases lapse",
                        {{"queue_id", outcomes.front().id}, {"error", written.error().message()}});
        break;
      }
      timer.expires_after(std::chrono::seconds(1 << attempt));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    for (auto const& o : outcomes) held.erase(o.id);
  }

  // --- start and stop -------------------------------------------------------

  asio::awaitable<void> start_here() {
    if (running) co_return;
    running = true;
    stopping = false;
    auto reclaimed = co_await store.reclaim_earlier_leases();
    if (!reclaimed)
      journal::record(journal::level::warning, "queue", "leases of an earlier run not taken back; they lapse",
                      {{"error", reclaimed.error().message()}});
    else if (*reclaimed > 0)
      journal::record(journal::level::info, "queue", "took back queued mail an earlier run had in hand",
                      {{"count", *reclaimed}});
    asio::co_spawn(*strand, claim_loop(shared_from_this()), asio::detached);
    asio::co_spawn(*strand, lease_loop(shared_from_this()), asio::detached);
  }

  asio::awaitable<void> stop_here() {
    stopping = true;
    request_wake();
    lease_timer->cancel();
    asio::steady_timer timer(*strand);
    auto const until = clock::now() + stop_grace;
    while ((connections > 0 || loops > 0) && clock::now() < until) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    std::vector<std::int64_t> waiting;
    for (auto& [name, d] : destinations)
      for (auto const& t : d.pending)
        for (auto const& r : t.recipients) waiting.push_back(r.id);
    auto released = co_await store.release(waiting);
    if (!released)
      journal::record(journal::level::warning, "queue", "queued rows not released; their leases lapse",
                      {{"error", released.error().message()}});
    for (auto id : waiting) held.erase(id);
    for (auto& [name, d] : destinations) d.pending.clear();
    running = false;
  }
};

runner::runner(runner_context context, std::string node_name) {
  auto token = util::random_token(9);
  auto node = node_name + "/" + (token ? *token : std::to_string(::getpid()));
  impl_ = std::make_shared<impl>(std::move(context), node_name, std::move(node));
}

runner::~runner() = default;

asio::awaitable<result<std::string>> runner::start(asio::any_io_executor executor) {
  auto self = impl_;
  if (!self->strand) {
    self->strand.emplace(asio::make_strand(executor));
    self->wake_timer.emplace(*self->strand);
    self->lease_timer.emplace(*self->strand);
  }
  co_await asio::co_spawn(*self->strand, self->start_here(), asio::use_awaitable);
  co_return "delivering as " + self->store.node();
}

asio::awaitable<void> runner::stop() {
  auto self = impl_;
  if (!self->strand) co_return;
  co_await asio::co_spawn(*self->strand, self->stop_here(), asio::use_awaitable);
}

void runner::wake() {
  auto self = impl_;
  if (!self->strand) return;
  asio::post(*self->strand, [self] { self->request_wake(); });
}

void runner::flush() {
  auto self = impl_;
  if (!self->strand) return;
  asio::post(*self->strand, [self] {
    self->forget_backoffs();
    self->request_wake();
  });
}

void runner::forget_dkim_keys() { impl_->signer.forget_keys(); }

}  // namespace posta::mail::queue
