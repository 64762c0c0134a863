// The literal size rule: APPEND messages up to APPENDLIMIT, other literals
// only as much as a command line.
#include "mail/imap/proto/literal_policy.hpp"

namespace posta::mail::imap::proto {

literal_verdict judge_literal(reader_events::literal const& l, literal_limits const& limits) {
  auto fits = [&](std::uint64_t max) { return l.size <= max && l.command_bytes <= max - l.size; };
  bool ok = l.verb == "APPEND" ? l.size <= limits.max_message && fits(limits.max_append_command)
                               : fits(limits.max_other_command);
  return ok ? literal_verdict::accept : literal_verdict::too_big;
}

}  // namespace posta::mail::imap::proto
