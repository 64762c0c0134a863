// mail/store/snapshot_update and snapshot_cache: a kept snapshot with the
// changes after its HIGHESTMODSEQ merged in; the cache's bound.
#include "mail/store/snapshot_cache.hpp"
#include "mail/store/snapshot_update.hpp"

#include <gtest/gtest.h>

namespace posta::mail::store {
namespace {

snapshot base_of(std::vector<uid_t> uids) {
  snapshot s;
  s.mailbox_id = 7;
  s.uidvalidity = 99;
  s.flag_sets = {{}, {"\\Seen"}};
  for (auto u : uids) {
    s.uids.push_back(u);
    s.modseqs.push_back(u * 10);
    s.flag_set.push_back(u % 2);
  }
  s.uidnext = s.uids.empty() ? 1 : s.uids.back() + 1;
  s.highestmodseq = s.uids.empty() ? 1 : s.uids.back() * 10;
  return s;
}

flag_list flags_at(snapshot const& s, std::size_t i) { return s.flag_sets[s.flag_set[i]]; }

TEST(snapshot_update, NothingChangedKeepsTheMessagesAndTakesTheState) {
  auto base = base_of({1, 2, 3});
  changes ch;
  ch.uidnext = 4;
  ch.highestmodseq = 31;  // a change that touched no message (e.g. an expunge of nothing)
  ch.recent_uid = 3;
  ch.keywords = {"$Label1"};
  auto out = apply_changes(base, ch);
  EXPECT_EQ(out.uids, base.uids);
  EXPECT_EQ(out.modseqs, base.modseqs);
  EXPECT_EQ(out.highestmodseq, 31);
  EXPECT_EQ(out.recent_uid, 3);
  EXPECT_EQ(out.keywords, ch.keywords);
  EXPECT_EQ(out.uidvalidity, 99);
  EXPECT_EQ(out.mailbox_id, 7);
}

TEST(snapshot_update, MergesChangedNewAndExpungedInUidOrder) {
  auto base = base_of({1, 2, 3, 5, 8});
  changes ch;
  ch.uidnext = 12;
  ch.highestmodseq = 200;
  ch.changed = {{2, 101, {"\\Flagged"}}, {5, 102, {"\\Seen"}}, {9, 103, {}}, {11, 104, {"\\Draft"}}};
  ch.expunged = {1, 8, 10};  // 10: added and expunged after the snapshot
  auto out = apply_changes(base, ch);
  EXPECT_EQ(out.uids, (std::vector<uid_t>{2, 3, 5, 9, 11}));
  EXPECT_EQ(out.modseqs, (std::vector<std::int64_t>{101, 30, 102, 103, 104}));
  EXPECT_EQ(flags_at(out, 0), (flag_list{"\\Flagged"}));
  EXPECT_EQ(flags_at(out, 1), (flag_list{"\\Seen"}));
  EXPECT_EQ(flags_at(out, 2), (flag_list{"\\Seen"}));
  EXPECT_EQ(flags_at(out, 3), (flag_list{}));
  EXPECT_EQ(flags_at(out, 4), (flag_list{"\\Draft"}));
  EXPECT_EQ(out.uidnext, 12);
}

TEST(snapshot_update, EverythingExpungedLeavesAnEmptyMailbox) {
  auto base = base_of({4, 6});
  changes ch;
  ch.expunged = {4, 6};
  EXPECT_TRUE(apply_changes(base, ch).uids.empty());
  EXPECT_TRUE(apply_changes(base_of({}), changes{}).uids.empty());
}

std::shared_ptr<snapshot const> sized(std::int64_t id, std::size_t messages) {
  snapshot s;
  s.mailbox_id = id;
  s.uids.resize(messages);
  return std::make_shared<snapshot const>(std::move(s));
}

TEST(snapshot_cache, KeepsOnlyLargeMailboxesWithinItsBoundLeastRecentFirstOut) {
  snapshot_cache cache(100, 10);
  cache.put(sized(1, 9));
  EXPECT_EQ(cache.find(1), nullptr);  // small: read again each time
  cache.put(sized(1, 40));
  cache.put(sized(2, 40));
  ASSERT_NE(cache.find(1), nullptr);  // 1 is now the most recently used
  cache.put(sized(3, 40));            // 120 > 100: the least recent (2) goes
  EXPECT_EQ(cache.find(2), nullptr);
  EXPECT_NE(cache.find(1), nullptr);
  EXPECT_NE(cache.find(3), nullptr);
  cache.put(sized(1, 50));  // replaces 1's older snapshot: 90 in all
  EXPECT_EQ(cache.find(1)->uids.size(), 50u);
  EXPECT_NE(cache.find(3), nullptr);
  cache.put(sized(4, 101));  // larger than the bound: never kept
  EXPECT_EQ(cache.find(4), nullptr);
  cache.forget(3);
  EXPECT_EQ(cache.find(3), nullptr);
}

}  // namespace
}  // namespace posta::mail::store
