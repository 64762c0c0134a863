// QRESYNC message sequence match data (RFC 7162 3.2.5.2): the highest UID
// of a client's (sequence number, UID) pair that still holds.
#include "mail/imap/proto/qresync_match.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace posta::mail::imap::proto {
namespace {

sequence_set set(std::string_view s) { return parse_sequence_set(s, 100).value_or(sequence_set{}); }

// The mailbox now: message n has UID 2n.
std::vector<std::uint32_t> const now = {2, 4, 6, 8, 10};

TEST(ImapQresyncMatch, TheHighestPairThatStillHoldsIsTheFloor) {
  // RFC 7162 3.2.5.2 example shape: every other message.
  EXPECT_EQ(qresync_known_floor(set("1,3,5"), set("2,6,10"), now), 10u);
  EXPECT_EQ(qresync_known_floor(set("1:2"), set("2,4"), now), 4u);
}

TEST(ImapQresyncMatch, APairThatMovedDoesNotCount) {
  // The client thinks message 3 is UID 5: UID 5 went without its knowing.
  EXPECT_EQ(qresync_known_floor(set("1,3"), set("2,5"), now), 2u);
  EXPECT_EQ(qresync_known_floor(set("3"), set("5"), now), 0u);
}

TEST(ImapQresyncMatch, SequenceNumbersPastTheMailboxNeverMatch) {
  EXPECT_EQ(qresync_known_floor(set("6:7"), set("12:13"), now), 0u);
  EXPECT_EQ(qresync_known_floor(set("5:4294967295"), set("10:4294967294"), now), 0u);  // sizes differ
  EXPECT_EQ(qresync_known_floor(set("2,9"), set("4,20"), now), 4u);
}

TEST(ImapQresyncMatch, SetsOfDifferentSizesAreIgnored) {
  EXPECT_EQ(qresync_known_floor(set("1:3"), set("2,4"), now), 0u);
  EXPECT_EQ(qresync_known_floor(set("$"), set("2"), now), 0u);
  EXPECT_EQ(qresync_known_floor(set("1"), set("2"), {}), 0u);
}

TEST(ImapQresyncMatch, RangesOfDifferentShapesWalkInStep) {
  // (1,2) (2,4) (3,6) (4,8): the UID set as a list, the sequence set as a range.
  EXPECT_EQ(qresync_known_floor(set("1:4"), set("2,4,6,8"), now), 8u);
  EXPECT_EQ(qresync_known_floor(set("1,2,3,4"), set("2,4:5,8"), now), 8u);  // (3,5) fails, (4,8) holds
}

}  // namespace
}  // namespace posta::mail::imap::proto
