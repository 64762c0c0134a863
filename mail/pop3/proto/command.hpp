// POP3 command lines, parsed: RFC 1939 3 and 5-7 (keywords, arguments,
// message numbers), RFC 2449 5 (CAPA), RFC 2595 4 (STLS), RFC 5034 4 (AUTH
// with an optional initial response). Pure: a line in, a typed command or a
// syntax error (with the text of the -ERR) out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace posta::mail::pop3::proto {

enum class verb { user, pass, stat, list, retr, dele, noop, rset, quit, top, uidl, capa, stls, auth };

struct command {
  verb what = verb::noop;
  std::optional<std::uint32_t> message;  // LIST, UIDL (optional); RETR, DELE, TOP (required)
  std::uint32_t lines = 0;               // TOP's line count
  std::string text;                      // USER's name, PASS's password, AUTH's mechanism (upper case)
  std::optional<std::string> initial_response;  // AUTH mechanism initial-response ("=" is sent as "")
  friend bool operator==(command const&, command const&) = default;
};

struct syntax_error {
  std::string text;  // for "-ERR <text>"
  friend bool operator==(syntax_error const&, syntax_error const&) = default;
};

using parsed = std::variant<command, syntax_error>;

// One command line without its CRLF. Keywords are case-insensitive;
// arguments are separated by spaces (runs of them tolerated, COMPAT: some
// clients send a trailing space). PASS takes the rest of the line as the
// password, spaces included (RFC 1939 7). SECURITY: control characters are
// refused anywhere in the line; numbers are decimal digits that fit 32 bits.
parsed parse_command(std::string_view line);

// The keyword of a line, upper-cased (at most 4 letters; "" when none).
std::string keyword_of(std::string_view line);

}  // namespace posta::mail::pop3::proto
