// Failed-login throttling over simulated time: windows, lockouts, resets,
// the memory cap, and concurrent use.
#include "core/auth/login_throttle.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace posta::auth {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

login_throttle_params const params{.max_failures_per_ip = 10,
                                   .max_failures_per_account = 3,
                                   .window = 60s,
                                   .lockout = 300s,
                                   .max_tracked_keys = 1000};

clock_type::time_point const t0 = clock_type::time_point{} + 1000h;

TEST(AuthLoginThrottle, LocksAnAccountAfterTheLimitWithinTheWindow) {
  login_throttle throttle(params);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(throttle.check("192.0.2.1", "tim@example.org", t0 + i * 1s).allowed);
    throttle.record_failure("192.0.2.1", "tim@example.org", t0 + i * 1s);
  }
  EXPECT_TRUE(throttle.check("192.0.2.1", "tim@example.org", t0 + 2s).allowed);
  throttle.record_failure("192.0.2.1", "tim@example.org", t0 + 2s);  // third: lockout starts at t0+2s

  auto const v = throttle.check("192.0.2.1", "tim@example.org", t0 + 3s);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after, 299s);
  // The account is locked from any IP; other accounts are not.
  EXPECT_FALSE(throttle.check("198.51.100.7", "tim@example.org", t0 + 3s).allowed);
  EXPECT_TRUE(throttle.check("192.0.2.1", "ann@example.org", t0 + 3s).allowed);
  // Failures during the lockout do not extend it.
  throttle.record_failure("192.0.2.1", "tim@example.org", t0 + 200s);
  EXPECT_FALSE(throttle.check("", "tim@example.org", t0 + 301s).allowed);
  EXPECT_TRUE(throttle.check("", "tim@example.org", t0 + 302s).allowed);
}

TEST(AuthLoginThrottle, FailuresOutsideTheWindowAreForgotten) {
  login_throttle throttle(params);
  throttle.record_failure("192.0.2.1", "tim", t0);
  throttle.record_failure("192.0.2.1", "tim", t0 + 30s);
  throttle.record_failure("192.0.2.1", "tim", t0 + 61s);  // the first has left the window
  EXPECT_TRUE(throttle.check("192.0.2.1", "tim", t0 + 61s).allowed);
  throttle.record_failure("192.0.2.1", "tim", t0 + 62s);  // t0+30, +61, +62: three in 60 s
  EXPECT_FALSE(throttle.check("192.0.2.1", "tim", t0 + 62s).allowed);
}

TEST(AuthLoginThrottle, SuccessResetsTheAccountButNotTheIp) {
  login_throttle throttle(params);
  for (int i = 0; i < 2; ++i) throttle.record_failure("192.0.2.1", "tim", t0 + i * 1s);
  throttle.record_success("tim");
  for (int i = 0; i < 2; ++i) throttle.record_failure("192.0.2.1", "tim", t0 + 10s + i * 1s);
  EXPECT_TRUE(throttle.check("192.0.2.1", "tim", t0 + 12s).allowed);  // 2, not 4

  // The IP kept its 4 failures: 6 more against other accounts lock it.
  for (int i = 0; i < 6; ++i) throttle.record_failure("192.0.2.1", "user" + std::to_string(i), t0 + 20s);
  auto const v = throttle.check("192.0.2.1", "someone-new", t0 + 21s);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after, 299s);
  EXPECT_TRUE(throttle.check("192.0.2.2", "someone-new", t0 + 21s).allowed);
}

TEST(AuthLoginThrottle, SuccessEndsAnAccountLockout) {
  login_throttle throttle(params);
  for (int i = 0; i < 3; ++i) throttle.record_failure("192.0.2.1", "tim", t0);
  EXPECT_FALSE(throttle.check("", "tim", t0).allowed);
  throttle.record_success("tim");
  EXPECT_TRUE(throttle.check("", "tim", t0).allowed);
}

TEST(AuthLoginThrottle, MemoryIsBoundedAndTheOldestKeyIsEvicted) {
  login_throttle_params small = params;
  small.max_tracked_keys = 4;
  login_throttle throttle(small);
  for (int i = 0; i < 3; ++i) throttle.record_failure("", "victim", t0);
  EXPECT_FALSE(throttle.check("", "victim", t0).allowed);
  for (int i = 0; i < 3; ++i) throttle.record_failure("", "a" + std::to_string(i), t0 + 1s);
  EXPECT_EQ(throttle.tracked_keys(), 4u);
  EXPECT_FALSE(throttle.check("", "victim", t0 + 1s).allowed);  // still tracked
  throttle.record_failure("", "a3", t0 + 2s);                   // evicts the oldest: victim
  EXPECT_EQ(throttle.tracked_keys(), 4u);
  EXPECT_TRUE(throttle.check("", "victim", t0 + 2s).allowed);
  for (int i = 0; i < 10000; ++i) throttle.record_failure("198.51.100." + std::to_string(i), "x" + std::to_string(i), t0);
  EXPECT_EQ(throttle.tracked_keys(), 8u);
}

TEST(AuthLoginThrottle, TouchingAKeyKeepsItFromEviction) {
  login_throttle_params small = params;
  small.max_tracked_keys = 2;
  login_throttle throttle(small);
  throttle.record_failure("", "a", t0);
  throttle.record_failure("", "b", t0);
  throttle.record_failure("", "a", t0 + 1s);  // a is now the most recent
  throttle.record_failure("", "c", t0 + 2s);  // evicts b
  throttle.record_failure("", "a", t0 + 3s);  // a's third failure: locked, so a survived
  EXPECT_FALSE(throttle.check("", "a", t0 + 3s).allowed);
}

TEST(AuthLoginThrottle, LongKeysAreClipped) {
  login_throttle throttle(params);
  std::string const long_name(100000, 'x');
  for (int i = 0; i < 3; ++i) throttle.record_failure("", long_name + std::to_string(i), t0);
  EXPECT_EQ(throttle.tracked_keys(), 1u);  // all clipped to the same key
  EXPECT_FALSE(throttle.check("", long_name, t0).allowed);
}

TEST(AuthLoginThrottle, IsSafeToShareBetweenThreads) {
  login_throttle_params many = params;
  many.max_failures_per_account = 1000000;
  many.max_failures_per_ip = 1000000;
  login_throttle throttle(many);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&throttle, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string const account = "acct" + std::to_string(i % 50);
        throttle.check("192.0.2." + std::to_string(t), account, t0 + i * 1ms);
        throttle.record_failure("192.0.2." + std::to_string(t), account, t0 + i * 1ms);
        if (i % 7 == 0) throttle.record_success(account);
      }
    });
  }
  for (auto& th : threads) th.join();
  // Successes remove accounts, so the exact count depends on the interleaving.
  EXPECT_GE(throttle.tracked_keys(), 4u);
  EXPECT_LE(throttle.tracked_keys(), 4u + 50u);
}

}  // namespace
}  // namespace posta::auth
