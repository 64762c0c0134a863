// The keys of failed-login throttling (core/auth/throttle_store): client
// network, account from that network, account.
#include "core/auth/throttle_store.hpp"

#include <gtest/gtest.h>

namespace posta::auth {
namespace {

TEST(AuthThrottleKeys, NetworkAccountAndPair) {
  auto k = make_throttle_keys("192.0.2.7", "bob@bars.test");
  EXPECT_EQ(k.network, "192.0.2.7");
  EXPECT_EQ(k.account, "bob@bars.test");
  EXPECT_EQ(k.account_network, "bob@bars.test|192.0.2.7");
  // One IPv6 host owns its /64: every address in it is one network.
  auto a = make_throttle_keys("2001:db8:1:2:aaaa::1", "bob@bars.test");
  auto b = make_throttle_keys("2001:db8:1:2:bbbb::9", "bob@bars.test");
  EXPECT_EQ(a.network, b.network);
  EXPECT_EQ(a.account_network, b.account_network);
  EXPECT_NE(a.network, make_throttle_keys("2001:db8:1:3::1", "").network);
}

TEST(AuthThrottleKeys, NoAccountAndHostileLengths) {
  auto k = make_throttle_keys("192.0.2.7", "");
  EXPECT_TRUE(k.account.empty());
  EXPECT_TRUE(k.account_network.empty());
  auto big = make_throttle_keys("192.0.2.7", std::string(5000, 'x'));
  EXPECT_EQ(big.account.size(), 320u);
  EXPECT_LE(make_throttle_keys(std::string(5000, 'y'), "").network.size(), 320u);
}

}  // namespace
}  // namespace posta::auth
