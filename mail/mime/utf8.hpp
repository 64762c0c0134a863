// UTF-8 validation and repair (RFC 3629) for text that must be valid UTF-8:
// decoded headers for search and listing, and jsonb strings in PostgreSQL.
#pragma once

#include <string>
#include <string_view>

namespace posta::mail::mime {

// True for well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Replaces every ill-formed sequence with U+FFFD and drops NUL bytes, which
// PostgreSQL text and jsonb cannot hold.
std::string sanitize_utf8(std::string_view s);

}  // namespace posta::mail::mime
