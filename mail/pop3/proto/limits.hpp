// The bounds of POP3 input: RFC 2449 4 (command lines of at most 255 octets,
// CRLF included) and RFC 5034 4 (AUTH and SASL response lines may be longer).
#pragma once

#include <cstddef>

namespace posta::mail::pop3::proto {

// SECURITY: the longest ordinary command line, terminator excluded (RFC 2449 4).
inline constexpr std::size_t max_command_line = 255 - 2;
// SECURITY: the longest AUTH command or SASL response line, terminator
// excluded; the line reader buffers no more than this (RFC 5034 4 lets
// clients send longer SASL lines than 255 octets; PLAIN fits easily).
inline constexpr std::size_t max_auth_line = 4096 - 2;
// SECURITY: an argument of RFC 1939 3 is at most 40 characters; logins and
// passwords may be longer, so the bound here is the line's.
inline constexpr std::size_t max_argument = max_command_line;

}  // namespace posta::mail::pop3::proto
