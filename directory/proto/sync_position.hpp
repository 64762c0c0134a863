// A stored sync position (an RFC 4533 cookie, an AD DirSync cookie) in a
// short form an administrator can read in `posta directory show`.
#pragma once

#include <string>
#include <string_view>

namespace posta::directory::proto {

// AD and Samba DirSync cookies ("MSDS", a version, a time, then the
// highest USN the cookie covers, little-endian at byte 44): "USN 4004".
// Printable cookies (slapd's "rid=000,csn=…") as they are, cut at 64
// characters; anything else by its length ("112 bytes").
std::string short_position(std::string_view cookie);

}  // namespace posta::directory::proto
