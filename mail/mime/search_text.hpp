// The searchable text of a message for IMAP SEARCH's text keys (RFC 3501
// 6.4.4, RFC 9051 6.4.4: TEXT, BODY, HEADER, SUBJECT, FROM, TO, CC, BCC)
// until the search issue backs them with Xapian: header fields RFC 2047
// decoded, text parts transfer-decoded, converted to UTF-8 and HTML reduced
// to text, everything case-folded once so each key is a substring scan.
#pragma once

#include "mail/mime/proto/case_fold.hpp"
#include "mail/mime/proto/message_structure.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
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
  // SECURITY: bytes of the stored message read for its text (headers and
  // text parts, in message order; attachments are never read); past it the
  // rest is not searched. Decoded text is never longer than its encoding,
  // so twice the body text bound (plus room for headers) loses nothing the
  // body bound would keep.
  std::uint64_t max_read_bytes = 33 * 1024 * 1024;
  // False for the full-text indexer, which folds with its own rules
  // (search/proto/fold.hpp) and shows the text as it was in snippets.
  bool fold = true;
};

// A byte range [begin, end) of the stored message.
struct message_range {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  friend bool operator==(message_range const&, message_range const&) = default;
};

// What extract_search_text reads of a message: the header, and unless
// max_body_bytes is 0 the headers of inner messages and the text parts, in
// order, disjoint, within max_read_bytes together. A reader fetches these
// ranges (each byte once) instead of the whole message.
std::vector<message_range> search_text_ranges(message_structure const& ms, search_text_limits const& limits = {});

// The bytes [begin, end) of the message as far as they were read from
// `begin` on: all of them, a prefix, or nothing.
using message_bytes = std::function<std::string_view(std::uint64_t begin, std::uint64_t end)>;

// `ms` is the message's stored structure (FETCH never re-parses, and
// neither does SEARCH); `bytes` gives at least the search_text_ranges of
// the same limits. CPU-bound: run it off the strand for large messages.
search_text extract_search_text(message_bytes const& bytes, message_structure const& ms,
                                search_text_limits const& limits = {});
// The same over the whole stored message.
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
