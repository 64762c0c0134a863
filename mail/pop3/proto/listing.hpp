// The multi-line LIST and UIDL responses (RFC 1939 7), formatted a piece at a
// time: a maildrop of 100,000 messages is never one string in memory, the
// session writes a bounded chunk, then asks for the next. Pure.
#pragma once

#include "mail/pop3/proto/maildrop.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace posta::mail::pop3::proto {

enum class listing_kind { sizes, unique_ids };  // LIST, UIDL

// Appends the scan lines ("n octets" or "n unique-id", CRLF each) of the
// listed messages numbered `from` and above to `out`, stopping once `out`
// holds at least `max_bytes`. Returns the number to continue from: past
// drop.size() when every line was written (the caller then ends with ".").
// The lines start with a digit: none needs byte-stuffing.
std::uint32_t append_listing(maildrop const& drop, listing_kind kind, std::uint32_t from, std::string& out,
                             std::size_t max_bytes);

}  // namespace posta::mail::pop3::proto
