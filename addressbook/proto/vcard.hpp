// vCards (RFC 6350 for 4.0, RFC 2426 for 3.0, and 2.1 from old clients):
// a text of one or more BEGIN:VCARD … END:VCARD blocks parsed into their
// content lines, with the bounds a server needs against hostile uploads.
// The original text is what a server keeps and serves; this model is what
// it reads fields from (card_fields.hpp) and writes new cards with
// (vcard_writer.hpp). Pure.
#pragma once

#include "addressbook/proto/content_line.hpp"
#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace posta::addressbook::proto {

enum class vcard_version { v2_1, v3_0, v4_0 };
std::string_view to_string(vcard_version v);  // "2.1", "3.0", "4.0"

struct vcard {
  vcard_version version = vcard_version::v4_0;
  std::vector<content_line> properties;  // in order, without BEGIN, END and VERSION

  // The first property named `name` (upper-case), or null.
  content_line const* first(std::string_view name) const;
  std::vector<content_line const*> all(std::string_view name) const;
};

// SECURITY: bounds of one card and of a file of cards (an import), checked
// before anything is kept. A card's bytes count its logical lines.
struct vcard_limits {
  std::size_t max_card_bytes = 1024 * 1024;  // addressbook.max_card_kb
  std::size_t max_properties = 1000;
  std::size_t max_cards = 100'000;  // in one file
  line_limits line;
};

// Exactly one vCard, as a CardDAV PUT must carry (RFC 6352 5.1: one per
// resource). errc::invalid_argument with a reason a client can be told
// ("line 4: no ':' after TEL", "VERSION missing", "more than one vCard"),
// errc::limit_exceeded past `limits`.
result<vcard> parse_vcard(std::string_view text, vcard_limits const& limits = {});

// A file of vCards (an import): the cards that parse, and for each one that
// does not, its number (from 1) and why. Past limits.max_cards, or when the
// text is not a sequence of BEGIN/END blocks at all, an error for the whole.
struct vcard_file {
  std::vector<vcard> cards;
  struct refused {
    std::size_t number;
    std::string reason;
  };
  std::vector<refused> refusals;
};
result<vcard_file> parse_vcard_file(std::string_view text, vcard_limits const& limits = {});

}  // namespace posta::addressbook::proto
