// The searchable text of a message for IMAP SEARCH's text keys (RFC 3501
// 6.4.4, RFC 9051 6.4.4: TEXT, BODY, HEADER, SUBJECT, FROM, TO, CC, BCC)
// until the search issue backs them with Xapian: header fields RFC 2047
// decoded, text parts transfer-decoded, converted to UTF-8 and HTML reduced
// to text, everything case-folded once so each key is a substring scan.
#pragma once

#include "mail/mime/proto/case_fold.hpp"
#include "mail/mime/proto/message_structure.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::mime {

struct search_field {
  std::string name;  // lowercase field name
  std::string text;  // unfolded, RFC 2047 decoded, case-folded value
};

struct search_text {
  std::vector<search_field> headers;  // the message header's fields, in order
  std::string header;                 // all of them as "name: text\n", for TEXT
  std::string body;                   // folded text of the text parts and inner messages, NUL between parts
};

struct search_text_limits {
  // SECURITY: body text kept per message; the rest of a huge message is not
  // searched (like a full-text index, which also stops somewhere), so one
  // message cannot take unbounded memory during SEARCH.
  std::size_t max_body_bytes = 16 * 1024 * 1024;
};

// `raw` is the stored message and `ms` its stored structure (FETCH never
// re-parses, and neither does SEARCH). CPU-bound: run it off the strand
// for large messages.
search_text extract_search_text(std::string_view raw, message_structure const& ms,
                                search_text_limits const& limits = {});

enum class search_text_key { text, body, header, subject, from, to, cc, bcc };

// Whether the message matches one text key (RFC 3501 6.4.4): HEADER looks at
// the fields named `field_name` (case-insensitively; an empty string then
// matches any such field), SUBJECT/FROM/TO/CC/BCC at those fields, BODY at
// the body, TEXT at header and body.
bool text_key_matches(search_text const& text, search_text_key key, substring_matcher const& needle,
                      std::string_view field_name = {});

}  // namespace posta::mail::mime
