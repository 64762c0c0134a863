// Roster items (RFC 6121 2.1.2): the subscription names, the checks of a
// roster set (2.3.3, 2.5.3) and the XML of results and pushes (2.1.4, 2.1.6).
#include "jabber/proto/roster.hpp"

#include <gtest/gtest.h>

namespace posta::jabber::proto {
namespace {

TEST(Roster, SubscriptionNamesRoundTrip) {
  for (auto s : {subscription::none, subscription::to, subscription::from, subscription::both, subscription::remove})
    EXPECT_EQ(parse_subscription(subscription_name(s)), s);
  EXPECT_EQ(parse_subscription("None"), std::nullopt);
  EXPECT_EQ(parse_subscription(""), std::nullopt);
}

struct set_case {
  roster_set_request req;
  roster_set_error expected;
};

TEST(Roster, RosterSetChecks) {
  std::string const long_text(1024, 'x');
  std::vector<std::string> many(65, "g");
  for (std::size_t i = 0; i < many.size(); ++i) many[i] += std::to_string(i);
  set_case const cases[] = {
      {{1, "b@x", "Bob", "", {"Friends"}}, roster_set_error::none},
      {{1, "b@x", "", "remove", {}}, roster_set_error::none},
      {{0, "", "", "", {}}, roster_set_error::bad_request},                // no item
      {{2, "b@x", "", "", {}}, roster_set_error::bad_request},             // two items
      {{1, "", "", "", {}}, roster_set_error::bad_request},                // no jid
      {{1, "b@x", "", "both", {}}, roster_set_error::none},                // 2.1.2.5: ignored
      {{1, "b@x", "", "", {"a", "a"}}, roster_set_error::not_acceptable},  // duplicate group
      {{1, "b@x", "", "", {""}}, roster_set_error::not_acceptable},        // empty group
      {{1, "b@x", long_text, "", {}}, roster_set_error::not_acceptable},
      {{1, "b@x", "", "", {long_text}}, roster_set_error::not_acceptable},
      {{1, "b@x", "", "", many}, roster_set_error::not_acceptable},
      {{1, "b@x", std::string(1023, 'n'), "", {std::string(1023, 'g')}}, roster_set_error::none},
  };
  for (auto const& c : cases) EXPECT_EQ(check_roster_set(c.req), c.expected) << c.req.jid << " " << c.req.subscription;
}

TEST(Roster, ItemsAreFormattedWithEscaping) {
  EXPECT_EQ(format_roster_item({"b@x", "", {}, subscription::none, false}), "<item jid='b@x' subscription='none'/>");
  EXPECT_EQ(format_roster_item({"b@x", "B'ob <&>", {"A&B", "W"}, subscription::to, true}),
            "<item jid='b@x' name='B&apos;ob &lt;&amp;&gt;' subscription='to' ask='subscribe'>"
            "<group>A&amp;B</group><group>W</group></item>");
}

TEST(Roster, QueriesAndPushes) {
  EXPECT_EQ(format_roster_query(std::nullopt, {}), "<query xmlns='jabber:iq:roster'/>");
  EXPECT_EQ(format_roster_query("3", {{"b@x", "", {}, subscription::both, false}}),
            "<query xmlns='jabber:iq:roster' ver='3'><item jid='b@x' subscription='both'/></query>");
  EXPECT_EQ(format_roster_push("p1", "a@x/desk", "4", {"b@x", "", {}, subscription::remove, false}),
            "<iq type='set' id='p1' to='a@x/desk'><query xmlns='jabber:iq:roster' ver='4'>"
            "<item jid='b@x' subscription='remove'/></query></iq>");
}

}  // namespace
}  // namespace posta::jabber::proto
