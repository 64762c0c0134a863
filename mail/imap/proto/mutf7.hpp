// Modified UTF-7 mailbox names (RFC 3501 5.1.3), used on the wire with
// clients that have not enabled UTF8=ACCEPT (RFC 6855 3).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

// UTF-8 -> modified UTF-7: printable ASCII stands for itself ("&" as "&-"),
// everything else is UTF-16 in modified base64 between "&" and "-". An
// ill-formed UTF-8 sequence is encoded as U+FFFD.
std::string mutf7_encode(std::string_view utf8);

// Modified UTF-7 -> UTF-8; nullopt for anything that is not the one valid
// spelling: a byte outside printable ASCII, an unterminated or empty "&..-"
// other than "&-", a character outside the modified base64 alphabet,
// leftover non-zero bits, an unpaired surrogate, U+0000, or printable ASCII
// (or two adjacent shifted runs) that should have been written directly.
std::optional<std::string> mutf7_decode(std::string_view mutf7);

}  // namespace posta::mail::imap::proto
