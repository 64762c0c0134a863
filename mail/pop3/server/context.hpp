// What a POP3 session needs from the rest of the server, and the two POP3
// listeners: `pop3` (RFC 1939 port, STLS of RFC 2595) and `pop3s` (implicit
// TLS, RFC 8314).
#pragma once

#include "core/net/tls.hpp"
#include "core/util/async.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace posta::settings { class store; }
namespace posta::net { class session_registry; }
namespace posta::auth { class authenticator; }
namespace posta::mail::pop3::store { class maildrop_locks; }

namespace posta::mail::pop3::server {

class maildrop_store;

enum class listener_kind {
  pop3,   // port 110: STLS
  pop3s,  // port 995: implicit TLS
};

std::string_view listener_name(listener_kind k);

struct context {
  settings::store const& settings;
  auth::authenticator& auth;
  maildrop_store& maildrops;
  store::maildrop_locks& locks;  // RFC 1939 4: one POP3 session per maildrop, on every node
  std::shared_ptr<net::tls_contexts const> tls;  // nullptr: no STLS, no POP3S
  // Told when the server stops (graceful shutdown); nullptr in tests.
  net::session_registry* sessions = nullptr;

  // The listener's certificate (SNI may choose a domain's during the handshake).
  std::shared_ptr<boost::asio::ssl::context> tls_for(listener_kind kind) const;
};

}  // namespace posta::mail::pop3::server
