// LIST/LSUB mailbox patterns (RFC 3501 6.3.8, RFC 9051 6.3.9): joining the
// reference and the pattern, and matching names against "*" (anything) and
// "%" (anything but the hierarchy separator).
#pragma once

#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

// The pattern to match: the reference followed by the pattern, unless the
// pattern starts with the separator (then it is absolute). A leading "INBOX"
// component is spelled upper case, since INBOX is case-insensitive.
std::string list_pattern(std::string_view reference, std::string_view pattern, char separator);

// Whether `name` matches `pattern`. SECURITY: time O(pattern x name), never
// exponential however many wildcards a client sends; a pattern with more
// literal characters than the name fails at once.
bool list_matches(std::string_view pattern, std::string_view name, char separator);

}  // namespace posta::mail::imap::proto
