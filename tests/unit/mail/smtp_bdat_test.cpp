// Tests for BDAT chunk accounting (RFC 3030 2, 4).
#include "mail/smtp/proto/bdat.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace posta::mail::smtp::proto {
namespace {

using verdict = bdat_accounting::verdict;

TEST(SmtpBdat, SumsChunksUntilLast) {
  bdat_accounting a(100);
  EXPECT_FALSE(a.has_started());
  EXPECT_EQ(a.add(40, false), verdict::accept);
  EXPECT_TRUE(a.has_started());
  EXPECT_FALSE(a.is_complete());
  EXPECT_EQ(a.add(0, false), verdict::accept);
  EXPECT_EQ(a.add(60, true), verdict::accept);  // exactly the bound
  EXPECT_TRUE(a.is_complete());
  EXPECT_EQ(a.total(), 100u);
  EXPECT_EQ(a.chunks(), 3u);
  EXPECT_FALSE(a.is_oversize());
  EXPECT_EQ(a.add(1, false), verdict::after_last);
}

TEST(SmtpBdat, EmptyLastChunk) {
  bdat_accounting a(10);
  EXPECT_EQ(a.add(0, true), verdict::accept);
  EXPECT_TRUE(a.is_complete());
  EXPECT_EQ(a.total(), 0u);
}

TEST(SmtpBdat, OverTheBoundStaysRefused) {
  bdat_accounting a(100);
  EXPECT_EQ(a.add(60, false), verdict::accept);
  EXPECT_EQ(a.add(41, false), verdict::too_big);
  EXPECT_TRUE(a.is_oversize());
  EXPECT_EQ(a.add(1, false), verdict::too_big);  // even a chunk that would fit
  EXPECT_EQ(a.add(1, true), verdict::too_big);
  EXPECT_TRUE(a.is_complete());
  EXPECT_EQ(a.total(), 60u);
  a.reset();
  EXPECT_FALSE(a.has_started());
  EXPECT_FALSE(a.is_oversize());
  EXPECT_EQ(a.add(100, true), verdict::accept);
}

TEST(SmtpBdat, HugeSizesDoNotOverflow) {
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  bdat_accounting a(max - 1);
  EXPECT_EQ(a.add(max - 10, false), verdict::accept);
  EXPECT_EQ(a.add(max, false), verdict::too_big);
  bdat_accounting b(1000);
  EXPECT_EQ(b.add(max, true), verdict::too_big);
}

}  // namespace
}  // namespace posta::mail::smtp::proto
