// What the command grammar depends on besides the bytes: the session's
// state (UTF8=ACCEPT) and the bounds it applies.
#pragma once

#include <cstddef>

namespace posta::mail::imap::proto {

struct parse_options {
  // UTF8=ACCEPT enabled (RFC 6855 3): mailbox names are UTF-8 as sent (and
  // must be valid UTF-8) instead of modified UTF-7.
  bool utf8_accept = false;
  // SECURITY: ranges in one sequence set; a set like "1,3,5,..." filling a
  // whole line would otherwise cost the server a long list and a sort.
  std::size_t max_ranges = 65536;
  // SECURITY: nesting of SEARCH keys (parentheses, NOT, OR); the parser
  // recurses, so this bounds its stack.
  std::size_t max_search_depth = 64;
};

}  // namespace posta::mail::imap::proto
