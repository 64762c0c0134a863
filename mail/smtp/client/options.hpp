// How the SMTP client talks to one server: our name, TLS policy, optional
// credentials (a smarthost) and a bound on every wait (RFC 5321 4.5.3.2).
#pragma once

#include "mail/smtp/client/proto/reply_parser.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace posta::mail::smtp::client {

enum class tls_policy {
  none,           // never STARTTLS
  opportunistic,  // STARTTLS when offered, any certificate (RFC 7435); plaintext otherwise
  required,       // STARTTLS must be offered and the certificate valid for tls_name
  implicit,       // TLS from the first byte (RFC 8314, a relay on port 465), certificate verified
};

struct credentials {
  std::string user;
  std::string password;  // SECURITY: sent only inside TLS, never logged
};

struct client_options {
  std::string helo_name = "localhost";  // our name in EHLO/HELO (a host name or address literal)
  tls_policy tls = tls_policy::opportunistic;
  std::string tls_name;  // the name the server's certificate must carry (required, implicit), SNI
  // Verifying (net::make_client_tls_context) for required and implicit, else
  // opportunistic (net::make_opportunistic_client_tls_context); null: no TLS.
  std::shared_ptr<boost::asio::ssl::context> tls_context;
  std::optional<credentials> auth;  // AUTH PLAIN (RFC 4616) after TLS
  bool encode_utf8_headers = true;  // mail.encode_utf8_headers: RFC 2047 for a peer without SMTPUTF8

  // SECURITY: every wait is bounded; the defaults are RFC 5321 4.5.3.2's.
  using duration = std::chrono::steady_clock::duration;
  duration connect_timeout = std::chrono::seconds(30);
  duration greeting_timeout = std::chrono::minutes(5);
  duration command_timeout = std::chrono::minutes(5);    // EHLO, MAIL, RCPT, RSET, STARTTLS, AUTH, QUIT
  duration data_start_timeout = std::chrono::minutes(2); // the 354 to DATA
  duration data_block_timeout = std::chrono::minutes(3); // each write of the body
  duration data_end_timeout = std::chrono::minutes(10);  // the reply after the body
  duration tls_timeout = std::chrono::minutes(1);
  proto::reply_limits reply_limits;
  // SECURITY: the header block read (and rewritten) at most; a larger one
  // is sent as it is.
  std::size_t max_header_octets = 256 * 1024;
};

}  // namespace posta::mail::smtp::client
