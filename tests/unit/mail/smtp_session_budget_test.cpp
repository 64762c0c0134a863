// Tests of the per-session budget: command count, command rate, lifetime.
#include "mail/smtp/proto/session_budget.hpp"

#include <gtest/gtest.h>

namespace posta::mail::smtp::proto {
namespace {

using namespace std::chrono_literals;
using clock = session_budget::clock;
using verdict = session_budget::verdict;

TEST(SmtpSessionBudget, EveryCommandCounts) {
  auto const t0 = clock::time_point{} + 1h;
  session_budget b({.max_commands = 3}, t0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.on_command(t0 + std::chrono::seconds(i)), verdict::ok) << i;
  EXPECT_EQ(b.on_command(t0 + 10s), verdict::too_many_commands);
}

TEST(SmtpSessionBudget, RateAllowsABurstOfFiveSecondsThenRefills) {
  auto const t0 = clock::time_point{} + 1h;
  session_budget b({.max_commands_per_second = 5}, t0);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(b.on_command(t0), verdict::ok) << i;
  EXPECT_EQ(b.on_command(t0), verdict::too_fast);
  EXPECT_EQ(b.on_command(t0 + 200ms), verdict::ok);  // one token back after 1/5 s
  EXPECT_EQ(b.on_command(t0 + 200ms), verdict::too_fast);
  // A pipelined transaction of a thousand recipients passes at the default rate.
  session_budget fast({.max_commands_per_second = 500}, t0);
  for (int i = 0; i < 1003; ++i) EXPECT_EQ(fast.on_command(t0), verdict::ok) << i;
}

TEST(SmtpSessionBudget, Lifetime) {
  auto const t0 = clock::time_point{} + 1h;
  session_budget b({.max_lifetime = 60s}, t0);
  EXPECT_TRUE(b.has_lifetime());
  EXPECT_EQ(b.lifetime_left(t0 + 20s), 40s);
  EXPECT_EQ(b.on_command(t0 + 59s), verdict::ok);
  EXPECT_EQ(b.on_command(t0 + 60s), verdict::too_old);
  EXPECT_EQ(b.lifetime_left(t0 + 61s), clock::duration::zero());
}

TEST(SmtpSessionBudget, ZeroMeansUnlimited) {
  auto const t0 = clock::time_point{} + 1h;
  session_budget b({}, t0);
  EXPECT_FALSE(b.has_lifetime());
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(b.on_command(t0 + 1000h), verdict::ok);
}

}  // namespace
}  // namespace posta::mail::smtp::proto
