// IMAP FETCH data computed from a stored message_structure, without parsing
// the message again: ENVELOPE, BODY and BODYSTRUCTURE (RFC 3501 7.4.2, 9) and
// the byte range of a BODY[section] (RFC 3501 6.4.5).
#pragma once

#include "mail/mime/proto/message_structure.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::imap::proto {

// Appends an IMAP string (RFC 3501 4.3): quoted when every byte is 7-bit and
// not CR/LF ('"' and '\' escaped), otherwise a synchronizing literal
// "{n}\r\n<bytes>". NUL bytes, which IMAP allows in neither form, are dropped.
void append_string(std::string& out, std::string_view s);
void append_nstring(std::string& out, std::optional<std::string> const& s);

// "(date subject from sender reply-to to cc bcc in-reply-to message-id)".
std::string format_envelope(mail::mime::envelope const& env);

// BODY (extensible = false) or BODYSTRUCTURE (extensible = true, with md5,
// disposition, language and location) of the message or one of its parts.
// COMPAT: type, subtype, encoding, disposition type and parameter names are
// uppercased as in RFC 3501's examples (Dovecot does the same for types);
// a text part without parameters gets ("CHARSET" "us-ascii"); a non-ASCII
// parameter value is sent RFC 2231 encoded as NAME*="utf-8''%..".
std::string format_body_structure(mail::mime::message_structure const& ms, bool extensible);
void append_body(std::string& out, mail::mime::body_part const& part, bool extensible);

enum class section_text {
  none,    // BODY[] or BODY[1.2]: the whole message or the part's body
  header,  // BODY[HEADER], BODY[1.2.HEADER] (and .FIELDS, filtered by the caller)
  text,    // BODY[TEXT], BODY[1.2.TEXT]
  mime,    // BODY[1.2.MIME]: the part's MIME header
};

struct section_spec {
  std::vector<std::uint32_t> part;  // 1-based part numbers, empty = whole message
  section_text text = section_text::none;
  friend bool operator==(section_spec const&, section_spec const&) = default;
};

// The byte range of raw message data that the section names, or nullopt when
// the message has no such part (HEADER/TEXT on a part that is not
// message/rfc822, MIME without part number, a number out of range). The
// header ranges include the blank line that ends the header.
std::optional<mail::mime::byte_range> section_range(mail::mime::message_structure const& ms,
                                                    section_spec const& spec);

// The part a section path names (the root's body for an empty path, as
// BINARY[] takes it), or nullptr when there is no such part; BINARY decodes
// with its Content-Transfer-Encoding (RFC 3516 4.2).
mail::mime::body_part const* section_part(mail::mime::message_structure const& ms,
                                          std::vector<std::uint32_t> const& part);

}  // namespace posta::mail::imap::proto
