// BODY[HEADER.FIELDS (...)] and BODY[HEADER.FIELDS.NOT (...)] (RFC 3501
// 6.4.5): the subset of a raw header block whose field names are (or are
// not) in a list.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

enum class field_selection { only, except };  // HEADER.FIELDS, HEADER.FIELDS.NOT

// `header` is the raw header section as section_range gives it, including
// the blank line that ends it. Fields keep their bytes, folding and order;
// names match case-insensitively but otherwise exactly. The blank line is
// kept whenever the source has one (RFC 3501: "the blank line is included in
// all header fetches"). A line that is no field (no colon) is in neither
// subset, with the continuation lines that follow it.
std::string filter_header_fields(std::string_view header, std::span<std::string const> names,
                                 field_selection selection);

}  // namespace posta::mail::imap::proto
