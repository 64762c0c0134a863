// SEARCH keys as a tree (RFC 3501 6.4.4, RFC 9051 6.4.4), with MODSEQ (RFC
// 7162 3.1.5), OLDER/YOUNGER (RFC 5032) and "$" (RFC 5182).
#pragma once

#include "mail/imap/proto/sequence_set.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace posta::mail::imap::proto {

enum class search_kind {
  all,
  and_,
  or_,
  not_,
  sequence,
  uid,  // a sequence set of numbers or UIDs (set.saved for "$")
  // flags
  answered,
  deleted,
  draft,
  flagged,
  recent,
  seen,
  new_,
  old,
  unanswered,
  undeleted,
  undraft,
  unflagged,
  unseen,
  keyword,
  unkeyword,  // field = the keyword
  // text (value = the string, field = the header name for HEADER)
  bcc,
  body,
  cc,
  from,
  subject,
  text,
  to,
  header,
  // dates (date): internal date, or the Date: header for SENT*
  before,
  on,
  since,
  sent_before,
  sent_on,
  sent_since,
  // numbers (number)
  larger,
  smaller,
  older,
  younger,  // seconds, RFC 5032
  modseq,   // number = mod-sequence; field = entry name ("" when none)
};

enum class modseq_entry_type { none, priv, shared, all };

struct search_key {
  search_kind kind = search_kind::all;
  std::vector<search_key> children;  // and_: any number, or_: two, not_: one
  std::string field;
  std::string value;
  std::chrono::year_month_day date{};
  std::uint64_t number = 0;
  sequence_set set;
  modseq_entry_type entry_type = modseq_entry_type::none;
  friend bool operator==(search_key const&, search_key const&) = default;
};

}  // namespace posta::mail::imap::proto
