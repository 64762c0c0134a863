// MX ordering (RFC 5321 5.1, RFC 7505): preference order, random among
// equals through the injected source, implicit MX, null MX.
#include "core/dns/mx_order.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <set>

namespace posta::dns {
namespace {

using hosts = std::vector<std::string>;

// Always picks index 0: Fisher-Yates then rotates each group by one.
std::uint64_t pick_first(std::uint64_t) { return 0; }
// Always picks the last index: the order stays as given.
std::uint64_t pick_last(std::uint64_t bound) { return bound - 1; }

TEST(DnsMxOrder, LowestPreferenceFirst) {
  std::vector<mx_record> r{{20, "b.example.test"}, {10, "a.example.test"}, {30, "c.example.test"}};
  auto plan = order_mx(r, "example.test", pick_last);
  EXPECT_EQ(plan.hosts, (hosts{"a.example.test", "b.example.test", "c.example.test"}));
  EXPECT_FALSE(plan.is_implicit);
  EXPECT_FALSE(plan.is_null_mx);
}

TEST(DnsMxOrder, EqualPreferencesFollowTheRandomSource) {
  std::vector<mx_record> r{{10, "a.test"}, {10, "b.test"}, {10, "c.test"}, {5, "first.test"}, {20, "z.test"}};
  EXPECT_EQ(order_mx(r, "d.test", pick_last).hosts, (hosts{"first.test", "a.test", "b.test", "c.test", "z.test"}));
  // pick_first: swap(2,0) then swap(1,0): a b c -> c b a -> b c a.
  EXPECT_EQ(order_mx(r, "d.test", pick_first).hosts, (hosts{"first.test", "b.test", "c.test", "a.test", "z.test"}));
}

TEST(DnsMxOrder, RandomSourceAskedOnlyWithinEqualGroups) {
  std::vector<std::uint64_t> bounds;
  auto spy = [&](std::uint64_t bound) {
    bounds.push_back(bound);
    return std::uint64_t{0};
  };
  std::vector<mx_record> r{{10, "a.test"}, {10, "b.test"}, {20, "c.test"}};
  order_mx(r, "d.test", spy);
  EXPECT_EQ(bounds, (std::vector<std::uint64_t>{2}));
}

TEST(DnsMxOrder, EveryPermutationOfAGroupIsReachable) {
  std::vector<mx_record> r{{10, "a"}, {10, "b"}, {10, "c"}};
  std::set<hosts> seen;
  for (std::uint64_t i = 0; i < 3; ++i)
    for (std::uint64_t j = 0; j < 2; ++j) {
      std::deque<std::uint64_t> picks{i, j};
      auto source = [&](std::uint64_t) {
        auto v = picks.front();
        picks.pop_front();
        return v;
      };
      seen.insert(order_mx(r, "d", source).hosts);
    }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(DnsMxOrder, NoRecordsIsTheImplicitMx) {
  auto plan = order_mx({}, "Example.TEST.", pick_last);
  EXPECT_TRUE(plan.is_implicit);
  EXPECT_EQ(plan.hosts, (hosts{"example.test"}));
}

TEST(DnsMxOrder, NullMxIsDetected) {
  std::vector<mx_record> dot{{0, ""}};
  auto plan = order_mx(dot, "example.test", pick_last);
  EXPECT_TRUE(plan.is_null_mx);
  EXPECT_TRUE(plan.hosts.empty());
  std::vector<mx_record> spelled{{0, "."}};
  EXPECT_TRUE(order_mx(spelled, "example.test", pick_last).is_null_mx);
}

TEST(DnsMxOrder, RootMixedWithRealHostsIsSkipped) {
  std::vector<mx_record> r{{0, ""}, {10, "mx.example.test"}};
  auto plan = order_mx(r, "example.test", pick_last);
  EXPECT_FALSE(plan.is_null_mx);
  EXPECT_EQ(plan.hosts, (hosts{"mx.example.test"}));
}

TEST(DnsMxOrder, HostsAppearOnceAtTheirLowestPreferenceInLowerCase) {
  std::vector<mx_record> r{{30, "MX1.example.test."}, {10, "mx2.example.test"}, {20, "mx1.example.test"}};
  EXPECT_EQ(order_mx(r, "example.test", pick_last).hosts, (hosts{"mx2.example.test", "mx1.example.test"}));
}

TEST(DnsMxOrder, AtMostSixteenHostsOfTheLowestPreferences) {
  std::vector<mx_record> r;
  for (int i = 0; i < 40; ++i) r.push_back({static_cast<std::uint16_t>(100 - i), "mx" + std::to_string(i) + ".test"});
  auto plan = order_mx(r, "d.test", pick_last);
  ASSERT_EQ(plan.hosts.size(), max_mx_hosts);
  EXPECT_EQ(plan.hosts.front(), "mx39.test");
  EXPECT_EQ(plan.hosts.back(), "mx24.test");
}

}  // namespace
}  // namespace posta::dns
