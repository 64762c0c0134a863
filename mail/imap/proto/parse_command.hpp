// One complete IMAP command (as command_reader returns it) parsed into a
// tagged, typed command or a BAD text (RFC 3501 2.2.2, 6, 9; RFC 9051 6, 9).
// Never throws; any byte string gives one of the two.
#pragma once

#include "mail/imap/proto/command.hpp"
#include "mail/imap/proto/parse_options.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace posta::mail::imap::proto {

struct syntax_error {
  // For the BAD response, e.g. "FETCH: expected fetch attribute at \"FOO)\"".
  std::string text;
  friend bool operator==(syntax_error const&, syntax_error const&) = default;
};

struct parsed_command {
  std::string tag;   // empty when no tag could be read: answer "* BAD"
  std::string verb;  // upper case, "UID FETCH" for the UID forms; empty when unreadable
  std::variant<syntax_error, command> value;

  bool ok() const noexcept { return value.index() == 1; }
  command const& cmd() const { return std::get<command>(value); }
  command& cmd() { return std::get<command>(value); }
  std::string const& error() const { return std::get<syntax_error>(value).text; }
};

// `text` is the command without its final CRLF; its literals appear inline
// as "{n}\r\n" (or "{n+}", "~{n}") followed by the n bytes, except for the
// streamed literals at the positions `streamed` (command_reader's
// command::streamed): their bytes went elsewhere, and only an APPEND message
// may be one (append_message::streamed says which).
parsed_command parse_command(std::string_view text, parse_options const& options = {},
                             std::span<std::size_t const> streamed = {});

}  // namespace posta::mail::imap::proto
