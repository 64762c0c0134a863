#include "addressbook/store/card_store.hpp"

#include "core/db/arrays.hpp"
#include "core/util/crypto_hash.hpp"
#include "core/util/hex.hpp"

namespace posta::addressbook::store {
namespace {

struct book_lock {
  std::int64_t card_count = 0;
  std::optional<std::string> etag;  // of the card at the resource, if any
};

// Takes the book's row lock (writers of one book go one at a time, so
// revisions are handed out in commit order) and reads the resource's ETag.
asio::awaitable<result<std::optional<book_lock>>> lock_book(db::connection& c, std::int64_t book_id,
                                                            std::string const& resource) {
  POSTA_CO_TRY_ASSIGN(auto book, co_await c.q("SELECT card_count FROM address_books WHERE id = $1 FOR UPDATE", book_id));
  if (book.size() == 0) co_return std::optional<book_lock>();
  book_lock out{book.i64(0, 0), std::nullopt};
  POSTA_CO_TRY_ASSIGN(auto card,
                      co_await c.q("SELECT etag FROM address_cards WHERE book_id = $1 AND resource = $2", book_id, resource));
  if (card.size() > 0) out.etag = card.str(0, 0);
  co_return std::optional<book_lock>(out);
}

bool precondition_holds(preconditions const& pre, std::optional<std::string> const& current) {
  if (pre.if_none_match_any && current) return false;
  if (pre.if_match && (!current || (*pre.if_match != "*" && *pre.if_match != *current))) return false;
  return true;
}

asio::awaitable<result<std::int64_t>> next_revision(db::connection& c, std::int64_t book_id, int count_change) {
  POSTA_CO_TRY_ASSIGN(auto r, co_await c.q("UPDATE address_books SET revision = revision + 1, card_count = "
                                           "card_count + $2 WHERE id = $1 RETURNING revision",
                                           book_id, count_change));
  co_return r.i64(0, 0);
}

asio::awaitable<result<bool>> uid_taken(db::connection& c, std::int64_t book_id, std::string const& uid,
                                        std::string const& resource) {
  if (uid.empty()) co_return false;
  POSTA_CO_TRY_ASSIGN(auto r, co_await c.q("SELECT 1 FROM address_cards WHERE book_id = $1 AND uid = $2 AND "
                                           "resource <> $3",
                                           book_id, uid, resource));
  co_return r.size() > 0;
}

}  // namespace

std::string etag_of(std::string_view vcard) {
  auto const digest = util::digest(util::hash_algorithm::sha256, vcard);
  return "\"" + util::hex_encode(std::string_view(digest).substr(0, 16)) + "\"";
}

asio::awaitable<result<write_outcome>> put_card(db::pool& pool, std::int64_t book_id, std::string resource,
                                                std::string vcard, card_index index, preconditions pre,
                                                std::int64_t max_cards) {
  auto const etag = etag_of(vcard);
  auto const emails = db::text_array(index.emails);
  co_return co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<write_outcome>> {
    POSTA_CO_TRY_ASSIGN(auto lock, co_await lock_book(c, book_id, resource));
    if (!lock) co_return write_outcome{write_status::not_found, {}};
    if (!precondition_holds(pre, lock->etag)) co_return write_outcome{write_status::precondition_failed, {}};
    bool const creating = !lock->etag;
    // SECURITY: the per-book bound (addressbook.max_cards).
    if (creating && max_cards > 0 && lock->card_count >= max_cards) co_return write_outcome{write_status::book_full, {}};
    POSTA_CO_TRY_ASSIGN(auto taken, co_await uid_taken(c, book_id, index.uid, resource));
    if (taken) co_return write_outcome{write_status::uid_conflict, {}};
    POSTA_CO_TRY_ASSIGN(auto revision, co_await next_revision(c, book_id, creating ? 1 : 0));
    POSTA_CO_TRY(co_await c.q(
        "INSERT INTO address_cards (book_id, resource, uid, etag, vcard, revision, formatted_name, emails, "
        "search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9) ON CONFLICT (book_id, resource) DO UPDATE "
        "SET uid = EXCLUDED.uid, etag = EXCLUDED.etag, vcard = EXCLUDED.vcard, revision = EXCLUDED.revision, "
        "formatted_name = EXCLUDED.formatted_name, emails = EXCLUDED.emails, search_text = EXCLUDED.search_text, "
        "updated_at = now()",
        book_id, resource, index.uid, etag, vcard, revision, index.formatted_name, emails, index.search_text));
    POSTA_CO_TRY(co_await c.q("DELETE FROM address_card_tombstones WHERE book_id = $1 AND resource = $2", book_id,
                              resource));
    co_return write_outcome{creating ? write_status::created : write_status::replaced, etag};
  });
}

