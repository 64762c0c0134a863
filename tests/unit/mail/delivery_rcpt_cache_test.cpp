// The RCPT cache's rules: answers expire, accounts with a quota are never
// kept, a full cache never grows past its bound, and 0 turns it off.
#include "mail/delivery/rcpt_cache.hpp"

#include <gtest/gtest.h>

namespace posta::mail::delivery {
namespace {

using namespace std::chrono_literals;
using clock_type = rcpt_cache::clock;

rcpt_check local(std::int64_t quota = 0) { return {rcpt_status::local, "ann@x.test", quota, 0}; }

TEST(RcptCache, AnswersUntilItsTimeIsUp) {
  rcpt_cache cache;
  cache.set_ttl(30s);
  auto t0 = clock_type::now();
  cache.remember("ann@x.test", local(), t0);
  ASSERT_TRUE(cache.find("ann@x.test", t0 + 29s));
  EXPECT_EQ(cache.find("ann@x.test", t0 + 29s)->resolved, "ann@x.test");
  EXPECT_FALSE(cache.find("ann@x.test", t0 + 30s));
  EXPECT_FALSE(cache.find("bob@x.test", t0));
}

TEST(RcptCache, NeverKeepsWhatDependsOnUsage) {
  rcpt_cache cache;
  cache.set_ttl(30s);
  auto t0 = clock_type::now();
  cache.remember("quota@x.test", local(1000), t0);
  cache.remember("full@x.test", {rcpt_status::over_quota, "full@x.test", 0, 0}, t0);
  cache.remember("nobody@x.test", {rcpt_status::unknown, "nobody@x.test"}, t0);
  EXPECT_FALSE(cache.find("quota@x.test", t0));
  EXPECT_FALSE(cache.find("full@x.test", t0));
  EXPECT_TRUE(cache.find("nobody@x.test", t0));
}

TEST(RcptCache, StaysWithinItsBound) {
  rcpt_cache cache;
  cache.set_ttl(30s);
  auto t0 = clock_type::now();
  for (std::size_t i = 0; i < rcpt_cache::max_entries + 10; ++i)
    cache.remember("u" + std::to_string(i) + "@x.test", local(), t0);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < rcpt_cache::max_entries + 10; ++i)
    kept += cache.find("u" + std::to_string(i) + "@x.test", t0).has_value();
  EXPECT_LE(kept, rcpt_cache::max_entries);
  EXPECT_GT(kept, 0u);
}

TEST(RcptCache, ZeroTurnsItOffAndClearForgets) {
  rcpt_cache cache;
  auto t0 = clock_type::now();
  cache.remember("ann@x.test", local(), t0);  // off by default
  EXPECT_FALSE(cache.find("ann@x.test", t0));
  cache.set_ttl(30s);
  cache.remember("ann@x.test", local(), t0);
  cache.clear();
  EXPECT_FALSE(cache.find("ann@x.test", t0));
  cache.remember("ann@x.test", local(), t0);
  cache.set_ttl(0s);
  EXPECT_FALSE(cache.find("ann@x.test", t0));
}

}  // namespace
}  // namespace posta::mail::delivery
