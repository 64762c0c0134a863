// QRESYNC's message sequence match data (RFC 7162 3.2.5.2): the client's
// (sequence number, UID) pairs, checked against the mailbox, tell how far
// back the client's knowledge of expunges is still right. Pure.
#pragma once

#include "mail/imap/proto/sequence_set.hpp"

#include <cstdint>
#include <span>

namespace posta::mail::imap::proto {

// The highest UID u of a pair (n, u) for which message n of the mailbox
// (`uids`, ascending, as the session selected it) has UID u: no UID below
// u can have been expunged without the client knowing, so VANISHED
// (EARLIER) need not name those. 0 when no pair holds, and when the two
// sets differ in size (the data is then ignored: more VANISHED, never less).
std::uint32_t qresync_known_floor(sequence_set const& known_seqs, sequence_set const& known_uids,
                                  std::span<std::uint32_t const> uids);

}  // namespace posta::mail::imap::proto
