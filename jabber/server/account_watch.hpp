// Identity changes that end XMPP sessions (issue 11): when an account with
// sessions on this node is disabled or deleted (NOTIFY posta_identity,
// schema/010), each of its sessions ends at once with the stream error
// not-authorized (RFC 6120 4.9.3.12): the stream's authentication no longer
// stands, which is neither the client's policy violation (4.9.3.14) nor a
// reason to reconnect (reset, 4.9.3.16); the client's next SASL attempt is
// refused. The ending session's unavailable presence reaches its contacts
// (RFC 6121 4.5.2) as on any disconnect.
#pragma once

#include "core/db/pool.hpp"

namespace posta::jabber::server {

class session_table;

class account_watch {
 public:
  account_watch(db::pool& pool, session_table& table) : pool_(pool), table_(table) {}

  // Compares the accounts with sessions here with the enabled ones.
  asio::awaitable<void> check();

 private:
  db::pool& pool_;
  session_table& table_;
};

}  // namespace posta::jabber::server
