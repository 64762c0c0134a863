// Tests of per-address and global connection limits.
#include "core/net/connection_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace posta::net {
namespace {

namespace ip = boost::asio::ip;

ip::address addr(char const* text) { return ip::make_address(text); }

TEST(net_connection_limiter, refuses_the_n_plus_first_from_one_address) {
  connection_limiter limiter(3, 0);
  std::vector<connection_limiter::guard> held;
  for (int i = 0; i < 3; ++i) {
    auto g = limiter.try_acquire(addr("192.0.2.1"));
    ASSERT_TRUE(g.has_value()) << i;
    held.push_back(std::move(*g));
  }
  auto refused = limiter.try_acquire(addr("192.0.2.1"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, make_error_code(errc::limit_exceeded));
  EXPECT_NE(refused.error().context.find("192.0.2.1"), std::string::npos);
  EXPECT_EQ(limiter.count(addr("192.0.2.1")), 3u);  // the refusal took no slot
  auto other = limiter.try_acquire(addr("192.0.2.2"));
  EXPECT_TRUE(other.has_value());  // another address is fine
  held.pop_back();                 // one closes
  EXPECT_EQ(limiter.count(addr("192.0.2.1")), 2u);
  auto again = limiter.try_acquire(addr("192.0.2.1"));
  EXPECT_TRUE(again.has_value());
  EXPECT_FALSE(limiter.try_acquire(addr("192.0.2.1")).has_value());  // and the bound holds again
}

TEST(net_connection_limiter, global_limit) {
  connection_limiter limiter(0, 2);
  auto a = limiter.try_acquire(addr("192.0.2.1"));
  auto b = limiter.try_acquire(addr("192.0.2.2"));
  ASSERT_TRUE(a && b);
  auto c = limiter.try_acquire(addr("192.0.2.3"));
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().context.find("in total"), std::string::npos);
  EXPECT_EQ(limiter.total(), 2u);
  EXPECT_EQ(limiter.count(addr("192.0.2.3")), 0u);  // a refusal leaves no trace
  a->release();                                     // one closes: room for another address
  EXPECT_EQ(limiter.total(), 1u);
  EXPECT_TRUE(limiter.try_acquire(addr("192.0.2.3")).has_value());
}

TEST(net_connection_limiter, guard_release_and_move) {
  connection_limiter limiter(1, 0);
  {
    auto g = limiter.try_acquire(addr("192.0.2.1"));
    ASSERT_TRUE(g);
    g->release();  // frees the slot at once
    EXPECT_EQ(limiter.count(addr("192.0.2.1")), 0u);
    g->release();  // a second release, and the destructor, change nothing
    auto next = limiter.try_acquire(addr("192.0.2.1"));
    ASSERT_TRUE(next);
    EXPECT_EQ(limiter.count(addr("192.0.2.1")), 1u);
  }
  EXPECT_EQ(limiter.count(addr("192.0.2.1")), 0u);
  {
    auto g = limiter.try_acquire(addr("192.0.2.1"));
    ASSERT_TRUE(g);
    connection_limiter::guard moved = std::move(*g);
    EXPECT_EQ(limiter.count(addr("192.0.2.1")), 1u);
    connection_limiter::guard other;
    other = std::move(moved);
    EXPECT_EQ(limiter.count(addr("192.0.2.1")), 1u);
  }
  EXPECT_EQ(limiter.count(addr("192.0.2.1")), 0u);
  EXPECT_EQ(limiter.total(), 0u);
}

TEST(net_connection_limiter, guard_outlives_limiter) {
  connection_limiter::guard g;
  {
    connection_limiter limiter(1, 1);
    auto acquired = limiter.try_acquire(addr("192.0.2.1"));
    ASSERT_TRUE(acquired);
    g = std::move(*acquired);
    EXPECT_EQ(limiter.total(), 1u);  // the moved guard holds the slot
  }
  g.release();  // the limiter is gone: must not touch freed memory (ASan fails the test if it does)
  g.release();
}

TEST(net_connection_limiter, limits_change_at_run_time) {
  connection_limiter limiter(1, 0);
  auto a = limiter.try_acquire(addr("192.0.2.1"));
  ASSERT_TRUE(a);
  EXPECT_FALSE(limiter.try_acquire(addr("192.0.2.1")));
  limiter.set_max_per_ip(2);
  auto b = limiter.try_acquire(addr("192.0.2.1"));
  EXPECT_TRUE(b);
  limiter.set_max_total(2);
  EXPECT_FALSE(limiter.try_acquire(addr("192.0.2.9")));
  limiter.set_max_total(0);
  EXPECT_TRUE(limiter.try_acquire(addr("192.0.2.9")));
}

TEST(net_connection_limiter, ipv6_counts_per_slash_64_and_mapped_v4_as_v4) {
  connection_limiter limiter(1, 0);
  auto a = limiter.try_acquire(addr("2001:db8:1:2::1"));
  ASSERT_TRUE(a);
  EXPECT_FALSE(limiter.try_acquire(addr("2001:db8:1:2:ffff::77")));  // same /64
  EXPECT_TRUE(limiter.try_acquire(addr("2001:db8:1:3::1")));         // another /64
  auto v4 = limiter.try_acquire(addr("192.0.2.5"));
  ASSERT_TRUE(v4);
  EXPECT_FALSE(limiter.try_acquire(addr("::ffff:192.0.2.5")));
}

TEST(net_connection_limiter, concurrent_acquire_release_balances) {
  // Threads contend for two slots of one address and four in total: the
  // bounds hold at every moment, and every slot comes back.
  connection_limiter limiter(2, 4);
  std::atomic<int> granted{0}, over_bound{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto const peer = ip::make_address("192.0.2." + std::to_string(t % 2));
      for (int i = 0; i < 2000; ++i) {
        auto g = limiter.try_acquire(peer);
        if (!g) continue;
        ++granted;
        if (limiter.count(peer) > 2 || limiter.total() > 4) ++over_bound;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(granted.load(), 0);
  EXPECT_EQ(over_bound.load(), 0);
  EXPECT_EQ(limiter.total(), 0u);
  EXPECT_EQ(limiter.count(addr("192.0.2.0")), 0u);
  EXPECT_EQ(limiter.count(addr("192.0.2.1")), 0u);
}

}  // namespace
}  // namespace posta::net
