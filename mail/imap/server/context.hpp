// What an IMAP session needs from the rest of the server, and the two IMAP
// listeners: `imap` (RFC 3501 6.2.1 STARTTLS) and `imaps` (RFC 8314 implicit
// TLS).
#pragma once

#include "core/net/tls.hpp"
#include "core/util/async.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace posta::settings { class store; }
namespace posta::net { class session_registry; }
namespace posta::auth { class authenticator; }
namespace posta::identity { class store; }
namespace posta::blob { class store; }
namespace posta::search { class text_search; }
namespace posta::mail::store { class mailbox_store; class mailbox_watcher; }

namespace posta::mail::imap::server {

enum class listener_kind { imap, imaps };

std::string_view listener_name(listener_kind k);

class account_sessions;

struct context {
  settings::store const& settings;
  auth::authenticator& auth;
  identity::store& identity;
  std::shared_ptr<net::tls_contexts const> tls;  // nullptr: no STARTTLS, no imaps
  std::string hostname;
  // Told when the server stops (graceful shutdown); nullptr in tests.
  net::session_registry* sessions = nullptr;
  // The mailboxes and their change notifications; nullptr: a server without
  // a store answers every mailbox command NO [UNAVAILABLE].
  store::mailbox_store* mailboxes = nullptr;
  store::mailbox_watcher* watcher = nullptr;
  blob::store const* blobs = nullptr;  // APPEND writes its messages there
  // The full-text index for SEARCH text keys; nullptr (or "not indexed"):
  // a substring scan over the decoded text.
  search::text_search* text_search = nullptr;
  // SECURITY: sessions per account (imap.max_sessions_per_account); the
  // service owns it.
  account_sessions* per_account = nullptr;

  std::shared_ptr<boost::asio::ssl::context> tls_for(listener_kind kind) const;
};

}  // namespace posta::mail::imap::server
