// Sequence sets (RFC 3501 9, RFC 5182): parsing, the range bound, '*' and
// reversed ranges, resolution against a message count and a UID list.
#include "mail/imap/proto/sequence_set.hpp"

#include <gtest/gtest.h>

namespace posta::mail::imap::proto {
namespace {

sequence_set parse(std::string_view s) {
  auto r = parse_sequence_set(s, 100);
  EXPECT_TRUE(r.has_value()) << s;
  return r.value_or(sequence_set{});
}

TEST(ImapSequenceSet, ParsesNumbersRangesStarAndSaved) {
  EXPECT_EQ(parse("1").ranges, (std::vector<seq_range>{{1, 1}}));
  EXPECT_EQ(parse("3:1,*,5:*").ranges, (std::vector<seq_range>{{3, 1}, {seq_star, seq_star}, {5, seq_star}}));
  EXPECT_EQ(parse("4294967295").ranges, (std::vector<seq_range>{{4294967295u, 4294967295u}}));
  EXPECT_TRUE(parse("$").saved);
}

TEST(ImapSequenceSet, RejectsInvalidSets) {
  for (std::string_view bad :
       {"", "0", "1,", ",1", "1::2", "1:", ":2", "01", "4294967296", "1,$", "$,1", "a", "1:0", "-1", "1 2", "**"})
    EXPECT_FALSE(parse_sequence_set(bad, 100)) << bad;
}

TEST(ImapSequenceSet, BoundsTheNumberOfRanges) {
  EXPECT_TRUE(parse_sequence_set("1,2,3", 3));
  EXPECT_FALSE(parse_sequence_set("1,2,3,4", 3));
}

TEST(ImapSequenceSet, NormalizesSortsAndMerges) {
  EXPECT_EQ(normalize(parse("5:3,1,2,10:*"), 12), (std::vector<seq_range>{{1, 5}, {10, 12}}));
  EXPECT_EQ(normalize(parse("*:4"), 2), (std::vector<seq_range>{{2, 4}}));  // RFC 9051: 4:* with 2 messages
  EXPECT_EQ(normalize(parse("1:*"), 0), std::vector<seq_range>{});
  EXPECT_EQ(normalize(parse("7,4294967295,3:4294967295"), 9), (std::vector<seq_range>{{3, 4294967295u}}));
}

TEST(ImapSequenceSet, ChecksSequenceNumbersAgainstTheCount) {
  EXPECT_TRUE(is_within(parse("1:*"), 5));
  EXPECT_TRUE(is_within(parse("1:*"), 0));
  EXPECT_TRUE(is_within(parse("5"), 5));
  EXPECT_FALSE(is_within(parse("6"), 5));
  EXPECT_FALSE(is_within(parse("2:6"), 5));
}

TEST(ImapSequenceSet, SelectsUidsAndSequenceNumbers) {
  std::vector<std::uint32_t> uids = {3, 7, 8, 20};
  EXPECT_EQ(select_uids(parse("1:7"), uids), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(select_uids(parse("*"), uids), (std::vector<std::uint32_t>{3}));
  EXPECT_EQ(select_uids(parse("25:*"), uids), (std::vector<std::uint32_t>{3}));  // '*' is 20, so 20:25
  EXPECT_EQ(select_uids(parse("9:19"), uids), std::vector<std::uint32_t>{});
  EXPECT_EQ(select_uids(parse("1:*"), std::vector<std::uint32_t>{}), std::vector<std::uint32_t>{});
  EXPECT_EQ(select_sequence(parse("2,4:*"), 5), (std::vector<std::uint32_t>{1, 3, 4}));
  EXPECT_EQ(select_sequence(parse("4:9"), 5), (std::vector<std::uint32_t>{3, 4}));
}

TEST(ImapSequenceSet, ContainsUsesNormalizedRanges) {
  auto n = normalize(parse("2:4,9"), 10);
  EXPECT_FALSE(contains(n, 1));
  EXPECT_TRUE(contains(n, 2));
  EXPECT_TRUE(contains(n, 4));
  EXPECT_FALSE(contains(n, 5));
  EXPECT_TRUE(contains(n, 9));
  EXPECT_FALSE(contains(n, 10));
}

TEST(ImapSequenceSet, Formats) {
  std::vector<std::uint32_t> nums = {1, 2, 3, 5, 7, 8};
  EXPECT_EQ(format_numbers(nums), "1:3,5,7:8");
  EXPECT_EQ(format_numbers(std::vector<std::uint32_t>{}), "");
  EXPECT_EQ(format_sequence_set(parse("3:1,*,5:*")), "3:1,*,5:*");
  EXPECT_EQ(format_sequence_set(parse("$")), "$");
}

}  // namespace
}  // namespace posta::mail::imap::proto
