// Tests of the shared memory budget and its reservations.
#include "core/util/memory_budget.hpp"

#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

namespace posta::util {
namespace {

TEST(util_memory_budget, reservations_share_the_limit_and_give_back) {
  memory_budget budget(100);
  auto a = budget.reserve();
  auto b = budget.reserve();
  EXPECT_TRUE(a.grow(60));
  EXPECT_FALSE(b.grow(41));  // 60 + 41 > 100: nothing taken
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_TRUE(b.grow(40));
  EXPECT_FALSE(a.grow(1));
  a.release();
  EXPECT_EQ(budget.used(), 40u);
  {
    auto moved = std::move(b);
    EXPECT_EQ(moved.held(), 40u);
    EXPECT_EQ(b.held(), 0u);
  }
  EXPECT_EQ(budget.used(), 0u);  // the moved-to reservation gave it back
}

TEST(util_memory_budget, never_over_the_limit_under_contention) {
  memory_budget budget(1000);
  std::vector<std::thread> threads;
  std::atomic<std::size_t> granted{0};
  std::latch all_grown(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      auto r = budget.reserve();
      for (int i = 0; i < 1000; ++i) (void)r.grow(7);
      granted += r.held();
      all_grown.arrive_and_wait();  // every reservation still held here
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(granted.load(), 1000u);
  EXPECT_GT(granted.load(), 1000u - 7);  // and the budget was used up
  EXPECT_EQ(budget.used(), 0u);
}

TEST(util_memory_budget, an_empty_reservation_grows_nothing) {
  memory_budget::reservation none;
  EXPECT_FALSE(none.grow(1));
  memory_budget zero(0);
  auto r = zero.reserve();
  EXPECT_FALSE(r.grow(1));
}

}  // namespace
}  // namespace posta::util
