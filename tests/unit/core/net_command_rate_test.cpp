// The per-session command rate shared by IMAP and POP3 (core/net/command_rate.hpp).
#include "core/net/command_rate.hpp"

#include <gtest/gtest.h>

namespace posta::net {
namespace {

TEST(CommandRate, BurstThenSlowsDown) {
  using clock = std::chrono::steady_clock;
  command_rate r;
  auto t = clock::now();
  r.set_rate(10, t);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(r.delay(t), clock::duration::zero()) << i;
  auto wait = r.delay(t);
  EXPECT_GT(wait, std::chrono::milliseconds(90));
  EXPECT_LT(wait, std::chrono::milliseconds(110));
  // A second later ten more are free again.
  t += std::chrono::seconds(2);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(r.delay(t), clock::duration::zero()) << i;
}

TEST(CommandRate, ZeroIsUnlimited) {
  command_rate r;
  auto t = std::chrono::steady_clock::now();
  r.set_rate(0, t);
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(r.delay(t), std::chrono::steady_clock::duration::zero());
}

}  // namespace
}  // namespace posta::net
