// What a server's EHLO reply offers, read into the same capabilities type the
// server side advertises from. RFC 5321 4.1.1.1 (ehlo-line: keyword and
// parameters), RFC 2920 (PIPELINING), RFC 1870 (SIZE), RFC 6152 (8BITMIME),
// RFC 6531 (SMTPUTF8), RFC 3030 (CHUNKING), RFC 3461 (DSN), RFC 3207
// (STARTTLS), RFC 4954 (AUTH), RFC 2034 (ENHANCEDSTATUSCODES).
#pragma once

#include "mail/smtp/proto/reply.hpp"

#include <cstdint>

namespace posta::mail::smtp::client::proto {

using smtp::proto::capabilities;

// Every field of the result is set from the reply (the defaults of
// capabilities, which describe Posta's own offer, do not leak in). `size`:
// nullopt when SIZE is not offered, 0 when offered without a fixed limit
// (RFC 1870 4: "SIZE" or "SIZE 0"). AUTH mechanisms in upper case, at most
// 16, also from the old "AUTH=…" form. Unknown keywords are ignored; the
// first line (the server's name) is not a keyword.
capabilities parse_ehlo(smtp::proto::reply const& ehlo);

// SECURITY: a peer cannot make the mechanism list grow without bound.
inline constexpr std::size_t max_auth_mechanisms = 16;

}  // namespace posta::mail::smtp::client::proto
