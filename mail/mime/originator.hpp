// Strict reading of the originator fields of a message, From and Sender
// (RFC 5322 3.6.2, 3.4, 3.2.3-3.2.5; 8-bit names per RFC 6532), for the
// sender checks of authenticated sessions. Unlike parse_address_list, which
// is lenient for display, anything outside the grammar is an error here:
// a checker that skips what it does not understand can be bypassed.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::mime {

struct originators {
  std::vector<std::string> from;  // every mailbox of the one From field, "local@domain"
  std::string sender;             // the Sender mailbox, empty when there is none
};

// SECURITY: mailboxes accepted in one From field; each is an ownership lookup.
inline constexpr std::size_t max_from_mailboxes = 100;

// The mailboxes of one unfolded mailbox-list (From's value): display names,
// quoted strings, comments and domain literals are understood; groups,
// obsolete routes and anything after a complete mailbox other than a comma
// are errors. The error's context says what is wrong, for the SMTP reply.
result<std::vector<std::string>> parse_mailbox_list(std::string_view value, std::size_t max = max_from_mailboxes);

// The top-level header of `raw`: exactly one From (a name with blanks before
// the colon is the same field), at most one Sender, each well-formed.
result<originators> parse_originators(std::string_view raw);

}  // namespace posta::mail::mime
