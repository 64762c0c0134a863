// XEP-0191: JID matching (XEP-0016 2.1 order), request checks, applying a
// change, the payloads, and the router's blocklist cache.
#include "jabber/proto/blocking.hpp"

#include "jabber/server/blocklist_cache.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace posta::jabber {
namespace {

using proto::block_action;
using proto::blocklist;

TEST(Blocking, MatchesEachItemForm) {
  EXPECT_TRUE(proto::is_blocked(blocklist{"bob@b.test"}, "bob", "b.test", "phone"));
  EXPECT_TRUE(proto::is_blocked(blocklist{"bob@b.test"}, "bob", "b.test", ""));
  EXPECT_TRUE(proto::is_blocked(blocklist{"bob@b.test/phone"}, "bob", "b.test", "phone"));
  EXPECT_FALSE(proto::is_blocked(blocklist{"bob@b.test/phone"}, "bob", "b.test", "desk"));
  EXPECT_FALSE(proto::is_blocked(blocklist{"bob@b.test/phone"}, "bob", "b.test", ""));
  EXPECT_TRUE(proto::is_blocked(blocklist{"b.test"}, "anyone", "b.test", "x"));
  EXPECT_TRUE(proto::is_blocked(blocklist{"b.test"}, "", "b.test", ""));
  EXPECT_TRUE(proto::is_blocked(blocklist{"b.test/x"}, "anyone", "b.test", "x"));
  EXPECT_TRUE(proto::is_blocked(blocklist{"b.test/x"}, "", "b.test", "x"));
  EXPECT_FALSE(proto::is_blocked(blocklist{"b.test/x"}, "anyone", "b.test", "y"));
  EXPECT_FALSE(proto::is_blocked(blocklist{"carol@b.test", "c.test"}, "bob", "b.test", "x"));
  EXPECT_FALSE(proto::is_blocked(blocklist{}, "bob", "b.test", "x"));
  // A domain item does not match a subdomain or a look-alike.
  EXPECT_FALSE(proto::is_blocked(blocklist{"b.test"}, "bob", "sub.b.test", ""));
}

TEST(Blocking, RequestChecks) {
  using enum proto::block_request_error;
  EXPECT_EQ(proto::check_block_request({block_action::block, {}, false}, 10), bad_request);  // 3.3: no item
  EXPECT_EQ(proto::check_block_request({block_action::unblock, {}, false}, 10), none);       // 3.5: all
  EXPECT_EQ(proto::check_block_request({block_action::block, {"a@b"}, true}, 10), bad_request);
  EXPECT_EQ(proto::check_block_request({block_action::block, {"a@b", "c@d"}, false}, 1), too_many);
  EXPECT_EQ(proto::check_block_request({block_action::block, {"a@b"}, false}, 1), none);
}

TEST(Blocking, ApplyAndSize) {
  blocklist list{"a@b"};
  EXPECT_EQ(proto::size_after_block(list, {"a@b", "c@d", "c@d"}), 2u);
  proto::apply_block(list, block_action::block, {"c@d", "e.test"});
  EXPECT_EQ(list, (blocklist{"a@b", "c@d", "e.test"}));
  proto::apply_block(list, block_action::unblock, {"c@d", "not@there"});
  EXPECT_EQ(list, (blocklist{"a@b", "e.test"}));
  proto::apply_block(list, block_action::unblock, {});
  EXPECT_TRUE(list.empty());
}

TEST(Blocking, Payloads) {
  EXPECT_EQ(proto::format_blocklist({}), "<blocklist xmlns='urn:xmpp:blocking'/>");
  EXPECT_EQ(proto::format_blocklist({"a@b", "o'c@d"}),
            "<blocklist xmlns='urn:xmpp:blocking'><item jid='a@b'/><item jid='o&apos;c@d'/></blocklist>");
  EXPECT_EQ(proto::format_block_push("p1", "u@h/r", block_action::block, {"a@b"}),
            "<iq type='set' id='p1' to='u@h/r'><block xmlns='urn:xmpp:blocking'><item jid='a@b'/></block></iq>");
  EXPECT_EQ(proto::format_block_push("p2", "u@h/r", block_action::unblock, {}),
            "<iq type='set' id='p2' to='u@h/r'><unblock xmlns='urn:xmpp:blocking'/></iq>");
}

TEST(BlocklistCache, OfferApplyAndGeneration) {
  server::blocklist_cache cache(2);
  EXPECT_EQ(cache.find("u@h"), nullptr);
  auto gen = cache.generation();
  auto list = cache.offer("u@h", {"a@b"}, gen);
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(*cache.find("u@h"), (blocklist{"a@b"}));
  cache.apply("u@h", block_action::block, {"c@d"});
  EXPECT_EQ(*cache.find("u@h"), (blocklist{"a@b", "c@d"}));
  EXPECT_EQ(*list, (blocklist{"a@b"}));  // a list already handed out does not change under its holder
  // A read from before a change is used but not kept: it may miss that change.
  auto stale = cache.generation();
  cache.apply("v@h", block_action::block, {"x@y"});
  EXPECT_EQ(*cache.offer("v@h", {}, stale), blocklist{});
  EXPECT_EQ(cache.find("v@h"), nullptr);
  // Bounded: a third account displaces one.
  gen = cache.generation();
  cache.offer("v@h", {}, gen);
  cache.offer("w@h", {}, gen);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(BlocklistCache, InterestedResourcesEndWithTheirSession) {
  boost::asio::io_context io;
  server::blocklist_cache cache;
  auto desk = std::make_shared<server::outbox>(io.get_executor(), 1024);
  auto phone = std::make_shared<server::outbox>(io.get_executor(), 1024);
  cache.set_interested("u@h", "desk", desk);
  cache.set_interested("u@h", "phone", phone);
  EXPECT_EQ(cache.interested("u@h").size(), 2u);
  phone.reset();
  auto left = cache.interested("u@h");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].first, "desk");
  EXPECT_TRUE(cache.interested("other@h").empty());
}

}  // namespace
}  // namespace posta::jabber
