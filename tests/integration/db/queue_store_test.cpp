// The queue runner's claims against PostgreSQL: two nodes claiming at once
// never hold the same row, a lapsed lease goes to another node, outcomes are
// written only for rows still leased to the writer, and a restarted node
// takes back its earlier run's leases (and nobody else's).
#include "db_fixture.hpp"

#include "mail/queue/queue_store.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <set>

namespace posta::itest {
namespace {

using namespace std::chrono_literals;
using mail::queue::outcome;
using mail::queue::outcome_kind;
using mail::queue::queue_store;

class queue_store_test : public db_test {
 protected:
  void SetUp() override {
    db_test::SetUp();
    sql("INSERT INTO blobs(hash, size, refcount) VALUES ('h1', 1234, 1000)");
  }

  void queue_rows(int n, std::string const& domain) {
    sql("INSERT INTO queue(blob_hash, sender, recipient) "
        "SELECT 'h1', 'a@local.test', 'r' || i || '@' || $2 FROM generate_series(1, $1::int) i",
        db::make_params(n, domain));
  }

  std::set<std::int64_t> ids(std::vector<mail::queue::queued_recipient> const& rows) {
    std::set<std::int64_t> out;
    for (auto const& r : rows) out.insert(r.id);
    return out;
  }

  std::int64_t count(std::string where) { return sql("SELECT count(*) FROM queue WHERE " + where).i64(0, 0); }
};

asio::awaitable<std::set<std::int64_t>> drain(queue_store& store, std::size_t batch) {
  std::set<std::int64_t> got;
  for (;;) {
    auto rows = co_await store.claim(batch, {}, 300s);
    if (!rows || rows->empty()) co_return got;
    for (auto const& r : *rows) got.insert(r.id);
  }
}

TEST_F(queue_store_test, TwoNodesClaimingAtOnceNeverShareARow) {
  queue_rows(500, "a.test");
  queue_store a(*pool_, "node-a", "node-a/1"), b(*pool_, "node-b", "node-b/1");
  using namespace boost::asio::experimental::awaitable_operators;
  auto [got_a, got_b] = run(drain(a, 7) && drain(b, 11));
  std::set<std::int64_t> both;
  std::set_intersection(got_a.begin(), got_a.end(), got_b.begin(), got_b.end(), std::inserter(both, both.end()));
  EXPECT_TRUE(both.empty()) << both.size() << " rows claimed by both";
  EXPECT_EQ(got_a.size() + got_b.size(), 500u);
  EXPECT_FALSE(got_a.empty());
  EXPECT_FALSE(got_b.empty());
  EXPECT_EQ(count("leased_by = 'node-a/1'"), static_cast<std::int64_t>(got_a.size()));
}

TEST_F(queue_store_test, ClaimedRowsCarryTheMessageAndAge) {
  queue_rows(1, "Mixed.Test");
  sql("UPDATE queue SET created_at = now() - interval '1 hour', notify = 'NEVER', envid = 'e1'");
  queue_store a(*pool_, "n", "n/1");
  auto rows = run(a.claim(10, {}, 300s));
  ASSERT_TRUE(is_ok(rows));
  ASSERT_EQ(rows->size(), 1u);
  auto const& r = rows->front();
  EXPECT_EQ(r.domain, "mixed.test");
  EXPECT_EQ(r.size, 1234);
  EXPECT_EQ(r.notify, "NEVER");
  EXPECT_EQ(r.envid, "e1");
  EXPECT_FALSE(r.ret);
  EXPECT_GE(r.age, 3599s);
  EXPECT_LE(r.age, 3700s);
}

TEST_F(queue_store_test, ALapsedLeaseGoesToAnotherNode) {
  queue_rows(5, "a.test");
  queue_store a(*pool_, "node-a", "node-a/1"), b(*pool_, "node-b", "node-b/1");
  auto held = run(a.claim(10, {}, 300s));
  ASSERT_TRUE(is_ok(held));
  EXPECT_EQ(held->size(), 5u);
  auto none = run(b.claim(10, {}, 300s));
  ASSERT_TRUE(is_ok(none));
  EXPECT_TRUE(none->empty());
  sql("UPDATE queue SET lease_expires_at = now() - interval '1 second'");  // node-a stopped renewing
  auto taken = run(b.claim(10, {}, 300s));
  ASSERT_TRUE(is_ok(taken));
  EXPECT_EQ(ids(*taken), ids(*held));
  // node-a comes back too late: its outcomes no longer apply.
  std::vector<outcome> late;
  for (auto const& r : *held) late.push_back({r.id, outcome_kind::delivered, 250, "250 ok", "", 0s});
  ASSERT_TRUE(is_ok(run(a.settle(late))));
  EXPECT_EQ(count("true"), 5);
  EXPECT_EQ(sql("SELECT count(*) FROM queue_attempts").i64(0, 0), 0);
}

TEST_F(queue_store_test, SettleWritesEachOutcome) {
  queue_rows(4, "a.test");
  queue_store a(*pool_, "n", "n/1");
  auto rows = run(a.claim(10, {}, 300s));
  ASSERT_TRUE(is_ok(rows));
  ASSERT_EQ(rows->size(), 4u);
  auto id = [&](int i) { return (*rows)[static_cast<std::size_t>(i)].id; };
  sql("DELETE FROM queue WHERE id = $1", db::make_params(id(3)));  // an administrator deleted it meanwhile
  std::vector<outcome> outcomes{{id(0), outcome_kind::delivered, 250, "250 2.0.0 ok", "mx [192.0.2.1]:25", 0s},
                                {id(1), outcome_kind::deferred, 451, "451 4.3.0 later", "mx [192.0.2.1]:25", 600s},
                                {id(2), outcome_kind::bounced, 550, "550 5.1.1 no such user", "mx", 0s},
                                {id(3), outcome_kind::delivered, 250, "250 ok", "mx", 0s}};
  ASSERT_TRUE(is_ok(run(a.settle(outcomes))));
  EXPECT_EQ(count("true"), 1);
  auto left = sql("SELECT id, attempts, last_code, last_reply, leased_by IS NULL, "
                  "extract(epoch FROM next_attempt_at - now())::int FROM queue");
  EXPECT_EQ(left.i64(0, 0), id(1));
  EXPECT_EQ(left.i64(0, 1), 1);
  EXPECT_EQ(left.i64(0, 2), 451);
  EXPECT_EQ(left.str(0, 3), "451 4.3.0 later");
  EXPECT_TRUE(left.boolean(0, 4));
  EXPECT_GE(left.i64(0, 5), 590);
  EXPECT_LE(left.i64(0, 5), 600);
  auto attempts = sql("SELECT queue_id, outcome, code FROM queue_attempts ORDER BY queue_id");
  ASSERT_EQ(attempts.size(), 3);  // none for the row that was gone
  EXPECT_EQ(attempts.str(0, 1), "delivered");
  EXPECT_EQ(attempts.str(1, 1), "deferred");
  EXPECT_EQ(attempts.str(2, 1), "bounced");
  EXPECT_EQ(attempts.i64(2, 2), 550);
  // The deferred row is not due: nothing to claim, and the wait is reported.
  auto again = run(a.claim(10, {}, 300s));
  ASSERT_TRUE(is_ok(again));
  EXPECT_TRUE(again->empty());
  auto due = run(a.next_due_in({}));
  ASSERT_TRUE(is_ok(due));
  ASSERT_TRUE(due->has_value());
  EXPECT_GE(**due, 590s);
}

TEST_F(queue_store_test, BackedOffDomainsAreNotClaimed) {
  queue_rows(3, "dead.test");
  queue_rows(2, "live.test");
  queue_store a(*pool_, "n", "n/1");
  auto rows = run(a.claim(10, {"dead.test"}, 300s));
  ASSERT_TRUE(is_ok(rows));
  EXPECT_EQ(rows->size(), 2u);
  for (auto const& r : *rows) EXPECT_EQ(r.domain, "live.test");
  auto due = run(a.next_due_in({"dead.test"}));
  ASSERT_TRUE(is_ok(due));
  EXPECT_FALSE(due->has_value());  // the only waiting rows are skipped
}

TEST_F(queue_store_test, ARestartedNodeTakesBackOnlyItsOwnEarlierLeases) {
  queue_rows(6, "a.test");
  queue_store before(*pool_, "mx1", "mx1/old"), other(*pool_, "mx10", "mx10/x");
  ASSERT_TRUE(is_ok(run(before.claim(3, {}, 300s))));
  ASSERT_TRUE(is_ok(run(other.claim(3, {}, 300s))));
  queue_store after(*pool_, "mx1", "mx1/new");
  auto reclaimed = run(after.reclaim_earlier_leases());
  ASSERT_TRUE(is_ok(reclaimed));
  EXPECT_EQ(*reclaimed, 3);
  EXPECT_EQ(count("leased_by = 'mx10/x'"), 3);  // "mx10" is another node, not a run of "mx1"
  auto rows = run(after.claim(10, {}, 300s));
  ASSERT_TRUE(is_ok(rows));
  EXPECT_EQ(rows->size(), 3u);
  auto taken = ids(*rows);
  ASSERT_TRUE(is_ok(run(after.release(std::vector<std::int64_t>(taken.begin(), taken.end())))));
  EXPECT_EQ(count("leased_by IS NULL"), 3);
}

}  // namespace
}  // namespace posta::itest
