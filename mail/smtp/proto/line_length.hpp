// The longest command line each SMTP verb may have, terminator excluded:
// RFC 5321 4.5.3.1.4 (512 octets with CRLF), widened for the MAIL and RCPT
// parameters this server advertises (SIZE RFC 1870 3, DSN RFC 3461 4,
// AUTH= RFC 4954 5) and for AUTH with its initial response (RFC 4954 4).
#pragma once

#include "mail/smtp/proto/command.hpp"

#include <cstddef>

namespace posta::mail::smtp::proto {

// SECURITY: these bound what one command may cost to buffer and parse.
inline constexpr std::size_t max_ordinary_command_line = 512 - 2;
inline constexpr std::size_t max_auth_command_line = 12288 - 2;

constexpr std::size_t max_command_line(verb v) noexcept {
  switch (v) {
    case verb::mail: return max_ordinary_command_line + 26 + 100 + 500;  // SIZE, RET/ENVID, AUTH=
    case verb::rcpt: return max_ordinary_command_line + 500;             // NOTIFY, ORCPT
    case verb::auth: return max_auth_command_line;
    default: return max_ordinary_command_line;
  }
}

}  // namespace posta::mail::smtp::proto
