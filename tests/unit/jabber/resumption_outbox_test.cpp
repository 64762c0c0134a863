// What XEP-0198 resumption needs of the router and the outbox: a resumed
// stream takes a resource's route with its presence (and only from the
// session that holds it), carbons flags (XEP-0280), a paused outbox that
// ends its writer but keeps queuing, redirection, and bytes held elsewhere
// counting toward the bound; the table of resumable streams and its bound.
#include "jabber/server/outbox.hpp"
#include "jabber/server/resumption.hpp"
#include "jabber/server/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace posta::jabber::server {
namespace {

struct Resumption : ::testing::Test {
  asio::io_context io;
  router r;
  std::shared_ptr<outbox> box() { return std::make_shared<outbox>(io.get_executor(), 1024); }
};

TEST_F(Resumption, AResumedStreamTakesTheRouteWithItsPresence) {
  auto old = box(), resumed = box(), stranger = box();
  r.bind("a@x", "phone", old);
  r.set_presence("a@x", "phone", old.get(), true, 3, "<presence/>");
  r.set_carbons("a@x", "phone", old.get(), true);
  EXPECT_FALSE(r.replace_box("a@x", "phone", stranger.get(), resumed));
  EXPECT_TRUE(r.replace_box("a@x", "phone", old.get(), resumed));
  EXPECT_EQ(r.find("a@x", "phone"), resumed);
  EXPECT_EQ(r.for_bare_jid("a@x"), std::vector<std::shared_ptr<outbox>>{resumed});
  EXPECT_EQ(r.presences("a@x"), std::vector<std::string>{"<presence/>"});
  auto carbons = r.carbons_enabled("a@x");
  ASSERT_EQ(carbons.size(), 1u);
  EXPECT_EQ(carbons[0].first, "phone");
  EXPECT_EQ(carbons[0].second, resumed);
  r.unbind("a@x", "phone", old.get());  // the old session ends later: nothing changes
  EXPECT_EQ(r.find("a@x", "phone"), resumed);
  r.set_carbons("a@x", "phone", resumed.get(), false);
  EXPECT_TRUE(r.carbons_enabled("a@x").empty());
}

TEST_F(Resumption, APausedOutboxEndsItsWriterButKeepsQueuing) {
  auto b = box();
  std::vector<std::optional<stanza_queue>> got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        b->pause();
        got.push_back(co_await b->next_pieces());
      },
      asio::detached);
  io.run();
  b->push("<a/>");
  b->push("<b/>");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], std::nullopt);
  EXPECT_EQ(b->take_pending(), (stanza_queue{"<a/>", "<b/>"}));
  b->unpause();
  b->push("<c/>");
  io.restart();
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { got.push_back(co_await b->next_pieces()); }, asio::detached);
  io.run();
  EXPECT_EQ(got[1], (stanza_queue{"<c/>"}));
}

TEST_F(Resumption, HeldBytesCountTowardTheBoundAndARedirectTakesEverything) {
  auto b = box();
  std::vector<std::string> faults, redirected;
  b->set_on_fault([&](proto::stream_condition c, std::string_view) { faults.emplace_back(proto::condition_name(c)); });
  b->set_held_bytes(1000);
  EXPECT_FALSE(b->is_over_bound());
  b->push(std::string(100, 'x'));  // 1100 > 1024
  EXPECT_EQ(faults, std::vector<std::string>{"policy-violation"});
  b->redirect([&](std::string s) { redirected.push_back(std::move(s)); });
  b->close();
  b->push("<late/>");  // closed, but redirected: not lost
  EXPECT_EQ(redirected, std::vector<std::string>{"<late/>"});
}

TEST_F(Resumption, TheTableKeepsAResumedEntryAndBoundsParking) {
  resumption_table t;
  auto first = std::make_shared<handover_fn>([](handover_request) { return handover_result{}; });
  auto second = std::make_shared<handover_fn>([](handover_request) { return handover_result{}; });
  t.add("id1", {"a@x", io.get_executor(), first});
  ASSERT_TRUE(t.find("id1"));
  EXPECT_EQ(t.find("id1")->account, "a@x");
  t.add("id1", {"a@x", io.get_executor(), second});  // resumed: the new session holds it
  t.remove("id1", first.get());
  EXPECT_TRUE(t.find("id1"));
  t.remove("id1", second.get());
  EXPECT_FALSE(t.find("id1"));
  EXPECT_FALSE(t.find("other"));
  EXPECT_TRUE(t.try_park(2));
  EXPECT_TRUE(t.try_park(2));
  EXPECT_FALSE(t.try_park(2));
  t.unpark();
  EXPECT_TRUE(t.try_park(2));
}

}  // namespace
}  // namespace posta::jabber::server
