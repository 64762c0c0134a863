// XEP-0280 message carbons as the protocol sees them: which messages are
// copied (section 6.1) and the <sent/> / <received/> wrapper around a
// XEP-0297 <forwarded/> copy (sections 7, 8).
#pragma once

#include <string>
#include <string_view>

namespace posta::jabber::proto {

// What eligibility depends on, read from the message.
struct carbon_facts {
  std::string_view type;  // the 'type' attribute; empty is normal (RFC 6121 5.2.2)
  bool has_body = false;
  bool is_private = false;  // <private xmlns='urn:xmpp:carbons:2'/> (section 6.2)
  bool no_copy = false;     // <no-copy xmlns='urn:xmpp:hints'/> (XEP-0334)
  bool is_carbon = false;   // already a <sent/> or <received/> copy
};

// Section 6.1: type chat, and (as 6.1 allows) type normal with a <body/>.
// Never groupchat, headline or error; never a private or no-copy message;
// never a copy of a copy.
bool is_carbon_eligible(carbon_facts const& m);

enum class carbon_direction { sent, received };

// <message from='ACCOUNT' to='TO' type='TYPE'><sent|received
// xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>ORIGINAL
// </forwarded></...></message>; `original` is XML written by gloox or Posta
// (with its jabber:client namespace declared), the rest is escaped here.
std::string format_carbon(carbon_direction d, std::string_view account, std::string_view to, std::string_view type,
                          std::string_view original);

}  // namespace posta::jabber::proto
