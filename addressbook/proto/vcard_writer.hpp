// Writing vCards (RFC 6350 3.2, 3.3; RFC 2426 for 3.0): content lines with
// parameters quoted where they must be, RFC 6868 caret escapes in 4.0, and
// lines folded at 75 octets without splitting a UTF-8 sequence, each ended by
// CRLF. The server writes the cards it makes itself (the global address
// list) with this; cards clients stored are served as they sent them. Pure.
#pragma once

#include "addressbook/proto/vcard.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace posta::addressbook::proto {

std::string format_vcard(vcard const& card);

// One content line, folded, with its CRLF.
std::string format_content_line(content_line const& line, vcard_version version);

// Builders of properties whose value is given unescaped.
content_line text_property(std::string name, std::string_view text, std::vector<parameter> params = {});
content_line structured_property(std::string name, std::vector<std::string> const& parts,
                                 std::vector<parameter> params = {});
// An embedded image in the spelling of `version`: 4.0 a data: URI, 3.0
// ENCODING=b with TYPE.
content_line photo_property(std::string_view bytes, std::string_view media_type, vcard_version version);

}  // namespace posta::addressbook::proto
