// Raw UTF-8 in a message header made fit for a peer without SMTPUTF8
// (RFC 6531 3.2 and the "encode headers" option of the ICS): unstructured
// fields (RFC 5322 3.6.5 Subject, Comments; Content-Description; X-*) and
// the display names and comments of address fields (RFC 5322 3.4) become
// RFC 2047 encoded-words, "=?UTF-8?Q?…?=" (5(1), 5(2), 5(3)). An address
// itself cannot be encoded: a message with a UTF-8 addr-spec in a header
// must bounce (RFC 6531 3.2: 553 5.6.7). Other fields are left as they are.
#pragma once

#include "mail/smtp/proto/reply.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::smtp::client::proto {

struct encoded_header {
  std::string header;                    // the header section to send, blank line included
  bool changed = false;
  std::vector<std::string> left_8bit;    // names of fields still holding raw UTF-8 (Message-ID, parameters…)
};

// `header` is the header section of a message (CRLF line ends, up to and
// including the empty line; without one, all of it). Fields without 8-bit
// octets are kept byte for byte, so a DKIM signature over them stays valid.
// Refusal: 553 5.6.7 naming the field with a UTF-8 address.
smtp::proto::reply_or<encoded_header> encode_utf8_headers(std::string_view header);

// One run of UTF-8 text as encoded-words of at most 75 octets, split only
// between characters, separated by single spaces. Exposed for tests.
std::string encode_words(std::string_view utf8);

// RFC 6531 3.4 / 3.2: an envelope that needs SMTPUTF8 (a non-ASCII address).
bool has_non_ascii(std::string_view s) noexcept;

// Where the header section of CRLF message bytes ends, after its empty line
// (2 for a message that starts with one), or npos while no empty line came.
std::size_t header_section_end(std::string_view bytes) noexcept;

}  // namespace posta::mail::smtp::client::proto
