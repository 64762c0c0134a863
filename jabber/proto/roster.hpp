// Roster items as the protocol sees them (RFC 6121 section 2.1.2): the
// subscription states, the validation of a roster set (2.3.3, 2.5.3) and
// the <query xmlns='jabber:iq:roster'/> of a result or a push (2.1.4, 2.1.6).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::jabber::proto {

enum class subscription { none, to, from, both, remove };

std::string_view subscription_name(subscription s);
std::optional<subscription> parse_subscription(std::string_view text);  // the four states and "remove"

struct roster_item {
  std::string jid;  // a bare JID
  std::string name;
  std::vector<std::string> groups;
  subscription sub = subscription::none;
  bool ask = false;  // 'ask="subscribe"': a subscription request is pending out
};

// SECURITY: what one roster item may hold; larger ones are not-acceptable.
struct roster_limits {
  std::size_t max_name_bytes = 1023;
  std::size_t max_group_bytes = 1023;
  std::size_t max_groups = 64;
};

enum class roster_set_error {
  none,
  bad_request,     // not exactly one item, or one without a 'jid' (2.3.3)
  not_acceptable,  // an empty or duplicate group, or a name or group too long (2.3.3)
};

// What a client's roster set asks, once its item was read from the XML
// ('subscription' as sent, or "" when absent).
struct roster_set_request {
  std::size_t item_count = 0;
  std::string jid;
  std::string name;
  std::string subscription;
  std::vector<std::string> groups;
};

roster_set_error check_roster_set(roster_set_request const& req, roster_limits const& limits = {});
// "remove" asked (2.5.2).
inline bool is_remove(roster_set_request const& req) {
  return req.subscription == "remove";
}

// <item jid='' [name=''] subscription='' [ask='subscribe']><group/>…</item>
std::string format_roster_item(roster_item const& item);
// <query xmlns='jabber:iq:roster' [ver='']>ITEMS</query>
std::string format_roster_query(std::optional<std::string_view> ver, std::vector<roster_item> const& items);
// A roster push (2.1.6): <iq type='set' id='' to=''><query [ver='']><item/></query></iq>
std::string format_roster_push(std::string_view id, std::string_view to, std::optional<std::string_view> ver,
                               roster_item const& item);

}  // namespace posta::jabber::proto
