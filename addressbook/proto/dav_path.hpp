// The CardDAV namespace of Posta (issue 14 "Names"): principals
// /dav/principals/ADDRESS/, homes /dav/addressbooks/ADDRESS/, books
// /dav/addressbooks/ADDRESS/NAME/ (the global address list is NAME "gal"),
// cards below a book; and /.well-known/carddav (RFC 6764 5). Paths in and
// out, percent-encoded on the wire (RFC 3986 2.1). Pure.
#pragma once

#include "core/util/result.hpp"

#include <string>
#include <string_view>

namespace posta::addressbook::proto {

struct dav_target {
  enum class kind { well_known, root, principal, home, book, card } what = kind::root;
  std::string address;  // decoded
  std::string book;
  std::string card;
  bool trailing_slash = false;
};

// errc::not_found for a path outside this namespace, errc::invalid_argument
// for bad percent-encoding or a segment that is "", ".", ".." or holds a
// "/" or control character once decoded.
result<dav_target> parse_dav_path(std::string_view raw_path);

// Encoded paths, collections with their trailing slash.
std::string principal_href(std::string_view address);
std::string home_href(std::string_view address);
std::string book_href(std::string_view address, std::string_view book);
std::string card_href(std::string_view address, std::string_view book, std::string_view card);

std::string percent_encode_segment(std::string_view segment);

}  // namespace posta::addressbook::proto
