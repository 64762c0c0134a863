// Presence subscriptions between accounts (RFC 6121 section 3): one
// subscription stanza applied to the sender's roster (Appendix A.2) and,
// when the contact is a local account, to the contact's (A.3), in one
// transaction, with the roster pushes each side is owed (3.1.2-3.3.3).
#pragma once

#include "jabber/proto/subscription.hpp"
#include "jabber/store/roster_store.hpp"

#include <string>
#include <vector>

namespace posta::jabber::store {

struct subscription_outcome {
  struct push {
    std::string account;  // whose resources get it
    roster_change change;
  };
  std::vector<push> pushes;
  bool contact_is_local = false;
  bool deliver = false;           // the stanza goes to the contact's resources
  bool auto_subscribed = false;   // the contact's server answered 'subscribed' (A.3.1, 3.4)
  bool answer_delivered = false;  // ... and that answer changed the user's state: the user sees it
};

// `stanza` is the subscription stanza as the contact would receive it; a
// subscribe is kept as the contact's pending in (RFC 6121 3.1.3).
asio::awaitable<result<subscription_outcome>> send_subscription(db::pool& pool, std::string const& user,
                                                                std::string const& contact,
                                                                proto::subscription_stanza what,
                                                                std::string const& stanza);

// The subscribe stanzas waiting for `account` (delivered again at each
// available presence, RFC 6121 3.1.3), with the bare JID each came from.
struct pending_request {
  std::string contact;
  std::string stanza;
};
asio::awaitable<result<std::vector<pending_request>>> pending_requests(db::pool& pool, std::string const& account);

struct contact_state {
  std::string jid;
  proto::subscription sub = proto::subscription::none;
};
// The contacts of `account` with a subscription in either direction.
asio::awaitable<result<std::vector<contact_state>>> subscribed_contacts(db::pool& pool, std::string const& account);

}  // namespace posta::jabber::store
