// The term layout of a mail index, shared by indexing and querying: one
// prefix per field (Xapian's convention: upper-case prefixes, and folded
// words are lower case, so a prefix never runs into a word), the boolean
// terms that identify documents, and the value slots.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace posta::search::proto {

enum class field { body, subject, from, to, cc, bcc, attachment, header, message_id };

// Two characters each (or none for body text), so no prefix is a prefix of
// another and a wildcard over one field never reaches into the next.
constexpr std::string_view prefix_of(field f) {
  switch (f) {
    case field::body:
      return "";
    case field::subject:
      return "XS";
    case field::from:
      return "XF";
    case field::to:
      return "XT";
    case field::cc:
      return "XC";
    case field::bcc:
      return "XB";
    case field::attachment:
      return "XA";
    case field::header:
      return "XH";  // every header field's value, for IMAP TEXT
    case field::message_id:
      return "XI";
  }
  return "";
}

// Stemmed forms carry a "Z" before the field prefix (no positions).
inline constexpr std::string_view stem_marker = "Z";

// Boolean terms: the document of a message ("Q<mailbox>:<uid>", its unique
// id, so indexing the same message twice replaces it) and the mailbox
// ("G<mailbox>", the filter of IMAP and of `--mailbox`).
inline std::string unique_term(std::int64_t mailbox_id, std::uint32_t uid) {
  return "Q" + std::to_string(mailbox_id) + ":" + std::to_string(uid);
}
inline std::string mailbox_term(std::int64_t mailbox_id) {
  return "G" + std::to_string(mailbox_id);
}

// Value slots.
inline constexpr unsigned date_slot = 0;     // sortable-serialised Unix seconds (ranges, newest first)
inline constexpr unsigned key_slot = 1;      // "<mailbox>:<uid>", read back by IMAP
inline constexpr unsigned mailbox_slot = 2;  // decimal mailbox id

// "<mailbox>:<uid>" back into its parts.
struct message_key {
  std::int64_t mailbox_id = 0;
  std::uint32_t uid = 0;
};
std::optional<message_key> parse_key(std::string_view key);
inline std::string format_key(std::int64_t mailbox_id, std::uint32_t uid) {
  return std::to_string(mailbox_id) + ":" + std::to_string(uid);
}

}  // namespace posta::search::proto
