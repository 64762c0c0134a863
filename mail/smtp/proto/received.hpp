// The Received trace header a receiving SMTP server prepends
// (RFC 5321 4.4, protocol names of RFC 3848 and RFC 6531).
#pragma once

#include <string>

namespace posta::mail::smtp::proto {

struct received_fields {
  std::string helo;          // what the client said in EHLO/HELO
  std::string client_ip;     // literal address of the peer
  std::string server_name;
  bool esmtp = true;
  bool tls = false;
  bool authenticated = false;
  bool utf8 = false;         // SMTPUTF8 transaction
  std::string tls_description;     // "TLS1.3 TLS_AES_256_GCM_SHA384"
  std::string authenticated_user;
  std::string id;            // our message id
  std::string single_recipient;  // "for <…>" only when there is exactly one
  std::string date;          // RFC 5322 date
};

// "SMTP", "ESMTP", "ESMTPS", "ESMTPA", "ESMTPSA", "UTF8SMTPSA", …
std::string with_protocol(received_fields const& f);

// The whole header field, folded, ending with CRLF.
std::string format_received(received_fields const& f);

}  // namespace posta::mail::smtp::proto
