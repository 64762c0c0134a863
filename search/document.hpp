// What the search index knows of one message: plain decoded UTF-8 text per
// field, built by mail code (mail/index/document_builder.hpp) so that
// search needs no MIME library.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace posta::search {

struct mail_document {
  std::int64_t mailbox_id = 0;
  std::uint32_t uid = 0;
  std::int64_t date = 0;  // INTERNALDATE, Unix seconds
  // Display names and addresses, "Name <local@domain>, …", RFC 2047 decoded.
  std::string from, to, cc, bcc;
  std::string display_from;  // "Name <address>" of the first author, shown in hits
  std::string subject;
  std::string message_id;  // without angle brackets
  std::string headers;     // every header field as "name: value\n", decoded (IMAP TEXT)
  std::string body;        // the text of every text part, HTML reduced to text
  std::vector<std::string> attachment_names;
};

// One change for the index of one account.
struct mail_change {
  enum class kind { add, remove };
  kind k = kind::add;
  std::int64_t mailbox_id = 0;
  std::uint32_t uid = 0;
  mail_document doc;  // for add
};

}  // namespace posta::search
