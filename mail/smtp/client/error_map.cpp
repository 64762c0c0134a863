// Local failures of the SMTP client as replies. RFC 3463, RFC 5248.
#include "mail/smtp/client/error_map.hpp"

namespace posta::mail::smtp::client {

using smtp::proto::make_reply;

reply connect_failed(std::string_view where, error const& e) {
  return make_reply(451, "4.4.1", "connect to " + std::string(where) + " failed: " + e.message());
}
reply connection_failed(std::string_view what, error const& e) {
  return make_reply(451, "4.4.2", std::string(what) + ": " + e.message());
}
reply bad_reply(std::string_view what) {
  return make_reply(451, "4.5.0", "remote server sent a bad reply: " + std::string(what));
}
reply tls_not_offered() {
  return make_reply(451, "4.7.10", "TLS is required for this destination but the server does not offer STARTTLS");
}
reply tls_failed(error const& e) { return make_reply(451, "4.7.5", "TLS failed: " + e.message()); }
reply plaintext_pending_after_starttls() {
  return make_reply(451, "4.7.5", "server sent data after its STARTTLS reply (possible injection)");
}
reply auth_needs_tls() { return make_reply(451, "4.7.11", "credentials are only sent over TLS"); }
reply auth_not_offered() { return make_reply(451, "4.7.0", "relay does not offer AUTH PLAIN"); }
reply body_unreadable(error const& e) { return make_reply(451, "4.3.0", "message not readable: " + e.message()); }
reply message_too_big_for_peer(std::uint64_t limit) {
  return make_reply(552, "5.3.4", "message larger than the receiving server's limit of " + std::to_string(limit) + " octets");
}
reply utf8_envelope_refused() {
  return make_reply(553, "5.6.7", "UTF-8 addresses need SMTPUTF8, which the receiving server does not offer");
}

}  // namespace posta::mail::smtp::client
