// The presence subscription state machine of a local server (RFC 6121
// sections 3.1-3.4 and Appendix A): what each subscription stanza does to
// the state a roster holds for one contact, whether the stanza reaches the
// other side, and the answers the server gives itself (3.1.3 auto-reply,
// 3.4 pre-approval).
#pragma once

#include "jabber/proto/roster.hpp"

namespace posta::jabber::proto {

enum class subscription_stanza { subscribe, subscribed, unsubscribe, unsubscribed };

std::optional<subscription_stanza> parse_subscription_stanza(std::string_view presence_type);
std::string_view subscription_stanza_name(subscription_stanza s);

// What a roster holds for one contact (Appendix A.1).
struct subscription_state {
  subscription sub = subscription::none;  // none, to, from or both
  bool pending_out = false;               // 'ask': our subscribe awaits an answer
  bool pending_in = false;                // the contact's subscribe awaits the user
  bool approved = false;                  // pre-approved (3.4)

  friend bool operator==(subscription_state const&, subscription_state const&) = default;
};

struct outbound_step {
  subscription_state next;
  bool route = false;  // the stanza goes on to the contact
};

struct inbound_step {
  subscription_state next;
  bool deliver = false;          // the stanza goes to the user's resources (or waits as pending in)
  bool auto_subscribed = false;  // the server answers <presence type='subscribed'/> itself (3.1.3, 3.4)
};

// The user's server, on a subscription stanza the user sends (A.2).
outbound_step on_outbound(subscription_state s, subscription_stanza what);
// The user's server, on a subscription stanza a contact sends the user (A.3).
inbound_step on_inbound(subscription_state s, subscription_stanza what);

// Whether the state leaves anything the roster must keep (otherwise its
// row may go, unless the item is listed).
bool has_state(subscription_state const& s);
// The contact receives the user's presence (3: 'from' or 'both').
inline bool sends_presence_to(subscription_state const& s) {
  return s.sub == subscription::from || s.sub == subscription::both;
}
// The user receives the contact's presence ('to' or 'both').
inline bool receives_presence_from(subscription_state const& s) {
  return s.sub == subscription::to || s.sub == subscription::both;
}

// <presence from='' [to=''] [type='']/>, for the presence the server
// writes itself (subscription stanzas, RFC 6121 3.1.2; unavailable, 4.5.2).
std::string format_presence(std::string_view from, std::string_view to, std::string_view type);

}  // namespace posta::jabber::proto
