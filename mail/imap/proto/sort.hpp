// SORT (RFC 5256 3) with DISPLAYFROM and DISPLAYTO (RFC 5957): orders
// messages by a sort program of keys under i;ascii-casemap, ties broken by
// mailbox order.
#pragma once

#include "mail/mime/proto/message_structure.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::imap::proto {

enum class sort_key { arrival, cc, date, from, size, subject, to, display_from, display_to };

struct sort_criterion {
  sort_key key = sort_key::arrival;
  bool reverse = false;  // REVERSE applies to this key only
  friend bool operator==(sort_criterion const&, sort_criterion const&) = default;
};

// What SORT needs of one message, computed once per message.
struct sort_fields {
  std::uint32_t id = 0;                  // sequence number or UID: the answer and the final tie-break
  std::int64_t internal_date = 0;        // Unix seconds
  std::int64_t sent_date = 0;            // Date header in UTC, else internal_date (RFC 5256 DATE)
  std::uint64_t size = 0;                // RFC822.SIZE
  std::string subject;                   // base subject (RFC 5256 2.1)
  std::string from, to, cc;              // addr-mailbox of the first address, "" when none
  std::string display_from, display_to;  // RFC 5957: decoded display-name, else the addr-spec
};

// Decodes RFC 2047 words of a display-name to UTF-8 (mail::mime::decode_header_text
// in production; this folder must not call GMime itself).
using name_decoder = std::function<std::string(std::string_view)>;

// The sort data of a stored message; `subject_decoded` and `sent_date` come
// from the stored structure.
sort_fields make_sort_fields(mail::mime::message_structure const& ms, std::uint32_t id, std::int64_t internal_date,
                             name_decoder const& decode);

// The first mailbox of a list (group markers skipped), or nullptr.
mail::mime::address const* first_mailbox(mail::mime::address_list const& list);

// The ids of `messages` in the order of `program` (an empty program keeps
// id order). Messages that compare equal on every key keep ascending id
// order, which is mailbox order for both sequence numbers and UIDs.
std::vector<std::uint32_t> sort_messages(std::vector<sort_fields> messages, std::span<sort_criterion const> program);

}  // namespace posta::mail::imap::proto
