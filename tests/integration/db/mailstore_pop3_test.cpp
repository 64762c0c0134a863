// What POP3 needs of PostgreSQL, against a real server: the maildrop listing
// (mailbox_store::sizes: oldest first, bounded, with the total) and the
// maildrop lock of mail/pop3/store (one holder per account across nodes,
// released, lapsing, extended only for live sessions). RFC 1939 4.
#include "mailstore_fixture.hpp"

#include "mail/pop3/store/maildrop_locks.hpp"

namespace posta::itest {
namespace {

using mail::pop3::store::maildrop_locks;

TEST_F(mailstore, SizesListTheOldestMessagesUpToTheBound) {
  for (int i = 0; i < 5; ++i) append("INBOX", std::string(hello) + std::string(static_cast<std::size_t>(i), 'x'));
  auto inbox = box("INBOX");
  auto three = run(store_->sizes(inbox, 3));
  ASSERT_TRUE(is_ok(three));
  EXPECT_EQ(three->total, 5);
  ASSERT_EQ(three->messages.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(three->messages[i].uid, i + 1);
    EXPECT_EQ(three->messages[i].size, static_cast<std::int64_t>(std::string(hello).size() + i));
  }
  auto all = run(store_->sizes(inbox, 100));
  ASSERT_TRUE(is_ok(all));
  EXPECT_EQ(all->messages.size(), 5u);
  // Another account's mailbox lists nothing through this account.
  auto bob = add_account("bob@store.test");
  auto foreign = run(store_->sizes({bob, inbox.mailbox_id}, 100));
  ASSERT_TRUE(is_ok(foreign));
  EXPECT_TRUE(foreign->messages.empty());
  EXPECT_EQ(foreign->total, 0);
}

class pop3_locks : public mailstore {
 protected:
  std::optional<maildrop_locks::held> take(maildrop_locks& node, std::string address = "ann@store.test") {
    auto r = run(node.try_acquire(std::move(address), "192.0.2.1"));
    EXPECT_TRUE(is_ok(r));
    if (!r) return std::nullopt;
    return std::move(*r);
  }
  std::int64_t count_of(maildrop_locks const& node) {
    return sql("SELECT count(*) FROM pop3_maildrop_locks WHERE node = $1", db::make_params(node.node())).i64(0, 0);
  }
};

TEST_F(pop3_locks, OneHolderPerAccountAcrossNodes) {
  maildrop_locks a(*pool_, "a.test"), b(*pool_, "b.test");
  EXPECT_NE(a.node(), b.node());
  auto held = take(a);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->account_id(), account_);
  EXPECT_FALSE(take(b).has_value());  // another node
  EXPECT_FALSE(take(a).has_value());  // another session of the same node
  add_account("bob@store.test");
  EXPECT_TRUE(take(b, "bob@store.test").has_value());  // other accounts are free
  run(a.release(std::move(*held)));
  EXPECT_EQ(count_of(a), 0);
  EXPECT_TRUE(take(b).has_value());
  EXPECT_TRUE(fails_with(run(a.try_acquire("nobody@store.test", "")), errc::not_found));
}

TEST_F(pop3_locks, ALapsedLeaseIsTakenOverAndOnlyLiveOnesAreExtended) {
  maildrop_locks crashed(*pool_, "crashed.test"), alive(*pool_, "alive.test");
  add_account("bob@store.test");
  auto lost = take(crashed);
  ASSERT_TRUE(lost.has_value());
  auto kept = take(alive, "bob@store.test");
  ASSERT_TRUE(kept.has_value());
  lost.reset();  // the session vanished without releasing: no longer extended
  sql("UPDATE pop3_maildrop_locks SET expires_at = now() + interval '50 seconds'");
  ASSERT_TRUE(is_ok(run(crashed.refresh_now())));
  ASSERT_TRUE(is_ok(run(alive.refresh_now())));
  auto left = sql("SELECT a.address, l.expires_at > now() + interval '60 seconds' FROM pop3_maildrop_locks l "
                  "JOIN accounts a ON a.id = l.account_id ORDER BY a.address");
  ASSERT_EQ(left.size(), 2);
  EXPECT_EQ(left.str(0, 0), "ann@store.test");
  EXPECT_EQ(left.str(0, 1), "f");  // not extended: it lapses
  EXPECT_EQ(left.str(1, 0), "bob@store.test");
  EXPECT_EQ(left.str(1, 1), "t");
  // Once lapsed, another node takes the account over.
  EXPECT_FALSE(take(alive).has_value());
  sql("UPDATE pop3_maildrop_locks SET expires_at = now() - interval '1 second' WHERE node = $1",
      db::make_params(crashed.node()));
  auto taken = take(alive);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(count_of(crashed), 0);
  EXPECT_EQ(count_of(alive), 2);
}

}  // namespace
}  // namespace posta::itest
