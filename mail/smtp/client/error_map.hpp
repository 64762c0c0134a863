// What the client reports when no server reply decides a recipient: local
// failures as SMTP replies, so the queue runner and the DSN (RFC 3464
// Diagnostic-Code) see one kind of outcome. Codes per RFC 3463: X.4.1 no
// answer, X.4.2 connection dropped or timed out, X.5.0 protocol error,
// X.7.5 TLS failure, X.7.10 encryption needed (RFC 5248), X.7.11
// encryption required for AUTH. Every such failure is temporary (4xx) but
// those the message itself causes.
#pragma once

#include "core/util/result.hpp"
#include "mail/smtp/proto/reply.hpp"

#include <string_view>

namespace posta::mail::smtp::client {

using smtp::proto::reply;

reply connect_failed(std::string_view where, error const& e);  // 451 4.4.1
reply connection_failed(std::string_view what, error const& e);  // 451 4.4.2 (timeouts, resets, end of stream)
reply bad_reply(std::string_view what);                          // 451 4.5.0
reply tls_not_offered();                                         // 451 4.7.10
reply tls_failed(error const& e);                                // 451 4.7.5
reply plaintext_pending_after_starttls();                        // 451 4.7.5
reply auth_needs_tls();                                          // 451 4.7.11
reply auth_not_offered();                                        // 451 4.7.0
reply body_unreadable(error const& e);                           // 451 4.3.0
reply message_too_big_for_peer(std::uint64_t limit);             // 552 5.3.4
reply utf8_envelope_refused();                                   // 553 5.6.7

}  // namespace posta::mail::smtp::client
