// \Recent decided in the database (mail/store/recent.cpp, RFC 3501 2.3.2):
// every UID is claimed by exactly one session, however many claim at once,
// and STATUS RECENT counts what nobody claimed.
#include "mailstore_fixture.hpp"

namespace posta::itest {
namespace {

TEST_F(mailstore, RecentUidsAreClaimedOnceAndCounted) {
  auto inbox = box("INBOX");
  for (int i = 0; i < 3; ++i) append("INBOX", hello);
  auto st = run(store_->status(inbox));
  ASSERT_TRUE(is_ok(st));
  EXPECT_EQ(st->recent, 3);
  auto snap = run(store_->select(inbox));
  ASSERT_TRUE(is_ok(snap));
  EXPECT_EQ(snap->recent_uid, 0);
  auto first = run(store_->claim_recent(inbox, 2));
  ASSERT_TRUE(is_ok(first));
  EXPECT_EQ(*first, std::optional<ms::uid_t>(0));  // UIDs 1..2 are this claimer's
  auto again = run(store_->claim_recent(inbox, 2));
  ASSERT_TRUE(is_ok(again));
  EXPECT_FALSE(*again);  // nothing left up to 2
  auto more = run(store_->claim_recent(inbox, 3));
  ASSERT_TRUE(is_ok(more));
  EXPECT_EQ(*more, std::optional<ms::uid_t>(2));  // only UID 3
  st = run(store_->status(inbox));
  EXPECT_EQ(st->recent, 0);
  auto ch = run(store_->changes_since(inbox, 0));
  ASSERT_TRUE(is_ok(ch));
  EXPECT_EQ(ch->recent_uid, 3);
  EXPECT_EQ(ch->name, "INBOX");
  // Another account's mailbox cannot be claimed through this account.
  auto bob = add_account("bob@store.test");
  auto foreign = run(store_->claim_recent({bob, inbox.mailbox_id}, 10));
  ASSERT_TRUE(is_ok(foreign));
  EXPECT_FALSE(*foreign);
}

TEST_F(mailstore, ConcurrentClaimsShareNoUid) {
  auto inbox = box("INBOX");
  for (int i = 0; i < 20; ++i) append("INBOX", hello);
  // Eight sessions claim up to UIDs 5, 10, ... at once; the claimed ranges
  // (before, up_to] must tile 1..20 without overlap.
  std::vector<std::pair<ms::uid_t, ms::uid_t>> claimed;
  int finished = 0;
  auto claimer = [&](ms::uid_t up_to) -> asio::awaitable<void> {
    auto r = co_await store_->claim_recent(inbox, up_to);
    if (r && *r) claimed.emplace_back(**r, up_to);
    ++finished;
  };
  for (ms::uid_t up_to : {5u, 10u, 20u, 15u, 10u, 20u, 5u, 15u}) asio::co_spawn(io_, claimer(up_to), asio::detached);
  run([&]() -> asio::awaitable<void> {
    asio::steady_timer t(io_);
    while (finished < 8) {
      t.expires_after(10ms);
      co_await t.async_wait(asio::use_awaitable);
    }
  }());
  std::vector<int> owners(21, 0);
  for (auto [before, up_to] : claimed)
    for (auto uid = before + 1; uid <= up_to; ++uid) ++owners[uid];
  for (int uid = 1; uid <= 20; ++uid) EXPECT_EQ(owners[uid], 1) << uid;
}

}  // namespace
}  // namespace posta::itest
