// IMAP sequence sets (RFC 3501 9 sequence-set, RFC 9051 9, RFC 5182 "$"):
// the parsed value, and its resolution against a mailbox's message count or
// UID list.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::imap::proto {

// '*' is stored as 0, which no seq-number or UID can be (nz-number).
inline constexpr std::uint32_t seq_star = 0;

struct seq_range {
  std::uint32_t first = 0;  // as sent, in either order; seq_star for '*'
  std::uint32_t last = 0;   // == first for a single number
  friend bool operator==(seq_range const&, seq_range const&) = default;
};

struct sequence_set {
  std::vector<seq_range> ranges;  // empty when saved
  bool saved = false;             // "$": the result saved by SEARCH RETURN (SAVE) (RFC 5182)
  friend bool operator==(sequence_set const&, sequence_set const&) = default;
};

// Parses a whole sequence-set. SECURITY: at most max_ranges comma-separated
// elements, so one command line cannot make the server build and sort an
// arbitrarily long list; nullopt past it or on any syntax error.
std::optional<sequence_set> parse_sequence_set(std::string_view s, std::size_t max_ranges);

// Ascending, non-overlapping, non-adjacent ranges with first <= last: the
// set with '*' standing for `largest` (the message count, or the highest UID).
// Numbers above `largest` stay (a UID set may name UIDs that do not exist);
// with largest == 0 a range with '*' names nothing.
// The set must not be `saved`: the session substitutes its saved result first.
std::vector<seq_range> normalize(sequence_set const& set, std::uint32_t largest);

// RFC 3501 9: a sequence number above the message count is an error (BAD);
// true when every explicit number is at most `count`. COMPAT(client): a
// range with '*' in an empty mailbox ("FETCH 1:* FLAGS" right after SELECT)
// names nothing and is no error.
bool is_within(sequence_set const& set, std::uint32_t count);

// Whether n is in normalized ranges (binary search).
bool contains(std::span<seq_range const> normalized, std::uint32_t n);

// The 0-based positions in `uids` (ascending: the mailbox's UIDs in sequence
// order) whose UID the set names; '*' is the highest UID. With UIDs this is
// how UID FETCH/STORE/COPY/SEARCH find their messages.
std::vector<std::uint32_t> select_uids(sequence_set const& set, std::span<std::uint32_t const> uids);

// The 0-based positions 0..count-1 that a sequence-number set names
// (numbers above count are ignored; check is_within first for BAD).
std::vector<std::uint32_t> select_sequence(sequence_set const& set, std::uint32_t count);

// Compact text of ascending numbers: {1,2,3,5} -> "1:3,5" (ESEARCH ALL,
// COPYUID, VANISHED). Empty input gives "".
std::string format_numbers(std::span<std::uint32_t const> ascending);
// Text of a set as sent ('*' and '$' included).
std::string format_sequence_set(sequence_set const& set);

}  // namespace posta::mail::imap::proto
