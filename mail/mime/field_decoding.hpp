// Decoding of single header fields with GMime, behind a GMime-free interface:
// Content-Type (RFC 2045 5), Content-Disposition (RFC 2183), parameters
// (RFC 2231), encoded words (RFC 2047) and Date (RFC 5322 3.3); and the
// charset conversion of text (RFC 2046 4.1.2) that shares GMime's set-up.
#pragma once

#include "mail/mime/proto/message_structure.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::mime {

// SECURITY: longer field values are cut before GMime sees them, and at most
// this many parameters are kept per field.
inline constexpr std::size_t max_field_bytes = 64 * 1024;
inline constexpr std::size_t max_parameters = 100;

struct media_type {
  std::string type;     // lowercase
  std::string subtype;  // lowercase
  std::vector<parameter> params;
};

// nullopt when the value is not syntactically "type/subtype": RFC 2045 5.2
// then says to assume text/plain; charset=us-ascii.
std::optional<media_type> parse_content_type(std::string_view value);

struct disposition_field {
  std::string type;  // lowercase
  std::vector<parameter> params;
};

// nullopt for an empty or unparsable value.
std::optional<disposition_field> parse_content_disposition(std::string_view value);

// RFC 2047 decoding of unstructured text (also used for display names) into
// UTF-8; raw 8-bit text is converted by charset guessing. Always valid UTF-8.
std::string decode_header_text(std::string_view raw);

// Text in `charset` (a MIME charset name, e.g. a text part's charset
// parameter) converted to UTF-8. UTF-8 stays as it is (ill-formed bytes
// repaired); an unknown charset, or text iconv cannot convert, is decoded
// by GMime's 8-bit guessing. Always valid UTF-8 without NUL.
std::string charset_to_utf8(std::string_view text, std::string_view charset);

// The Date header as Unix seconds, nullopt if unparsable.
std::optional<std::int64_t> parse_date(std::string_view value);

}  // namespace posta::mail::mime
