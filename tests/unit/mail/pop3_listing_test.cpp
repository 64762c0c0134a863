// Tests for LIST and UIDL written in bounded pieces (RFC 1939 7): any bound
// gives the same bytes as one whole listing, deleted messages are skipped,
// and each piece stops soon after its bound.
#include "mail/pop3/proto/listing.hpp"

#include <gtest/gtest.h>

namespace posta::mail::pop3::proto {
namespace {

maildrop make_drop(std::uint32_t count) {
  std::vector<maildrop_entry> entries;
  for (std::uint32_t i = 0; i < count; ++i) entries.push_back({100 + 2 * i, 1000 + i});
  return maildrop(42, std::move(entries));
}

std::string whole(maildrop const& drop, listing_kind kind) {
  std::string out;
  auto next = append_listing(drop, kind, 1, out, SIZE_MAX);
  EXPECT_EQ(next, drop.size() + 1);
  return out;
}

// Pieces of at most `bound` bytes past the start of each, as the session writes them.
std::string in_pieces(maildrop const& drop, listing_kind kind, std::size_t bound, std::size_t& largest) {
  std::string all;
  largest = 0;
  for (std::uint32_t n = 1; n <= drop.size();) {
    std::string piece;
    n = append_listing(drop, kind, n, piece, bound);
    largest = std::max(largest, piece.size());
    all += piece;
  }
  return all;
}

TEST(Pop3Listing, ScanLines) {
  auto drop = make_drop(3);
  EXPECT_EQ(whole(drop, listing_kind::sizes), "1 1000\r\n2 1001\r\n3 1002\r\n");
  EXPECT_EQ(whole(drop, listing_kind::unique_ids), "1 42.100\r\n2 42.102\r\n3 42.104\r\n");
  drop.mark_deleted(2);
  EXPECT_EQ(whole(drop, listing_kind::sizes), "1 1000\r\n3 1002\r\n");
  drop.mark_deleted(1);
  drop.mark_deleted(3);
  EXPECT_EQ(whole(maildrop(), listing_kind::sizes), "");
  EXPECT_EQ(whole(drop, listing_kind::unique_ids), "");
}

TEST(Pop3Listing, AnyBoundGivesTheSameBytesInBoundedPieces) {
  auto drop = make_drop(5000);
  for (std::uint32_t n = 7; n <= 5000; n += 13) drop.mark_deleted(n);
  for (auto kind : {listing_kind::sizes, listing_kind::unique_ids}) {
    auto const expected = whole(drop, kind);
    for (std::size_t bound : {1u, 10u, 100u, 4096u, 65536u}) {
      std::size_t largest = 0;
      EXPECT_EQ(in_pieces(drop, kind, bound, largest), expected) << bound;
      // A piece ends with the line that reached its bound.
      EXPECT_LT(largest, bound + 32) << bound;
    }
  }
}

TEST(Pop3Listing, ContinuesFromAnyNumber) {
  auto drop = make_drop(4);
  std::string out;
  EXPECT_EQ(append_listing(drop, listing_kind::sizes, 3, out, SIZE_MAX), 5u);
  EXPECT_EQ(out, "3 1002\r\n4 1003\r\n");
  out.clear();
  EXPECT_EQ(append_listing(drop, listing_kind::sizes, 9, out, SIZE_MAX), 9u);
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace posta::mail::pop3::proto
