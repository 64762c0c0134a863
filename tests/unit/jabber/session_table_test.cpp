// The administrator's table of c2s sessions: the resources-per-account
// bound (RFC 6120 7.6.2.1; the same resource is a replacement, 7.7.2.2),
// a replaced session leaving does not remove the newer one, listing by
// account, and kicks by full or bare JID.
#include "jabber/server/session_table.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace posta::jabber::server {
namespace {

struct SessionTable : ::testing::Test {
  asio::io_context io;
  session_table t;
  std::shared_ptr<outbox> box() { return std::make_shared<outbox>(io.get_executor(), 1024); }
  session_view view(std::string account, std::string resource) {
    return {account + "/" + resource, account, resource, "127.0.0.1", true, "2026-01-01T00:00:00Z", resource};
  }
};

TEST_F(SessionTable, BoundsResourcesPerAccountButNotAReplacement) {
  auto a = box(), b = box(), c = box(), d = box();
  EXPECT_TRUE(t.add(view("a@x", "one"), a, 2));
  EXPECT_TRUE(t.add(view("a@x", "two"), b, 2));
  EXPECT_FALSE(t.add(view("a@x", "three"), c, 2));
  EXPECT_TRUE(t.add(view("a@x", "two"), d, 2));    // replaces b
  EXPECT_TRUE(t.add(view("a@xy", "one"), c, 2));   // another account, though its name starts alike
  EXPECT_TRUE(t.add(view("a@x", "three"), c, 0));  // 0: unlimited
  EXPECT_EQ(t.list(std::string("a@x")).size(), 3u);
}

TEST_F(SessionTable, AReplacedSessionLeavingKeepsTheNewerOne) {
  auto old = box(), fresh = box();
  t.add(view("a@x", "r"), old, 0);
  t.add(view("a@x", "r"), fresh, 0);
  t.remove("a@x/r", old.get());
  t.set_client("a@x/r", old.get(), "stale");
  ASSERT_EQ(t.list().size(), 1u);
  EXPECT_EQ(t.list()[0].client, "r");
  t.set_client("a@x/r", fresh.get(), "Gajim 1.8");
  EXPECT_EQ(t.list()[0].client, "Gajim 1.8");
  t.remove("a@x/r", fresh.get());
  EXPECT_TRUE(t.list().empty());
}

TEST_F(SessionTable, KicksByFullOrBareJidAndListsAccounts) {
  auto a = box(), b = box(), c = box();
  t.add(view("a@x", "one"), a, 0);
  t.add(view("a@x", "two"), b, 0);
  t.add(view("b@x", "one"), c, 0);
  EXPECT_EQ(t.accounts(), (std::vector<std::string>{"a@x", "b@x"}));
  EXPECT_EQ(t.kick("a@x/one", proto::stream_condition::policy_violation, "test"), 1u);
  EXPECT_EQ(t.kick("a@x", proto::stream_condition::policy_violation, "test"), 2u);
  EXPECT_EQ(t.kick("c@x", proto::stream_condition::policy_violation, "test"), 0u);
  EXPECT_EQ(t.list(std::string("b@x")).size(), 1u);
}

}  // namespace
}  // namespace posta::jabber::server
