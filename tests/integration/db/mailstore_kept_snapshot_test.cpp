// mail/store/snapshot_cache: a SELECT answered from a kept snapshot plus the
// changes since its HIGHESTMODSEQ equals a SELECT that reads every row, after
// every kind of change, made on this node or on another one.
#include "mailstore_fixture.hpp"

#include "mail/store/snapshot_cache.hpp"

namespace posta::itest {
namespace {

class kept_snapshot : public mailstore {
 protected:
  void SetUp() override {
    mailstore::SetUp();
    ms::store_limits keeps_all;
    keeps_all.kept_snapshot_min_messages = 1;
    node_ = std::make_unique<ms::mailbox_store>(*pool_, *blobs_, keeps_all);
  }

  // What this node's SELECT says against what a store without kept
  // snapshots reads (another node, store_, never keeps a mailbox this small).
  void expect_same(ms::mailbox_ref b, char const* when) {
    auto kept = run(node_->select(b));
    auto read = run(store_->select(b));
    ASSERT_TRUE(is_ok(kept) && is_ok(read)) << when;
    EXPECT_EQ(kept->uids, read->uids) << when;
    EXPECT_EQ(kept->modseqs, read->modseqs) << when;
    EXPECT_EQ(kept->uidnext, read->uidnext) << when;
    EXPECT_EQ(kept->highestmodseq, read->highestmodseq) << when;
    EXPECT_EQ(kept->recent_uid, read->recent_uid) << when;
    EXPECT_EQ(kept->keywords, read->keywords) << when;
    ASSERT_EQ(kept->flag_set.size(), read->flag_set.size()) << when;
    for (std::size_t i = 0; i < kept->flag_set.size(); ++i)
      EXPECT_EQ(kept->flag_sets[kept->flag_set[i]], read->flag_sets[read->flag_set[i]]) << when << " at " << i;
  }

  std::unique_ptr<ms::mailbox_store> node_;
};

TEST_F(kept_snapshot, EqualsAFullReadAfterEveryKindOfChange) {
  auto inbox = box("INBOX");
  auto archive = box("Archive");
  for (int i = 0; i < 6; ++i) append("INBOX", hello);
  for (int i = 0; i < 3; ++i) append("Archive", hello, {"\\Flagged"});
  expect_same(inbox, "first select");
  expect_same(inbox, "nothing changed");

  ms::uid_set two_four{{2, 2}, {4, 4}};
  ASSERT_TRUE(is_ok(run(store_->store_flags(inbox, two_four, ms::store_mode::add, {"\\Seen", "$Label1"}))));
  expect_same(inbox, "flags and a new keyword set elsewhere");

  ASSERT_TRUE(is_ok(run(store_->store_flags(inbox, {{1, 3}}, ms::store_mode::add, {"\\Deleted"}))));
  ASSERT_TRUE(is_ok(run(store_->expunge(inbox))));
  expect_same(inbox, "1-3 expunged");

  append("INBOX", hello, {"\\Draft"});
  ASSERT_TRUE(is_ok(run(store_->move(archive, {{1, 2}}, inbox.mailbox_id))));
  ASSERT_TRUE(is_ok(run(store_->copy(archive, {{3, 3}}, inbox.mailbox_id))));
  expect_same(inbox, "appended, moved and copied in");

  // Changes from this node, and an expunge of the newest message.
  ASSERT_TRUE(is_ok(run(node_->store_flags(inbox, all(), ms::store_mode::replace, {}))));
  auto last = run(node_->select(inbox));
  ASSERT_TRUE(is_ok(last));
  ms::uid_set newest{{last->uids.back(), last->uids.back()}};
  ASSERT_TRUE(is_ok(run(node_->expunge_uids(inbox, newest))));
  auto claimed = run(node_->claim_recent(inbox, last->uids.back()));
  ASSERT_TRUE(is_ok(claimed));
  expect_same(inbox, "flags cleared, the newest expunged, \\Recent claimed");
  expect_same(archive, "the source of the move");
}

TEST_F(kept_snapshot, AnotherAccountCannotSelectAKeptMailbox) {
  auto inbox = box("INBOX");
  append("INBOX", hello);
  ASSERT_TRUE(is_ok(run(node_->select(inbox))));
  auto other = add_account("bob@store.test");
  EXPECT_TRUE(fails_with(run(node_->select({other, inbox.mailbox_id})), ms::store_errc::nonexistent));
}

TEST_F(kept_snapshot, ADeletedMailboxIsGoneEvenWhenKept) {
  ASSERT_TRUE(is_ok(run(store_->create(account_, "Old"))));
  append("Old", hello);
  auto old = box("Old");
  ASSERT_TRUE(is_ok(run(node_->select(old))));
  ASSERT_TRUE(is_ok(run(store_->remove(account_, "Old"))));
  EXPECT_TRUE(fails_with(run(node_->select(old)), ms::store_errc::nonexistent));
}

}  // namespace
}  // namespace posta::itest
