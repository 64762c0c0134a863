// The CAPABILITY list (RFC 3501 7.2.1) for the session's state: what may be
// used before TLS and login, and the extensions once logged in. Only what
// this server implements is named.
#include "core/net/listen_address.hpp"
#include "core/settings/settings.hpp"
#include "mail/imap/server/session.hpp"

namespace posta::mail::imap::server {

// SECURITY: passwords only inside TLS (RFC 3501 6.2.3, RFC 9051 11.1),
// except from loopback when imap.allow_plaintext_auth_on_loopback is on
// (a webmail on the same host).
bool session::may_login_in_plaintext() const {
  if (stream_.is_tls()) return true;
  return net::is_loopback(stream_.remote_endpoint().address()) &&
         ctx_.settings.get_bool("imap.allow_plaintext_auth_on_loopback");
}

std::string session::capabilities() const {
  std::string c = "CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID ENABLE IDLE";
  if (state_ == proto::session_state::not_authenticated) {
    if (!stream_.is_tls() && ctx_.tls_for(kind_)) c += " STARTTLS";
    if (may_login_in_plaintext()) c += " AUTH=PLAIN";
    else c += " LOGINDISABLED";
    c += " AUTH=SCRAM-SHA-256";
    return c;
  }
  c += " NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED LIST-STATUS";
  c += " CONDSTORE QRESYNC QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE ESEARCH SEARCHRES SORT ESORT";
  c += " THREAD=REFERENCES THREAD=ORDEREDSUBJECT WITHIN BINARY MULTIAPPEND UTF8=ACCEPT STATUS=SIZE";
  if (!deflate_) c += " COMPRESS=DEFLATE";
  c += " APPENDLIMIT=" + std::to_string(literal_limits_.max_message);
  return c;
}

}  // namespace posta::mail::imap::server
