// The administrators' queue against PostgreSQL: recipient rows become
// messages by delivery id (a row written without one is a message of its
// own), pages and the search text select whole messages, a delete removes
// only its message and records why, and clear empties a queue larger than
// one batch, releasing the bodies' references.
#include "db_fixture.hpp"

#include "mail/queue/queue_admin.hpp"

namespace posta::itest {
namespace {

using namespace mail::queue;

class queue_admin_test : public db_test {
 protected:
  void SetUp() override {
    db_test::SetUp();
    sql("INSERT INTO blobs(hash, size, refcount) VALUES ('h1', 1234, 0), ('h2', 99, 0)");
  }

  // `n` recipients of one message (delivery id `id`, or none when empty).
  void queue_message(std::string const& id, std::string const& sender, int n, std::string const& hash = "h1") {
    sql("WITH added AS (INSERT INTO queue(blob_hash, sender, recipient, delivery_id) "
        "  SELECT $4, $2, 'r' || i || '-' || coalesce(nullif($1, ''), 'x') || '@remote.test', nullif($1, '') "
        "  FROM generate_series(1, $3::int) i RETURNING blob_hash) "
        "UPDATE blobs SET refcount = refcount + (SELECT count(*) FROM added) WHERE hash = $4",
        db::make_params(id, sender, n, hash));
  }
};

TEST_F(queue_admin_test, RowsAreGroupedIntoMessagesOldestFirst) {
  queue_message("Q1", "ann@local.test", 3);
  queue_message("", "bob@local.test", 1, "h2");
  queue_message("Q3", "", 2);
  auto listing = run(list_queue(*pool_, {}));
  ASSERT_TRUE(is_ok(listing));
  EXPECT_EQ(listing->total, 3);
  ASSERT_EQ(listing->messages.size(), 3u);
  auto const& first = listing->messages[0];
  EXPECT_EQ(first.id, "Q1");
  EXPECT_EQ(first.sender, "ann@local.test");
  EXPECT_EQ(first.size, 1234);
  EXPECT_EQ(first.recipients.size(), 3u);
  EXPECT_EQ(first.attempts(), 0);
  EXPECT_EQ(first.last_attempted(), nullptr);
  auto const& second = listing->messages[1];
  EXPECT_EQ(second.id, sql("SELECT id::text FROM queue WHERE delivery_id IS NULL").str(0, 0));
  EXPECT_EQ(second.size, 99);
  EXPECT_EQ(listing->messages[2].sender, "");
}

TEST_F(queue_admin_test, PagesAndSearchSelectWholeMessages) {
  for (int i = 0; i < 5; ++i) queue_message("P" + std::to_string(i), "ann@local.test", 2);
  queue_message("S", "Searched@Local.Test", 4);
  queue_filter page2;
  page2.page = 2;
  page2.page_size = 2;
  auto listing = run(list_queue(*pool_, page2));
  ASSERT_TRUE(is_ok(listing));
  EXPECT_EQ(listing->total, 6);
  ASSERT_EQ(listing->messages.size(), 2u);
  EXPECT_EQ(listing->messages[0].id, "P2");
  EXPECT_EQ(listing->messages[1].recipients.size(), 2u);
  queue_filter search;
  search.text = "searched@";
  listing = run(list_queue(*pool_, search));
  ASSERT_TRUE(is_ok(listing));
  EXPECT_EQ(listing->total, 1);
  ASSERT_EQ(listing->messages.size(), 1u);
  EXPECT_EQ(listing->messages[0].recipients.size(), 4u);
  queue_filter far;
  far.page = 100;
  listing = run(list_queue(*pool_, far));
  ASSERT_TRUE(is_ok(listing));
  EXPECT_EQ(listing->total, 6) << "the total is known past the last page";
  EXPECT_TRUE(listing->messages.empty());
  queue_filter bad;
  bad.page_size = 0;
  EXPECT_FALSE(is_ok(run(list_queue(*pool_, bad))));
}

TEST_F(queue_admin_test, DeleteRemovesOneMessageAndRecordsIt) {
  queue_message("D1", "ann@local.test", 2);
  queue_message("D2", "ann@local.test", 1);
  auto n = run(delete_queued(*pool_, "D1", "127.0.0.1:1"));
  ASSERT_TRUE(is_ok(n));
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(sql("SELECT count(*) FROM queue").i64(0, 0), 1);
  EXPECT_EQ(sql("SELECT refcount FROM blobs WHERE hash = 'h1'").i64(0, 0), 1);
  EXPECT_EQ(sql("SELECT count(*) FROM queue_attempts WHERE message_id = 'D1' AND outcome = 'deleted'").i64(0, 0), 2);
  auto again = run(delete_queued(*pool_, "D1", "127.0.0.1:1"));
  ASSERT_TRUE(is_ok(again));
  EXPECT_EQ(*again, 0);
  auto shown = run(show_queued(*pool_, "D1"));
  ASSERT_TRUE(is_ok(shown));
  EXPECT_FALSE(*shown);
}

TEST_F(queue_admin_test, FlushAndResendMakeRowsDueButLeaveLeasedOnesAlone) {
  queue_message("F1", "ann@local.test", 2);
  queue_message("F2", "ann@local.test", 1);
  sql("UPDATE queue SET next_attempt_at = now() + interval '1 hour'");
  sql("UPDATE queue SET leased_by = 'n/1', lease_expires_at = now() + interval '5 minutes' "
      "WHERE recipient = 'r1-F1@remote.test'");
  auto resent = run(resend_queued(*pool_, "F2", "127.0.0.1:1"));
  ASSERT_TRUE(is_ok(resent));
  EXPECT_EQ(*resent, 1);
  EXPECT_EQ(sql("SELECT count(*) FROM queue WHERE next_attempt_at <= now()").i64(0, 0), 1);
  auto flushed = run(flush_queue(*pool_, "127.0.0.1:1"));
  ASSERT_TRUE(is_ok(flushed));
  EXPECT_EQ(*flushed, 1) << "the row due already and the leased one are not counted";
  EXPECT_EQ(sql("SELECT count(*) FROM queue WHERE next_attempt_at > now()").i64(0, 0), 1);
  auto shown = run(show_queued(*pool_, "F1"));
  ASSERT_TRUE(is_ok(shown));
  ASSERT_TRUE(*shown);
  EXPECT_TRUE((*shown)->message.recipients[0].in_delivery);
  EXPECT_FALSE((*shown)->message.recipients[1].in_delivery);
}

TEST_F(queue_admin_test, ClearEmptiesAQueueLargerThanOneBatch) {
  queue_message("C1", "ann@local.test", 7000);
  queue_message("C2", "ann@local.test", 4000, "h2");
  auto n = run(clear_queue(*pool_, "127.0.0.1:1"));
  ASSERT_TRUE(is_ok(n));
  EXPECT_EQ(*n, 11000);
  EXPECT_EQ(sql("SELECT count(*) FROM queue").i64(0, 0), 0);
  EXPECT_EQ(sql("SELECT sum(refcount) FROM blobs").i64(0, 0), 0);
  EXPECT_EQ(sql("SELECT count(*) FROM queue_attempts WHERE outcome = 'deleted'").i64(0, 0), 11000);
}

}  // namespace
}  // namespace posta::itest
