// UTF-8 validation and repair (RFC 3629 section 4, well-formed sequences) for
// text that must be valid UTF-8 without NUL: PostgreSQL text and jsonb values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace posta::util {

// True for well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Offset of the first byte PostgreSQL text cannot hold (a NUL or the start of
// an ill-formed sequence); nullopt when `s` is storable as it is.
std::optional<std::size_t> first_unstorable_byte(std::string_view s);

// Replaces every ill-formed sequence with U+FFFD and drops NUL bytes.
std::string sanitize_utf8(std::string_view s);

}  // namespace posta::util
