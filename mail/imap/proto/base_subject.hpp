// Base subject extraction for SORT SUBJECT and THREAD (RFC 5256 2.1): strips
// reply/forward markers, list tags and "[fwd: ...]" wrapping so that a
// conversation's messages share one subject.
#pragma once

#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

struct base_subject {
  std::string text;  // the base subject, whitespace normalised, case kept
  // True when a "Re:"/"Fw:"/"Fwd:" leader, a "(fwd)" trailer or "[fwd: ...]"
  // wrapping was removed: REFERENCES step 5 (RFC 5256 3) prefers a thread's
  // original message to its replies. Step 5.B names only the first two; a
  // "[fwd: ...]" wrapping is just as plainly a forward, so it counts too.
  bool is_reply_or_forward = false;
};

// `decoded` is the Subject already RFC 2047 decoded to UTF-8 (the stored
// message_structure::subject_decoded): decoding needs GMime, which this
// folder must not use. Linear in the length, whatever the input.
base_subject extract_base_subject(std::string_view decoded);

}  // namespace posta::mail::imap::proto
