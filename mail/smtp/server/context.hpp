// What an SMTP session needs from the rest of the server, and the three kinds
// of SMTP listener (RFC 5321 relay port, RFC 6409 submission, RFC 8314 SMTPS).
#pragma once

#include "core/net/tls.hpp"
#include "core/util/async.hpp"

#include <boost/asio/ssl/context.hpp>

#include <map>
#include <memory>
#include <string>

namespace posta::settings { class store; }
namespace posta::net { class session_registry; }
namespace posta::util { class memory_budget; }
namespace posta::auth { class authenticator; }
namespace posta::blob { class store; }
namespace posta::mail::delivery { class resolver; class committer; }
namespace posta::mail::smtp::policy { class rate_limiter; class lists_source; }

namespace posta::mail::smtp::server {

enum class listener_kind {
  mx,           // port 25: mail from other servers; AUTH allowed but not required
  submission,   // port 587: STARTTLS, AUTH required
  submissions,  // port 465: implicit TLS, AUTH required
};

std::string_view listener_name(listener_kind k);

struct context {
  settings::store const& settings;
  auth::authenticator& auth;
  delivery::resolver& resolver;
  delivery::committer& committer;
  blob::store const& blobs;
  policy::rate_limiter& rate;
  policy::lists_source const& lists;
  std::shared_ptr<net::tls_contexts const> tls;  // nullptr: no STARTTLS
  std::string hostname;
  // Told when the server stops (graceful shutdown); nullptr in tests.
  net::session_registry* sessions = nullptr;
  // SECURITY: RAM for messages kept during DATA, all sessions together (the
  // service owns it: smtp.message_memory_mb).
  util::memory_budget* message_memory = nullptr;

  // The listener's certificate (SNI may choose a domain's during the handshake).
  std::shared_ptr<boost::asio::ssl::context> tls_for(listener_kind kind) const;
};

}  // namespace posta::mail::smtp::server
