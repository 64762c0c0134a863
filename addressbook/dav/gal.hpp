// The global address list as a read-only collection in every home
// (/dav/addressbooks/ADDRESS/gal/): its cards made at each request from the
// GAL entries (store/gal_store, proto/gal_card), its ctag and sync-token a
// digest of all their ETags. A sync from an older token is refused with
// DAV:valid-sync-token, so that a client reads the list afresh.
#pragma once

#include "addressbook/dav/request_context.hpp"
#include "addressbook/store/book_store.hpp"
#include "addressbook/store/card_store.hpp"

namespace posta::addressbook::dav {

inline constexpr std::string_view gal_book = "gal";

struct book_view {
  store::book_row book;  // the GAL's: id 0, revision the digest of its ETags
  std::vector<store::stored_card> cards;
  bool is_gal = false;
};

asio::awaitable<result<book_view>> load_gal_view(context& ctx, user const& who);

// The book the call names (the GAL made on the spot) and, when asked, all
// of its cards (the GAL's always).
asio::awaitable<result<book_view>> open_book(call const& c, bool with_cards);

// 403 with DAV:need-privileges (RFC 3744 7.1.1): nothing may be written here.
http::response gal_is_read_only(call const& c);

}  // namespace posta::addressbook::dav