asio::awaitable<result<write_outcome>> delete_card(db::pool& pool, std::int64_t book_id, std::string resource,
                                                   preconditions pre) {
  co_return co_await pool.transaction([&](db::connection& c) -> asio::awaitable<result<write_outcome>> {
    POSTA_CO_TRY_ASSIGN(auto lock, co_await lock_book(c, book_id, resource));
    if (!lock || !lock->etag) co_return write_outcome{write_status::not_found, {}};
    if (!precondition_holds(pre, lock->etag)) co_return write_outcome{write_status::precondition_failed, {}};
    POSTA_CO_TRY_ASSIGN(auto revision, co_await next_revision(c, book_id, -1));
    POSTA_CO_TRY(co_await c.q("DELETE FROM address_cards WHERE book_id = $1 AND resource = $2", book_id, resource));
    POSTA_CO_TRY(co_await c.q("INSERT INTO address_card_tombstones (book_id, resource, revision) VALUES ($1, $2, $3) "
                              "ON CONFLICT (book_id, resource) DO UPDATE SET revision = EXCLUDED.revision, "
                              "deleted_at = now()",
                              book_id, resource, revision));
    co_return write_outcome{write_status::deleted, {}};
  });
}

asio::awaitable<result<std::vector<card_meta>>> list_cards(db::pool& pool, std::int64_t book_id) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT resource, etag FROM address_cards WHERE book_id = $1 "
                                                 "ORDER BY resource",
                                                 book_id));
  std::vector<card_meta> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back({rows.str(i, 0), rows.str(i, 1)});
  co_return out;
}

asio::awaitable<result<std::vector<stored_card>>> load_cards(db::pool& pool, std::int64_t book_id,
                                                             std::optional<std::vector<std::string>> resources) {
  auto const names = resources ? std::optional<std::string>(db::text_array(*resources)) : std::nullopt;
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT resource, etag, vcard FROM address_cards WHERE book_id = $1 "
                                                 "AND ($2::text[] IS NULL OR resource = ANY($2::text[])) "
                                                 "ORDER BY resource",
                                                 book_id, names));
  std::vector<stored_card> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back({rows.str(i, 0), rows.str(i, 1), rows.str(i, 2)});
  co_return out;
}

asio::awaitable<result<changes>> changes_since(db::pool& pool, std::int64_t book_id, std::int64_t since) {
  POSTA_CO_TRY_ASSIGN(auto book, co_await pool.q("SELECT revision, sync_floor FROM address_books WHERE id = $1", book_id));
  if (book.size() == 0) co_return make_error(errc::not_found, "no such address book");
  changes out;
  out.revision = book.i64(0, 0);
  if (since < book.i64(0, 1) || since > out.revision)
    co_return make_error(errc::invalid_argument, "sync token no longer valid");
  POSTA_CO_TRY_ASSIGN(auto changed, co_await pool.q("SELECT resource, etag FROM address_cards WHERE book_id = $1 AND "
                                                    "revision > $2 AND revision <= $3 ORDER BY revision",
                                                    book_id, since, out.revision));
  for (int i = 0; i < changed.size(); ++i) out.changed.push_back({changed.str(i, 0), changed.str(i, 1)});
  POSTA_CO_TRY_ASSIGN(auto removed, co_await pool.q("SELECT resource FROM address_card_tombstones WHERE book_id = $1 "
                                                    "AND revision > $2 AND revision <= $3 ORDER BY revision",
                                                    book_id, since, out.revision));
  for (int i = 0; i < removed.size(); ++i) out.removed.push_back(removed.str(i, 0));
  co_return out;
}

}  // namespace posta::addressbook::store
