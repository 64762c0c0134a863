// Rosters that follow identity changes made elsewhere (schema/019, 025): a
// deleted account leaves others' rosters, the accounts of a domain with a
// shared roster, or of a directory group, appear in each other's, and an
// account's new address replaces its old one in the rosters that list it. The database has already changed
// the rows and the versions; this node pushes the new state of each item to
// its sessions that asked for the roster (RFC 6121 2.1.6) and lets presence
// follow as it would after a subscription change (RFC 6121 3.1.5, 3.2.2).
// Every node hears NOTIFY posta_xmpp_roster and serves its own sessions, so
// a cluster needs nothing more; a notification missed while the listening
// connection was down only costs the push: the version has moved, so the
// client's next roster get returns the whole new roster (XEP-0237).
#pragma once

#include "core/util/async.hpp"

#include <string>
#include <vector>

namespace posta::jabber::store {
class roster_store;
}

namespace posta::jabber::server {

class router;
class session_table;

inline constexpr char const* roster_notify_channel = "posta_xmpp_roster";

class roster_follow {
 public:
  roster_follow(store::roster_store& rosters, router& routes, session_table& table)
      : rosters_(rosters), routes_(routes), table_(table) {}

  // '{"account": A, "contact": C}', '{"account": A, "contacts": [C, …]}'
  // (schema/025) or '{"domain": D}'; anything else is ignored.
  asio::awaitable<void> on_notify(std::string payload);

 private:
  asio::awaitable<void> item_changed(std::string const& account, std::string const& contact);
  asio::awaitable<void> domain_changed(std::string const& domain);
  asio::awaitable<void> items_changed(std::string const& account, std::vector<std::string> const& contacts);

  store::roster_store& rosters_;
  router& routes_;
  session_table& table_;
};

}  // namespace posta::jabber::server
