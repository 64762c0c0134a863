// The node-local c2s router (RFC 6120 7.7.2.2, RFC 6121 8.5): the newer
// session wins a resource, an old session leaving does not remove the new
// one, a bare JID reaches available resources with non-negative priority;
// and the outbox bound that disconnects a consumer too slow to read.
#include "jabber/server/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace posta::jabber::server {
namespace {

struct Router : ::testing::Test {
  asio::io_context io;
  router r;
  std::shared_ptr<outbox> box() { return std::make_shared<outbox>(io.get_executor(), 1024); }
};

TEST_F(Router, TheNewerSessionWinsAResource) {
  auto first = box(), second = box();
  EXPECT_EQ(r.bind("a@x", "phone", first), nullptr);
  EXPECT_EQ(r.bind("a@x", "phone", second), first);
  EXPECT_EQ(r.find("a@x", "phone"), second);
  r.unbind("a@x", "phone", first.get());  // the old session ends later
  EXPECT_EQ(r.find("a@x", "phone"), second);
  r.unbind("a@x", "phone", second.get());
  EXPECT_EQ(r.find("a@x", "phone"), nullptr);
  EXPECT_EQ(r.size(), 0u);
}

TEST_F(Router, RosterPushesGoToResourcesThatAskedForTheRoster) {
  auto phone = box(), desk = box(), stale = box();
  r.bind("a@x", "phone", phone);
  r.bind("a@x", "desk", desk);
  EXPECT_TRUE(r.roster_interested("a@x").empty());
  r.set_roster_requested("a@x", "desk", desk.get());
  r.set_roster_requested("a@x", "phone", stale.get());  // not the bound session: ignored
  auto interested = r.roster_interested("a@x");
  ASSERT_EQ(interested.size(), 1u);
  EXPECT_EQ(interested[0].first, "desk");
  EXPECT_EQ(interested[0].second, desk);
  r.bind("a@x", "desk", box());  // a newer session has not asked yet
  EXPECT_TRUE(r.roster_interested("a@x").empty());
}

TEST_F(Router, ABareJidReachesAvailableResourcesWithNonNegativePriority) {
  auto phone = box(), desk = box(), away = box();
  r.bind("a@x", "phone", phone);
  r.bind("a@x", "desk", desk);
  r.bind("a@x", "away", away);
  EXPECT_TRUE(r.for_bare_jid("a@x").empty());  // bound, but no presence yet
  r.set_presence("a@x", "phone", phone.get(), true, 0);
  r.set_presence("a@x", "desk", desk.get(), true, 5);
  r.set_presence("a@x", "away", away.get(), true, -1);
  EXPECT_EQ(r.for_bare_jid("a@x").size(), 2u);
  r.set_presence("a@x", "desk", desk.get(), false, 0);
  EXPECT_EQ(r.for_bare_jid("a@x"), std::vector<std::shared_ptr<outbox>>{phone});
  EXPECT_TRUE(r.for_bare_jid("b@x").empty());
}

TEST_F(Router, PresenceOfAReplacedSessionIsIgnored) {
  auto first = box(), second = box();
  r.bind("a@x", "r", first);
  r.bind("a@x", "r", second);
  r.set_presence("a@x", "r", first.get(), true, 0);
  EXPECT_TRUE(r.for_bare_jid("a@x").empty());
}

TEST_F(Router, AnOverflowingOutboxFaultsAndKeepsItsBound) {
  auto b = box();
  std::vector<std::string> faults;
  b->set_on_fault([&](proto::stream_condition c, std::string_view) { faults.emplace_back(proto::condition_name(c)); });
  b->push(std::string(1000, 'x'));
  EXPECT_TRUE(faults.empty());
  b->push(std::string(100, 'y'));  // past 1024 bytes
  EXPECT_EQ(faults, std::vector<std::string>{"policy-violation"});
  b->kick(proto::stream_condition::conflict, "newer");
  io.run();
  EXPECT_EQ(faults, (std::vector<std::string>{"policy-violation", "conflict"}));
}

TEST_F(Router, TheWriterGetsEverythingQueuedInOnePieceThenTheEnd) {
  auto b = box();
  b->deliver("<a/>");
  b->deliver("<b/>");
  std::vector<std::string> got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto chunk = co_await b->next();
          if (!chunk) break;
          got.push_back(*chunk);
          b->close();
        }
      },
      asio::detached);
  io.run();
  EXPECT_EQ(got, std::vector<std::string>{"<a/><b/>"});
}

TEST_F(Router, AnIdleWriterIsToldSoItMayPing) {
  auto b = box();
  std::vector<std::optional<std::string>> got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        got.push_back(co_await b->next(std::chrono::milliseconds(5)));  // nothing: ""
        b->close();
        got.push_back(co_await b->next(std::chrono::milliseconds(5)));  // closed: nullopt
      },
      asio::detached);
  io.run();
  EXPECT_EQ(got, (std::vector<std::optional<std::string>>{std::string(), std::nullopt}));
}

}  // namespace
}  // namespace posta::jabber::server
