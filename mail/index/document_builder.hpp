// The search document of a stored message (search/document.hpp): header
// fields RFC 2047 decoded, text parts transfer-decoded (quoted-printable,
// base64), converted to UTF-8 from their charset and HTML reduced to text
// (mail/mime/search_text.hpp, the same extraction IMAP's scan uses, unfolded),
// attachment file names, Message-ID and the date.
#pragma once

#include "mail/mime/proto/message_structure.hpp"
#include "search/document.hpp"

#include <cstdint>
#include <string_view>

namespace posta::mail::index {

struct message_source {
  std::int64_t mailbox_id = 0;
  std::uint32_t uid = 0;
  std::int64_t internal_date = 0;
  std::string_view blob;  // the stored body (the structure's offsets are its own)
  mime::message_structure const* structure = nullptr;
};

// CPU-bound: run on the CPU pool.
search::mail_document build_document(message_source const& m);

}  // namespace posta::mail::index
