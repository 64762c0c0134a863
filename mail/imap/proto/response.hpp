// Server response lines (RFC 3501 7, RFC 9051 7): status responses with
// response codes, untagged data, continuation requests, and the atoms and
// strings inside them. ENVELOPE/BODYSTRUCTURE and IMAP strings are in
// message_format.hpp.
#pragma once

#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

enum class status { ok, no, bad, preauth, bye };

// "<tag> OK [CODE] text\r\n" ("*" for an empty tag: a BAD to a command whose
// tag could not be read). code is "" or the text between the brackets, e.g.
// "TOOBIG" or "APPENDUID 38505 3955". CR, LF and NUL in `text` (which may
// quote client input) are replaced by spaces.
std::string tagged(std::string_view tag, status s, std::string_view code, std::string_view text);
// "* OK [CODE] text\r\n", "* BYE ...", "* PREAUTH ...".
std::string untagged_status(status s, std::string_view code, std::string_view text);
// "* <data>\r\n", e.g. untagged("3 EXISTS").
std::string untagged(std::string_view data);
// "+ text\r\n" (text may be empty, or base64 for AUTHENTICATE).
std::string continuation(std::string_view text = {});

// A literal, "{n}\r\n<bytes>"; literal8 "~{n}\r\n<bytes>" for BINARY data
// that holds NUL (RFC 3516 4.3).
void append_literal(std::string& out, std::string_view bytes, bool literal8 = false);
// An astring: an atom when possible ("INBOX"), else a quoted string or literal.
void append_astring(std::string& out, std::string_view s);
// A mailbox name (UTF-8 inside Posta): modified UTF-7 unless the client
// enabled UTF8=ACCEPT, then quoted/literal UTF-8 (RFC 6855 3).
void append_mailbox(std::string& out, std::string_view utf8_name, bool utf8_accept);

}  // namespace posta::mail::imap::proto
