// Personal address books in PostgreSQL (schema/027_address_books.sql): the
// books of an account, created on first use ("personal" and "collected"),
// their DAV properties, and their removal.
#pragma once

#include "core/db/pool.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace posta::addressbook::store {

struct book_row {
  std::int64_t id = 0;
  std::string name;  // the collection's path segment
  std::string display_name;
  std::string description;
  std::int64_t revision = 0;  // cs:getctag and the sync-token
  std::int64_t sync_floor = 0;
  std::int64_t card_count = 0;
};

inline constexpr std::string_view personal_book = "personal";
inline constexpr std::string_view collected_book = "collected";

// The account's books, after creating the two every account has.
asio::awaitable<result<std::vector<book_row>>> list_books(db::pool& pool, std::int64_t account_id);
// errc::not_found when the account has no such book.
asio::awaitable<result<book_row>> find_book(db::pool& pool, std::int64_t account_id, std::string name);

// errc::already_exists for a name in use, errc::invalid_argument for a name
// the collection path cannot hold ("gal" is the global address list's).
asio::awaitable<result<book_row>> create_book(db::pool& pool, std::int64_t account_id, std::string name,
                                              std::string display_name, std::string description);
asio::awaitable<result<void>> set_book_text(db::pool& pool, std::int64_t book_id, std::optional<std::string> display_name,
                                            std::optional<std::string> description);
asio::awaitable<result<void>> delete_book(db::pool& pool, std::int64_t book_id);

bool is_valid_book_name(std::string_view name);

}  // namespace posta::addressbook::store
