// The cards of a personal address book (schema/027_address_books.sql):
// written under the book's row lock, each write moving the book's revision
// on, with the preconditions of a CardDAV PUT and DELETE (RFC 6352 6.3.2,
// RFC 9110 13.1: If-Match, If-None-Match: *), the UID unique within a book,
// the card-count bound, and the changes since a revision for
// sync-collection (RFC 6578).
#pragma once

#include "core/db/pool.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace posta::addressbook::store {

struct card_meta {
  std::string resource;
  std::string etag;  // quoted, strong
};

struct stored_card {
  std::string resource;
  std::string etag;
  std::string vcard;  // as the client sent it
};

// What the server reads from a card, kept beside it for queries and search.
struct card_index {
  std::string uid;
  std::string formatted_name;
  std::vector<std::string> emails;  // lower-case
  std::string search_text;
};

struct preconditions {
  std::optional<std::string> if_match;  // an ETag, or "*"
  bool if_none_match_any = false;       // If-None-Match: * (create only)
};

enum class write_status { created, replaced, deleted, not_found, precondition_failed, uid_conflict, book_full };

struct write_outcome {
  write_status status = write_status::not_found;
  std::string etag;  // of the card written
};

// The strong ETag of a card's text.
std::string etag_of(std::string_view vcard);

// DURABILITY: the card is committed before this returns created/replaced,
// and only then does a client hear 201/204.
asio::awaitable<result<write_outcome>> put_card(db::pool& pool, std::int64_t book_id, std::string resource,
                                                std::string vcard, card_index index, preconditions pre,
                                                std::int64_t max_cards);
asio::awaitable<result<write_outcome>> delete_card(db::pool& pool, std::int64_t book_id, std::string resource,
                                                   preconditions pre);

asio::awaitable<result<std::vector<card_meta>>> list_cards(db::pool& pool, std::int64_t book_id);
// The named cards that exist (any order); or all of them when `resources` is null.
asio::awaitable<result<std::vector<stored_card>>> load_cards(db::pool& pool, std::int64_t book_id,
                                                             std::optional<std::vector<std::string>> resources);

struct changes {
  std::vector<card_meta> changed;     // added or changed after the revision
  std::vector<std::string> removed;   // deleted after it
  std::int64_t revision = 0;          // the book's revision now: the next token
};
// errc::invalid_argument when `since` is not a revision this book can answer
// from (below its sync floor, or beyond its revision).
asio::awaitable<result<changes>> changes_since(db::pool& pool, std::int64_t book_id, std::int64_t since);

}  // namespace posta::addressbook::store
