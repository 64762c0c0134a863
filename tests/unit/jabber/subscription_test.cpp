// RFC 6121 Appendix A, row by row: the subscription states of A.1 written
// "none", "none+out", "none+in", "none+out+in", "to", "to+in", "from",
// "from+out", "both" (out: pending out, in: pending in, approved: 3.4).
#include "jabber/proto/subscription.hpp"

#include <gtest/gtest.h>

namespace posta::jabber::proto {
namespace {

subscription_state st(std::string_view text) {
  subscription_state s;
  auto const plus = text.find('+');
  s.sub = *parse_subscription(text.substr(0, plus));
  auto rest = plus == std::string_view::npos ? std::string_view() : text.substr(plus);
  s.pending_out = rest.find("+out") != std::string_view::npos;
  s.pending_in = rest.find("+in") != std::string_view::npos;
  s.approved = rest.find("+approved") != std::string_view::npos;
  return s;
}

struct out_row {
  subscription_stanza what;
  std::string_view from, to;
  bool route;
};

struct in_row {
  subscription_stanza what;
  std::string_view from, to;
  bool deliver, auto_subscribed;
};

using enum subscription_stanza;

TEST(Subscription, OutboundTablesOfAppendixA2) {
  out_row const rows[] = {
      // A.2.1 subscribe
      {subscribe, "none", "none+out", true},
      {subscribe, "none+out", "none+out", true},
      {subscribe, "none+in", "none+out+in", true},
      {subscribe, "none+out+in", "none+out+in", true},
      {subscribe, "to", "to", true},
      {subscribe, "to+in", "to+in", true},
      {subscribe, "from", "from+out", true},
      {subscribe, "from+out", "from+out", true},
      {subscribe, "both", "both", true},
      // A.2.2 unsubscribe
      {unsubscribe, "none", "none", true},
      {unsubscribe, "none+out", "none", true},
      {unsubscribe, "none+in", "none+in", true},
      {unsubscribe, "none+out+in", "none+in", true},
      {unsubscribe, "to", "none", true},
      {unsubscribe, "to+in", "none+in", true},
      {unsubscribe, "from", "from", true},
      {unsubscribe, "from+out", "from", true},
      {unsubscribe, "both", "from", true},
      // A.2.3 subscribed (without a pending in: a pre-approval, 3.4, not routed)
      {subscribed, "none", "none+approved", false},
      {subscribed, "none+out", "none+out+approved", false},
      {subscribed, "none+in", "from", true},
      {subscribed, "none+out+in", "from+out", true},
      {subscribed, "to", "to+approved", false},
      {subscribed, "to+in", "both", true},
      {subscribed, "from", "from", false},
      {subscribed, "from+out", "from+out", false},
      {subscribed, "both", "both", false},
      // A.2.4 unsubscribed (also withdraws a pre-approval)
      {unsubscribed, "none", "none", false},
      {unsubscribed, "none+approved", "none", false},
      {unsubscribed, "none+out", "none+out", false},
      {unsubscribed, "none+in", "none", true},
      {unsubscribed, "none+out+in", "none+out", true},
      {unsubscribed, "to", "to", false},
      {unsubscribed, "to+in", "to", true},
      {unsubscribed, "from", "none", true},
      {unsubscribed, "from+out", "none+out", true},
      {unsubscribed, "both", "to", true},
  };
  for (auto const& r : rows) {
    auto step = on_outbound(st(r.from), r.what);
    EXPECT_EQ(step.next, st(r.to)) << subscription_stanza_name(r.what) << " from " << r.from;
    EXPECT_EQ(step.route, r.route) << subscription_stanza_name(r.what) << " from " << r.from;
  }
}

TEST(Subscription, InboundTablesOfAppendixA3) {
  in_row const rows[] = {
      // A.3.1 subscribe
      {subscribe, "none", "none+in", true, false},
      {subscribe, "none+out", "none+out+in", true, false},
      {subscribe, "none+in", "none+in", false, false},
      {subscribe, "none+out+in", "none+out+in", false, false},
      {subscribe, "to", "to+in", true, false},
      {subscribe, "to+in", "to+in", false, false},
      {subscribe, "from", "from", false, true},
      {subscribe, "from+out", "from+out", false, true},
      {subscribe, "both", "both", false, true},
      // 3.4: a pre-approved subscribe is granted by the server
      {subscribe, "none+approved", "from", false, true},
      {subscribe, "none+out+approved", "from+out", false, true},
      {subscribe, "to+approved", "both", false, true},
      // A.3.2 unsubscribe
      {unsubscribe, "none", "none", false, false},
      {unsubscribe, "none+out", "none+out", false, false},
      {unsubscribe, "none+in", "none", true, false},
      {unsubscribe, "none+out+in", "none+out", true, false},
      {unsubscribe, "to", "to", false, false},
      {unsubscribe, "to+in", "to", true, false},
      {unsubscribe, "from", "none", true, false},
      {unsubscribe, "from+out", "none+out", true, false},
      {unsubscribe, "both", "to", true, false},
      // A.3.3 subscribed
      {subscribed, "none", "none", false, false},
      {subscribed, "none+out", "to", true, false},
      {subscribed, "none+in", "none+in", false, false},
      {subscribed, "none+out+in", "to+in", true, false},
      {subscribed, "to", "to", false, false},
      {subscribed, "to+in", "to+in", false, false},
      {subscribed, "from", "from", false, false},
      {subscribed, "from+out", "both", true, false},
      {subscribed, "both", "both", false, false},
      // A.3.4 unsubscribed
      {unsubscribed, "none", "none", false, false},
      {unsubscribed, "none+out", "none", true, false},
      {unsubscribed, "none+in", "none+in", false, false},
      {unsubscribed, "none+out+in", "none+in", true, false},
      {unsubscribed, "to", "none", true, false},
      {unsubscribed, "to+in", "none+in", true, false},
      {unsubscribed, "from", "from", false, false},
      {unsubscribed, "from+out", "from", true, false},
      {unsubscribed, "both", "from", true, false},
  };
  for (auto const& r : rows) {
    auto step = on_inbound(st(r.from), r.what);
    EXPECT_EQ(step.next, st(r.to)) << subscription_stanza_name(r.what) << " from " << r.from;
    EXPECT_EQ(step.deliver, r.deliver) << subscription_stanza_name(r.what) << " from " << r.from;
    EXPECT_EQ(step.auto_subscribed, r.auto_subscribed) << subscription_stanza_name(r.what) << " from " << r.from;
  }
}

TEST(Subscription, StanzaNamesAndPresenceDirection) {
  for (auto s : {subscribe, subscribed, unsubscribe, unsubscribed})
    EXPECT_EQ(parse_subscription_stanza(subscription_stanza_name(s)), s);
  EXPECT_EQ(parse_subscription_stanza("unavailable"), std::nullopt);
  EXPECT_EQ(parse_subscription_stanza(""), std::nullopt);
  EXPECT_TRUE(sends_presence_to(st("from")) && sends_presence_to(st("both")));
  EXPECT_FALSE(sends_presence_to(st("to")) || sends_presence_to(st("none+in")));
  EXPECT_TRUE(receives_presence_from(st("to")) && receives_presence_from(st("both")));
  EXPECT_FALSE(receives_presence_from(st("from")) || receives_presence_from(st("none+out")));
  EXPECT_EQ(format_presence("a@x", "b'@x", "subscribe"), "<presence from='a@x' to='b&apos;@x' type='subscribe'/>");
  EXPECT_EQ(format_presence("a@x/r", "", "unavailable"), "<presence from='a@x/r' type='unavailable'/>");
  EXPECT_FALSE(has_state(st("none")));
  EXPECT_TRUE(has_state(st("none+approved")) && has_state(st("none+in")));
}

}  // namespace
}  // namespace posta::jabber::proto
