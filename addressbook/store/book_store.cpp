#include "addressbook/store/book_store.hpp"

namespace posta::addressbook::store {
namespace {

constexpr char const* book_columns = "id, name, display_name, description, revision, sync_floor, card_count";

book_row book_at(db::rows const& r, int i) {
  return {r.i64(i, 0), r.str(i, 1), r.str(i, 2), r.str(i, 3), r.i64(i, 4), r.i64(i, 5), r.i64(i, 6)};
}

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

}  // namespace

bool is_valid_book_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name == "gal" || !is_name_char(name.front()) || name.front() == '.' ||
      name.front() == '_' || name.front() == '-')
    return false;
  for (char c : name)
    if (!is_name_char(c)) return false;
  return true;
}

asio::awaitable<result<std::vector<book_row>>> list_books(db::pool& pool, std::int64_t account_id) {
  POSTA_CO_TRY(co_await pool.q("INSERT INTO address_books (account_id, name, display_name) VALUES "
                               "($1, 'personal', 'Personal'), ($1, 'collected', 'Collected addresses') "
                               "ON CONFLICT (account_id, name) DO NOTHING",
                               account_id));
  auto const sql = std::string("SELECT ") + book_columns + " FROM address_books WHERE account_id = $1 ORDER BY name";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q(sql, account_id));
  std::vector<book_row> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(book_at(rows, i));
  co_return out;
}

asio::awaitable<result<book_row>> find_book(db::pool& pool, std::int64_t account_id, std::string name) {
  if (name == personal_book || name == collected_book) POSTA_CO_TRY(co_await list_books(pool, account_id));
  auto const sql = std::string("SELECT ") + book_columns + " FROM address_books WHERE account_id = $1 AND name = $2";
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q(sql, account_id, name));
  if (rows.size() == 0) co_return make_error(errc::not_found, "no address book " + name);
  co_return book_at(rows, 0);
}

asio::awaitable<result<book_row>> create_book(db::pool& pool, std::int64_t account_id, std::string name,
                                              std::string display_name, std::string description) {
  if (!is_valid_book_name(name)) co_return make_error(errc::invalid_argument, "not a valid address book name");
  auto const sql = std::string("INSERT INTO address_books (account_id, name, display_name, description) "
                               "VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, name) DO NOTHING RETURNING ") +
                   book_columns;
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q(sql, account_id, name, display_name, description));
  if (rows.size() == 0) co_return make_error(errc::already_exists, "address book " + name + " exists");
  co_return book_at(rows, 0);
}

asio::awaitable<result<void>> set_book_text(db::pool& pool, std::int64_t book_id, std::optional<std::string> display_name,
                                            std::optional<std::string> description) {
  POSTA_CO_TRY(co_await pool.q("UPDATE address_books SET display_name = coalesce($2, display_name), "
                               "description = coalesce($3, description) WHERE id = $1",
                               book_id, display_name, description));
  co_return result<void>{};
}

asio::awaitable<result<void>> delete_book(db::pool& pool, std::int64_t book_id) {
  POSTA_CO_TRY(co_await pool.q("DELETE FROM address_books WHERE id = $1", book_id));
  co_return result<void>{};
}

}  // namespace posta::addressbook::store
