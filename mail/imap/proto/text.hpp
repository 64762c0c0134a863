// The character rules the IMAP grammar needs: ASCII case (keywords are
// case-insensitive, RFC 3501 9 note 3) and UTF-8 well-formedness (RFC 3629
// 4; RFC 9051 quoted strings, RFC 6855 mailbox names). Here rather than in
// core/util because proto/ depends on nothing but std.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

std::string upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// The code point starting at s[i], advancing i past it; nullopt (advancing
// one byte) for an ill-formed sequence: overlong, surrogate, above U+10FFFF,
// truncated.
std::optional<char32_t> decode_utf8(std::string_view s, std::size_t& i);
bool is_valid_utf8(std::string_view s);

}  // namespace posta::mail::imap::proto
