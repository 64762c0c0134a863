// Whether a literal the client announces may be read, and how (RFC 3501 7.5,
// RFC 7889 APPENDLIMIT, RFC 4469/9051 [TOOBIG]): the rule the session applies
// at the command_reader's decision point, kept here so that it is tested
// without I/O.
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
  // An APPEND message above this is streamed into a blob writer as it
  // arrives (hashed on the way, a file once above the inline limit) instead
  // of being held in the command, as SMTP flushes its body every 64 KB.
  std::uint64_t stream_above = 64 * 1024;
  // SECURITY: memory one APPEND command may hold (its lines, its small
  // messages, and the streamed bodies kept in memory because they will live
  // in the database); past it, messages are streamed and their bodies go to
  // the file store, so MULTIAPPEND's memory stays bounded whatever its total.
  std::uint64_t max_append_memory = 16ull << 20;
  // Bodies up to this size stay in memory in their writer (blobs.inline_max_kb).
  std::uint64_t inline_max = 256 * 1024;
};

enum class literal_verdict {
  accept,          // read it into the command (send "+ go ahead" when synchronizing)
  stream,          // read it into a blob writer, which may keep it in memory
  stream_to_file,  // read it into a blob writer that writes a file whatever its size
  too_big,         // refuse: "NO [TOOBIG]" for APPEND, "BAD [TOOBIG]" otherwise
};

// `streamed_in_memory`: bytes the command's earlier streamed messages keep
// in memory (their writers').
literal_verdict judge_literal(reader_events::literal const& l, literal_limits const& limits,
                              std::uint64_t streamed_in_memory = 0);

}  // namespace posta::mail::imap::proto
