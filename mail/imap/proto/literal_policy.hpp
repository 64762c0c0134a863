// Whether a literal the client announces may be read (RFC 3501 7.5, RFC 7889
// APPENDLIMIT, RFC 4469/9051 [TOOBIG]): the rule the session applies at the
// command_reader's decision point, kept here so that it is tested without I/O.
#pragma once

#include "mail/imap/proto/command_reader.hpp"

#include <cstdint>

namespace posta::mail::imap::proto {

struct literal_limits {
  // SECURITY: APPENDLIMIT (imap.max_literal_mb): one message of APPEND.
  std::uint64_t max_message = 50ull << 20;
  // SECURITY: all of one APPEND command (MULTIAPPEND sends several messages).
  std::uint64_t max_append_command = 200ull << 20;
  // SECURITY: literals of any other command (a LOGIN password, a SEARCH
  // string) count with its lines against this, as Dovecot counts them against
  // its line length: nothing but a message needs megabytes.
  std::uint64_t max_other_command = 64 * 1024;
};

enum class literal_verdict {
  accept,   // read it (send "+ go ahead" when synchronizing)
  too_big,  // refuse: "NO [TOOBIG]" for APPEND, "BAD [TOOBIG]" otherwise
};

literal_verdict judge_literal(reader_events::literal const& l, literal_limits const& limits);

}  // namespace posta::mail::imap::proto
