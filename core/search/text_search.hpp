// The text search that IMAP SEARCH/SORT text keys (RFC 3501 6.4.4: TEXT,
// BODY, SUBJECT, FROM, TO, CC, BCC, HEADER) ask first: "which of these
// messages of this mailbox match this key". The search module backs it with
// Xapian; until then nothing is indexed and IMAP scans the decoded text
// itself (mail/mime/search_text.hpp). Declared in core so that mail and
// search meet here without including each other.
#pragma once

#include "core/util/async.hpp"
#include "core/util/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace posta::search {

enum class text_field { text, body, header, subject, from, to, cc, bcc };

struct text_query {
  std::int64_t account_id = 0;
  std::int64_t mailbox_id = 0;
  text_field field = text_field::text;
  std::string header_name;  // for header: the field name ("" = any)
  std::string value;        // UTF-8, as the client sent it
  std::vector<std::uint32_t> uids;  // the candidates, ascending
};

class text_search {
 public:
  virtual ~text_search() = default;
  // The matching UIDs among query.uids (ascending), or nullopt when the
  // index cannot answer for some of them (not indexed yet): the caller then
  // scans those messages itself.
  virtual asio::awaitable<result<std::optional<std::vector<std::uint32_t>>>> matching(text_query query) = 0;
};

}  // namespace posta::search
