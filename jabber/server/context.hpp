// What a c2s session needs from the rest of the server, and the two c2s
// listeners: `xmpp` (STARTTLS, RFC 6120 section 5) and `xmpps` (direct TLS,
// XEP-0368).
#pragma once

#include "core/net/tls.hpp"
#include "core/util/async.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace posta::settings {
class store;
}
namespace posta::net {
class session_registry;
}
namespace posta::auth {
class authenticator;
}
namespace posta::identity {
class store;
}

namespace posta::jabber::store {
class roster_store;
}

namespace posta::jabber::server {

class router;
class session_table;
class resumption_table;

enum class listener_kind {
  xmpp,   // port 5222: STARTTLS
  xmpps,  // port 5223: TLS from the first byte
};

std::string_view listener_name(listener_kind k);

struct context {
  settings::store const& settings;
  auth::authenticator& auth;
  identity::store& identity;                     // every mail domain is an XMPP host
  router& routes;                                // the sessions of this node, by full JID
  store::roster_store& rosters;                  // RFC 6121 2
  std::shared_ptr<net::tls_contexts const> tls;  // nullptr: no STARTTLS, no xmpps
  net::session_registry* sessions = nullptr;     // told at shutdown; nullptr in tests
  std::string hostname;                          // names the server in a stream header for a host it does not serve
  session_table* table = nullptr;                // the administrator's view (session_admin.cpp); nullptr in tests
  resumption_table* resumptions = nullptr;       // XEP-0198 5; set by the service, nullptr: no resumption

  std::shared_ptr<boost::asio::ssl::context> tls_for(listener_kind kind) const;
};

}  // namespace posta::jabber::server
