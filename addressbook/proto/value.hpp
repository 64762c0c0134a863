// vCard property values (RFC 6350 3.4, 4; RFC 2426 4 for 3.0; vCard 2.1's
// ENCODING and CHARSET): text escaping both ways, structured values split at
// ";" and ",", and the decoded bytes of a value in whatever encoding and
// character set an old client chose. Pure.
#pragma once

#include "addressbook/proto/content_line.hpp"
#include "core/util/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace posta::addressbook::proto {

// "\n" and "\N" become a line feed, "\\" "\," "\;" "\:" the character
// itself; COMPAT: any other backslash is kept as it is.
std::string unescape_text(std::string_view raw);
// The other way (RFC 6350 3.4): backslash, comma, semicolon and line ends.
std::string escape_text(std::string_view text);

// `raw` split at each `separator` not escaped by a backslash; the pieces
// are still escaped.
std::vector<std::string_view> split_unescaped(std::string_view raw, char separator);

// A structured value (N, ADR, ORG, GENDER): its ";"-separated components,
// each unescaped.
std::vector<std::string> components(std::string_view raw);

// The text of a property: quoted-printable undone (ENCODING=QUOTED-PRINTABLE),
// the CHARSET converted to UTF-8 (UTF-8, US-ASCII, ISO-8859-1 and
// windows-1252 are known), but still escaped. errc::invalid_argument when the
// result is not valid UTF-8 or the charset is unknown and the bytes are not
// UTF-8 either.
result<std::string> decoded_raw(content_line const& line);

// A binary value (PHOTO, LOGO, SOUND, KEY) in any version's spelling:
// 2.1/3.0 ENCODING=b/BASE64 with TYPE=JPEG or a media type, 4.0 data: URIs
// (RFC 2397), or a reference (VALUE=uri / a URI in 4.0).
struct binary_value {
  std::string media_type;  // "image/jpeg"; may be empty
  std::string bytes;       // the decoded data; empty for a reference
  std::string uri;         // a reference instead of data
};
result<binary_value> decoded_binary(content_line const& line);

// The bytes of quoted-printable text (RFC 2045 6.7). COMPAT: a "=" not
// followed by two hex digits is kept as it is.
std::string decode_quoted_printable(std::string_view text);

}  // namespace posta::addressbook::proto
