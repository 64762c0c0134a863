// Pieces of untagged data that echo what a command asked for: the name of a
// FETCH item in the response (RFC 3501 7.4.2, RFC 3516 4.3) and the ESEARCH
// response (RFC 4731 3.1, RFC 7162 3.1.5).
#pragma once

#include "mail/imap/proto/command.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

// The item name a FETCH response uses for this attribute: "FLAGS",
// "BODY[1.HEADER.FIELDS (From Subject)]<0>" (origin only, PEEK dropped),
// "BINARY[2]<5>", "BINARY.SIZE[2]", "RFC822.SIZE"...
std::string fetch_response_name(fetch_att const& att);

// "* ESEARCH (TAG \"a1\") UID MIN 2 MAX 9 COUNT 3 ALL 2,5,9 MODSEQ 7\r\n" for
// the ascending matches; MIN, MAX and ALL are left out when nothing matched
// (COUNT 0 stays). SAVE alone returns nothing but the tag (RFC 5182 2.4).
std::string format_esearch(std::string_view tag, bool uid, result_options const& ret,
                           std::span<std::uint32_t const> ascending, std::optional<std::uint64_t> modseq = {});

}  // namespace posta::mail::imap::proto
