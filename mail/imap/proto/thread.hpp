// THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256 2.2, 3 and 4): builds
// the thread forest of a set of messages and formats the THREAD response
// body, e.g. "(2)(3 6 (4 23)(44 7 96))".
#pragma once

#include "mail/mime/proto/message_structure.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::imap::proto {

// What threading needs of one message.
struct thread_fields {
  std::uint32_t id = 0;        // sequence number or UID: the answer and the tie-break
  std::int64_t sent_date = 0;  // Date header in UTC, else the internal date (RFC 5256 2.2)
  std::string subject;         // Subject, RFC 2047 decoded (base subject taken here)
  std::string message_id;      // raw Message-ID value ("" when none)
  std::string in_reply_to;     // raw In-Reply-To value
  std::string references;      // raw References value (folded or not)
};

// From the stored structure; References is not in the ENVELOPE, so the
// caller passes its raw value, or simply filter_header_fields(header,
// {"references"}, only) of the stored header: only the "<...>" ids count.
thread_fields make_thread_fields(mail::mime::message_structure const& ms, std::uint32_t id, std::int64_t internal_date,
                                 std::string_view references);

// The valid msg-ids "<left@right>" of a Message-ID, In-Reply-To or References
// value, without the angle brackets and with folding white space removed.
// Anything else (comments, phrases, ids without '@') is skipped.
std::vector<std::string> parse_msg_ids(std::string_view value);

struct thread_limits {
  // SECURITY: only the last this many References of a message are used
  // (the ones nearest to it), so one header cannot make threading quadratic.
  std::size_t max_references = 256;
};

// "(a b)(c (d)(e))", or "" for no messages; `messages` may come in any
// order. Deep threads are walked without recursion, so a chain of 100,000
// replies cannot overflow the stack.
std::string thread_orderedsubject(std::span<thread_fields const> messages);
std::string thread_references(std::span<thread_fields const> messages, thread_limits const& limits = {});

}  // namespace posta::mail::imap::proto
