// UTF-8 well-formedness (RFC 3629 4) for RFC 9051 quoted strings and RFC
// 6855 mailbox names, and the decoder modified UTF-7 encodes from. Here
// rather than in core/util because proto/ depends on nothing but std.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

// The code point starting at s[i], advancing i past it; nullopt (advancing
// one byte) for an ill-formed sequence: overlong, surrogate, above U+10FFFF,
// truncated.
std::optional<char32_t> decode_utf8(std::string_view s, std::size_t& i);
bool is_valid_utf8(std::string_view s);

}  // namespace posta::mail::imap::proto
