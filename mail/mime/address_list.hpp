// Parses RFC 5322 address lists (3.4, with the obsolete forms of 4.4) into
// the IMAP ENVELOPE address form (RFC 3501 7.4.2), keeping names raw.
#pragma once

#include "mail/mime/proto/message_structure.hpp"

#include <cstddef>
#include <string_view>

namespace posta::mail::mime {

// COMPAT(clients): an address without local part or domain would read as
// a group marker (NIL host); like Dovecot we fill these placeholders instead.
inline constexpr std::string_view missing_mailbox = "MISSING_MAILBOX";
inline constexpr std::string_view missing_domain = "MISSING_DOMAIN";

// `value` is an unfolded header value. Never fails: garbage between commas is
// skipped, unterminated quotes/comments/brackets end at the end of the value.
// Display names keep RFC 2047 encoded words; quoted strings lose their quotes
// and escapes; with no phrase a trailing comment "a@b (Name)" gives the name.
// SECURITY: at most `max_addresses` entries (group markers included) are
// kept, so one hostile header cannot blow up the stored envelope.
address_list parse_address_list(std::string_view value, std::size_t max_addresses = 2000);

}  // namespace posta::mail::mime
