// Tests for the per-client message rate limiter over simulated time: the
// weighted two-bucket window, unlimited, eviction, IPv6 /64 keys, threads.
#include "mail/smtp/policy/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace posta::mail::smtp::policy {
namespace {

using namespace std::chrono_literals;
using time_point = rate_limiter::time_point;

time_point const t0 = time_point{} + 1000h;

std::size_t take_many(rate_limiter& r, std::string_view key, std::uint64_t limit, time_point now, std::size_t n) {
  std::size_t ok = 0;
  for (std::size_t i = 0; i < n; ++i) ok += r.try_take(key, limit, now) ? 1 : 0;
  return ok;
}

TEST(SmtpPolicyRateLimiter, ZeroIsUnlimitedAndTracksNothing) {
  rate_limiter r;
  EXPECT_EQ(take_many(r, "192.0.2.1", 0, t0, 10'000), 10'000u);
  EXPECT_EQ(r.tracked_keys(), 0u);
}

TEST(SmtpPolicyRateLimiter, LimitWithinOneMinute) {
  rate_limiter r;
  EXPECT_EQ(take_many(r, "192.0.2.1", 5, t0, 5), 5u);
  EXPECT_FALSE(r.try_take("192.0.2.1", 5, t0 + 30s));
  EXPECT_FALSE(r.try_take("192.0.2.1", 5, t0 + 59s));
  EXPECT_TRUE(r.try_take("192.0.2.2", 5, t0 + 59s));  // other keys are independent
}

TEST(SmtpPolicyRateLimiter, SlidingWeightsThePreviousMinute) {
  rate_limiter r;
  EXPECT_EQ(take_many(r, "k", 10, t0, 10), 10u);
  // 60 s later a new bucket starts; the previous one still weighs fully.
  EXPECT_FALSE(r.try_take("k", 10, t0 + 60s));
  // At +90 s half of it has slid out: 10 * 0.5 + taken <= 10 allows 5 more.
  EXPECT_EQ(take_many(r, "k", 10, t0 + 90s, 10), 5u);
  // At +120 s the first bucket has slid out entirely; the 5 from +90 s
  // weigh fully at the start of the third bucket, so 5 more.
  EXPECT_EQ(take_many(r, "k", 10, t0 + 120s, 10), 5u);
  // After two idle minutes everything is forgotten.
  EXPECT_EQ(take_many(r, "k", 10, t0 + 300s, 20), 10u);
}

TEST(SmtpPolicyRateLimiter, SteadyRateAtTheLimitPasses) {
  // One message every 6 s is exactly 10 per minute: none refused over an hour.
  rate_limiter r;
  std::size_t refused = 0;
  for (int i = 0; i < 600; ++i) refused += r.try_take("k", 10, t0 + i * 6s) ? 0 : 1;
  EXPECT_LE(refused, 60u);  // the two-bucket estimate may refuse a little at the edges
  // Twice the rate: about half refused.
  rate_limiter r2;
  std::size_t taken = 0;
  for (int i = 0; i < 1200; ++i) taken += r2.try_take("k", 10, t0 + i * 3s) ? 1 : 0;
  EXPECT_GE(taken, 540u);
  EXPECT_LE(taken, 620u);
}

TEST(SmtpPolicyRateLimiter, NeverMoreThanTwiceTheLimitInAnyMinute) {
  rate_limiter r;
  std::vector<time_point> taken;
  for (int ms = 0; ms < 600'000; ms += 250) {
    auto const now = t0 + std::chrono::milliseconds(ms);
    if (r.try_take("k", 20, now)) taken.push_back(now);
  }
  for (std::size_t i = 0; i < taken.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < taken.size() && taken[j] < taken[i] + 60s; ++j) ++in_window;
    EXPECT_LE(in_window, 40u);
  }
  EXPECT_GE(taken.size(), 180u);  // and it does let a fair share through (10 min x 20)
}

TEST(SmtpPolicyRateLimiter, LoweringTheLimitAppliesAtOnce) {
  rate_limiter r;
  EXPECT_EQ(take_many(r, "k", 100, t0, 50), 50u);
  EXPECT_FALSE(r.try_take("k", 10, t0 + 1s));
  EXPECT_TRUE(r.try_take("k", 100, t0 + 1s));
}

TEST(SmtpPolicyRateLimiter, ClockGoingBackIsHarmless) {
  rate_limiter r;
  EXPECT_EQ(take_many(r, "k", 3, t0, 3), 3u);
  EXPECT_FALSE(r.try_take("k", 3, t0 - 10s));
}

TEST(SmtpPolicyRateLimiter, HugeLimitsDoNotOverflow) {
  rate_limiter r;
  EXPECT_EQ(take_many(r, "k", UINT64_MAX, t0, 1000), 1000u);
  EXPECT_EQ(take_many(r, "k", UINT64_MAX, t0 + 61s, 1000), 1000u);
}

TEST(SmtpPolicyRateLimiter, EvictsTheKeyTouchedLongestAgo) {
  rate_limiter r(3);
  EXPECT_TRUE(r.try_take("a", 1, t0));
  EXPECT_TRUE(r.try_take("b", 1, t0));
  EXPECT_TRUE(r.try_take("c", 1, t0));
  EXPECT_FALSE(r.try_take("a", 1, t0));  // refused, but "a" is now the most recent
  EXPECT_TRUE(r.try_take("d", 1, t0));   // evicts "b"
  EXPECT_EQ(r.tracked_keys(), 3u);
  EXPECT_FALSE(r.try_take("a", 1, t0));  // still tracked
  EXPECT_FALSE(r.try_take("c", 1, t0));  // still tracked
  EXPECT_TRUE(r.try_take("b", 1, t0));   // forgotten: counts from zero (evicts "d")
  EXPECT_EQ(r.tracked_keys(), 3u);
  for (int i = 0; i < 1000; ++i) r.try_take("k" + std::to_string(i), 5, t0);
  EXPECT_EQ(r.tracked_keys(), 3u);
}

TEST(SmtpPolicyRateLimiter, RateKeys) {
  using boost::asio::ip::make_address;
  EXPECT_EQ(rate_key(make_address("192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(rate_key(make_address("::ffff:192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(rate_key(make_address("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
  EXPECT_EQ(rate_key(make_address("2001:db8:1:2::ffff")), rate_key(make_address("2001:db8:1:2:aaaa::1")));
  EXPECT_NE(rate_key(make_address("2001:db8:1:2::1")), rate_key(make_address("2001:db8:1:3::1")));
  EXPECT_EQ(rate_key(make_address("::1")), "::/64");
}

TEST(SmtpPolicyRateLimiter, ThreadsShareTheCount) {
  rate_limiter r;
  std::atomic<std::size_t> taken{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) taken += r.try_take("shared", 1000, t0) ? 1 : 0;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(taken.load(), 1000u);
}

}  // namespace
}  // namespace posta::mail::smtp::policy
