// The literal size rule: APPEND messages up to APPENDLIMIT (streamed when
// large, to a file when memory is spent), other literals only as much as a
// command line.
#include "mail/imap/proto/literal_policy.hpp"

#include <algorithm>

namespace posta::mail::imap::proto {

literal_verdict judge_literal(reader_events::literal const& l, literal_limits const& limits,
                              std::uint64_t streamed_in_memory) {
  auto fits = [&](std::uint64_t max) { return l.size <= max && l.command_bytes <= max - l.size; };
  if (l.verb != "APPEND") return fits(limits.max_other_command) ? literal_verdict::accept : literal_verdict::too_big;
  if (l.size > limits.max_message || !fits(limits.max_append_command)) return literal_verdict::too_big;
  // Lines alone past the memory bound: a hostile command, not a message.
  std::uint64_t const memory = l.held_bytes + streamed_in_memory;
  if (memory > limits.max_append_memory) return literal_verdict::too_big;
  std::uint64_t const room = limits.max_append_memory - memory;
  if (l.size <= limits.stream_above && l.size <= room) return literal_verdict::accept;
  if (std::min(l.size, limits.inline_max) <= room) return literal_verdict::stream;
  return literal_verdict::stream_to_file;
}

}  // namespace posta::mail::imap::proto
