// mail/store/snapshot_order: rows read in table order come out by UID with
// each row's MODSEQ and flags still beside its UID.
#include "mail/store/snapshot_order.hpp"

#include <gtest/gtest.h>

namespace posta::mail::store {
namespace {

TEST(snapshot_order, SortsTheParallelArraysTogether) {
  snapshot s;
  s.uids = {4, 1, 5, 2, 3};
  s.modseqs = {40, 10, 50, 20, 30};
  s.flag_set = {1, 0, 1, 0, 1};
  sort_by_uid(s);
  EXPECT_EQ(s.uids, (std::vector<uid_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(s.modseqs, (std::vector<std::int64_t>{10, 20, 30, 40, 50}));
  EXPECT_EQ(s.flag_set, (std::vector<std::uint32_t>{0, 0, 1, 1, 1}));
}

TEST(snapshot_order, LeavesSortedAndEmptySnapshotsAlone) {
  snapshot empty;
  sort_by_uid(empty);
  EXPECT_TRUE(empty.uids.empty());
  snapshot s;
  s.uids = {1, 2, 9};
  s.modseqs = {7, 3, 5};
  s.flag_set = {2, 0, 1};
  sort_by_uid(s);
  EXPECT_EQ(s.modseqs, (std::vector<std::int64_t>{7, 3, 5}));
  EXPECT_EQ(s.flag_set, (std::vector<std::uint32_t>{2, 0, 1}));
}

}  // namespace
}  // namespace posta::mail::store
