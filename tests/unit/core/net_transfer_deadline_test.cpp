// Tests of the minimum-rate transfer deadline (the slowloris bound).
#include "core/net/transfer_deadline.hpp"

#include <gtest/gtest.h>

namespace posta::net {
namespace {

using namespace std::chrono_literals;
using clock = transfer_deadline::clock;

TEST(net_transfer_deadline, bytes_earn_time_at_the_minimum_rate) {
  auto const t0 = clock::time_point{} + 1h;
  transfer_deadline d(t0, 10s, 1000);
  EXPECT_EQ(d.deadline(), t0 + 10s);
  d.on_bytes(500);
  EXPECT_EQ(d.deadline(), t0 + 10s + 500ms);
  d.on_bytes(2500);
  EXPECT_EQ(d.deadline(), t0 + 13s);
  EXPECT_EQ(d.remaining(t0 + 12s), 1s);
  EXPECT_FALSE(d.has_passed(t0 + 12s));
  EXPECT_TRUE(d.has_passed(t0 + 13s));
  EXPECT_EQ(d.remaining(t0 + 14s), clock::duration::zero());
}

// One byte every 1.5 s used to keep a session alive for ever: now each byte
// earns only 1/rate seconds, and the deadline comes.
TEST(net_transfer_deadline, a_trickle_meets_the_deadline) {
  auto const t0 = clock::time_point{} + 1h;
  transfer_deadline d(t0, 300s, 500);
  auto now = t0;
  int bytes = 0;
  while (!d.has_passed(now)) {
    now += 1500ms;
    d.on_bytes(1);
    ++bytes;
    ASSERT_LT(bytes, 1000);
  }
  EXPECT_LT(now - t0, 302s);
}

TEST(net_transfer_deadline, large_counts_do_not_overflow) {
  auto const t0 = clock::time_point{} + 1h;
  transfer_deadline d(t0, 1s, 3);
  d.on_bytes(3'000'000'001ull);  // 1e9 s and a third: (bytes * 1e9) would overflow
  EXPECT_EQ(d.deadline(), t0 + 1s + 1'000'000'000s + 333'333'333ns);
}

TEST(net_transfer_deadline, zero_rate_and_zero_base) {
  auto const t0 = clock::time_point{} + 1h;
  transfer_deadline fixed(t0, 5s, 0);
  fixed.on_bytes(1'000'000);
  EXPECT_EQ(fixed.deadline(), t0 + 5s);
  transfer_deadline none(t0, clock::duration::zero(), 1000);
  EXPECT_TRUE(none.is_unlimited());
  EXPECT_FALSE(none.has_passed(t0 + 1000h));
}

}  // namespace
}  // namespace posta::net
